package password

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

const python = "/usr/bin/python3"

// requirePython skips the test when the Python libraries that
// fastapi-fullauth uses are missing, or fails it when
// FULLAUTH_TEST_REQUIRE_SERVICES=1 says they must be present (as in CI).
func requirePython(t *testing.T) {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("FULLAUTH_TEST_REQUIRE_SERVICES") == "1" {
		fail = t.Fatalf
	}
	if _, err := os.Stat(python); err != nil {
		fail("Python interop: %s not found (install python3, python3-argon2 and python3-bcrypt): %v", python, err)
	}
	if out, err := exec.Command(python, "-c", "import argon2, bcrypt").CombinedOutput(); err != nil {
		fail("Python interop: argon2-cffi or bcrypt missing (apt-get install python3-argon2 python3-bcrypt): %v\n%s", err, out)
	}
}

// runPython runs script with in as JSON on stdin and decodes its JSON
// output into out.
func runPython(t *testing.T, script string, in, out any) {
	t.Helper()
	stdin, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.Bytes())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("python output %q: %v", stdout, err)
	}
}

// pythonHasher is argon2-cffi's PasswordHasher with the parameters that
// fastapi-fullauth gets from argon2-cffi >= 25.1 by default; they are given
// explicitly because Debian's 21.1.0 has older defaults.
const pythonHasher = `
import json, sys, argon2, bcrypt
ph = argon2.PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, hash_len=32, salt_len=16, type=argon2.Type.ID)
req = json.load(sys.stdin)
pw = req["password"]
`

// TestPythonInterop checks both directions against argon2-cffi and Python
// bcrypt, the libraries behind fastapi-fullauth: Python hashes verify here
// and ours verify there, and argon2-cffi agrees that our default argon2id
// hash needs no rehash. Each default-cost hash costs about 0.3 s, so the
// calls are kept few.
func TestPythonInterop(t *testing.T) {
	requirePython(t)
	// Non-ASCII on purpose: both sides must hash the UTF-8 bytes.
	const plain = "pässwörd 🔑 correct horse"
	ctx := context.Background()
	argon := newHasher(t, Options{})
	bcr := newHasher(t, Options{Algorithm: Bcrypt})

	t.Run("python to go", func(t *testing.T) {
		var made struct{ Argon2id, Bcrypt string }
		runPython(t, pythonHasher+`
print(json.dumps({
    "argon2id": ph.hash(pw),
    "bcrypt": bcrypt.hashpw(pw.encode(), bcrypt.gensalt(12)).decode(),
}))`, map[string]string{"password": plain}, &made)

		tests := []struct {
			name, encoded, prefix string
			h                     *Hasher
		}{
			{"argon2id", made.Argon2id, "$argon2id$v=19$m=65536,t=3,p=4$", argon},
			{"bcrypt", made.Bcrypt, "$2b$12$", bcr},
		}
		for _, tc := range tests {
			if len(tc.encoded) < len(tc.prefix) || tc.encoded[:len(tc.prefix)] != tc.prefix {
				t.Errorf("Python %s hash = %q, want prefix %q", tc.name, tc.encoded, tc.prefix)
			}
			if ok, err := argon.Verify(ctx, tc.encoded, plain); !ok || err != nil {
				t.Errorf("Verify(Python %s hash %q) = %v, %v; want true, nil", tc.name, tc.encoded, ok, err)
			}
			if tc.h.NeedsRehash(tc.encoded) {
				t.Errorf("%s hasher: NeedsRehash(Python hash %q) = true, want false", tc.name, tc.encoded)
			}
		}
		// One wrong password, on the cheaper side, to show Go is not
		// accepting everything Python wrote.
		if ok, err := argon.Verify(ctx, made.Bcrypt, plain+"!"); ok || err != nil {
			t.Errorf("Verify(Python bcrypt hash, wrong password) = %v, %v; want false, nil", ok, err)
		}
	})

	t.Run("go to python", func(t *testing.T) {
		in := map[string]string{
			"password": plain,
			"argon2id": mustHash(t, argon, plain),
			"bcrypt":   mustHash(t, bcr, plain),
		}
		var got struct {
			Argon2idOK, Argon2idRehash, BcryptOK bool
		}
		runPython(t, pythonHasher+`
try:
    ok = ph.verify(req["argon2id"], pw)
except argon2.exceptions.VerificationError:
    ok = False
print(json.dumps({
    "argon2idok": ok,
    "argon2idrehash": ph.check_needs_rehash(req["argon2id"]),
    "bcryptok": bcrypt.checkpw(pw.encode(), req["bcrypt"].encode()),
}))`, in, &got)
		if !got.Argon2idOK {
			t.Errorf("argon2-cffi verify(%q) = False, want True", in["argon2id"])
		}
		if got.Argon2idRehash {
			t.Errorf("argon2-cffi check_needs_rehash(%q) = True, want False", in["argon2id"])
		}
		if !got.BcryptOK {
			t.Errorf("bcrypt.checkpw(%q) = False, want True", in["bcrypt"])
		}
	})
}
