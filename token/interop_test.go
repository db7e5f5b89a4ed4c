package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"testing"
	"time"
)

// pyjwtPath is Debian's interpreter, which has python3-jwt; the python3 on
// PATH may be another one without PyJWT.
const pyjwtPath = "/usr/bin/python3"

// pyjwtScript mints tokens with PyJWT and decodes ours, all in one run. It
// reads a JSON request on stdin and writes a JSON answer on stdout.
const pyjwtScript = `
import json, sys
try:
    import jwt
except ImportError as e:
    print(json.dumps({"missing": str(e)}))
    sys.exit(0)

req = json.load(sys.stdin)
key = req["key"]
order = ["sub", "exp", "iat", "jti", "type", "roles", "extra", "family_id"]
out = {"version": jwt.__version__, "minted": {}, "decoded": {}, "errors": {}}
for alg in ["HS256", "HS384", "HS512"]:
    c = req["access"]
    out["minted"][alg] = jwt.encode({k: c[k] for k in order if k in c}, key, algorithm=alg)
r = req["refresh"]
out["minted"]["refresh"] = jwt.encode({k: r[k] for k in order if k in r}, key, algorithm="HS256")
e = req["expired"]
out["minted"]["expired"] = jwt.encode({k: e[k] for k in order if k in e}, key, algorithm="HS256")
for name, (alg, tok) in req["ours"].items():
    try:
        out["decoded"][name] = jwt.decode(tok, key, algorithms=[alg], leeway=30,
                                          options={"require": ["exp", "iat", "sub"]})
    except Exception as ex:
        out["errors"][name] = type(ex).__name__ + ": " + str(ex)
print(json.dumps(out))
`

type pyjwtAnswer struct {
	Missing string                    `json:"missing"`
	Version string                    `json:"version"`
	Minted  map[string]string         `json:"minted"`
	Decoded map[string]map[string]any `json:"decoded"`
	Errors  map[string]string         `json:"errors"`
}

// runPyJWT runs pyjwtScript on req, or skips the test when PyJWT is not
// there (fails instead when FULLAUTH_TEST_REQUIRE_SERVICES=1).
func runPyJWT(t *testing.T, req any) *pyjwtAnswer {
	t.Helper()
	unavailable := func(why string) {
		t.Helper()
		if os.Getenv("FULLAUTH_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatalf("PyJWT interop: %s (FULLAUTH_TEST_REQUIRE_SERVICES=1)", why)
		}
		t.Skipf("PyJWT interop skipped: %s; install python3-jwt to run it", why)
	}
	if _, err := os.Stat(pyjwtPath); err != nil {
		unavailable(pyjwtPath + " not found")
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pyjwtPath, "-c", pyjwtScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", pyjwtPath, err, stderr.Bytes())
	}
	var ans pyjwtAnswer
	if err := json.Unmarshal(out, &ans); err != nil {
		t.Fatalf("PyJWT answer %q: %v", out, err)
	}
	if ans.Missing != "" {
		unavailable("no jwt module for " + pyjwtPath + ": " + ans.Missing)
	}
	t.Logf("PyJWT %s", ans.Version)
	return &ans
}

// wire is a claim set as JSON for PyJWT, keys in fullauth's order.
type wire struct {
	Sub      string          `json:"sub"`
	Exp      int64           `json:"exp"`
	Iat      int64           `json:"iat"`
	Jti      string          `json:"jti"`
	Type     string          `json:"type"`
	Roles    []string        `json:"roles,omitempty"`
	Extra    json.RawMessage `json:"extra,omitempty"`
	FamilyID string          `json:"family_id,omitempty"`
}

func toWire(c *Claims) wire {
	return wire{c.Subject, c.ExpiresAt, c.IssuedAt, c.ID, c.Type, c.Roles, c.Extra, c.FamilyID}
}

func TestPyJWTInterop(t *testing.T) {
	now := time.Now()
	access := &Claims{
		Subject:   "user-ü-😀-\"q\"",
		ExpiresAt: now.Unix() + 600,
		IssuedAt:  now.Unix(),
		ID:        "6f1c2a9b8e7d4c3b2a1f0e9d8c7b6a59",
		Type:      TypeAccess,
		Roles:     []string{"admin", "éditeur"},
		// As Python writes it, so that both sides give the same bytes.
		Extra:    json.RawMessage(`{"tenant":"caf\u00e9","n":[1,2.5,{"x":null}],"purpose":""}`),
		FamilyID: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
	}
	refresh := &Claims{
		Subject:   "42",
		ExpiresAt: now.Unix() + 30*86400,
		IssuedAt:  now.Unix(),
		ID:        "0123456789abcdef0123456789abcdef",
		Type:      TypeRefresh,
		FamilyID:  "fedcba9876543210fedcba9876543210",
	}
	expired := &Claims{
		Subject:   "42",
		ExpiresAt: now.Unix() - 31,
		IssuedAt:  now.Unix() - 3600,
		ID:        "e",
		Type:      TypeAccess,
		Roles:     []string{},
		Extra:     json.RawMessage(`{}`),
	}
	purpose := &Claims{
		Subject:   "0b3f6c1e-6a4d-4d2e-9a51-3c1f2b9e8d47",
		ExpiresAt: now.Unix() + 900,
		IssuedAt:  now.Unix(),
		ID:        "p",
		Type:      TypeAccess,
		Roles:     []string{},
		Extra:     json.RawMessage(`{"purpose":"password_reset"}`),
	}

	type ours struct {
		alg    Algorithm
		claims *Claims
	}
	mine := map[string]ours{
		"HS256":   {HS256, access},
		"HS384":   {HS384, access},
		"HS512":   {HS512, access},
		"refresh": {HS256, refresh},
		"purpose": {HS256, purpose},
		"expired": {HS256, expired},
	}
	toks := map[string]string{}
	req := map[string]any{
		"key":     string(testKey),
		"access":  toWire(access),
		"refresh": toWire(refresh),
		"expired": toWire(expired),
	}
	reqOurs := map[string][2]string{}
	for name, o := range mine {
		raw, err := newTestSigner(t, o.alg).Sign(o.claims)
		if err != nil {
			t.Fatalf("Sign(%s) err = %v", name, err)
		}
		toks[name] = raw
		reqOurs[name] = [2]string{string(o.alg), raw}
	}
	req["ours"] = reqOurs
	// A token of another algorithm than the one PyJWT is told to accept.
	reqOurs["wrong alg"] = [2]string{"HS256", toks["HS512"]}
	ans := runPyJWT(t, req)

	t.Run("PyJWT to Go", func(t *testing.T) {
		for _, name := range []string{"HS256", "HS384", "HS512", "refresh"} {
			want := mine[name].claims
			raw := ans.Minted[name]
			got, err := newTestVerifier(t, mine[name].alg).Verify(raw, now)
			if err != nil {
				t.Errorf("%s: Verify(PyJWT token %q) err = %v", name, raw, err)
				continue
			}
			w := *want
			if w.Type == TypeRefresh {
				w.Extra = json.RawMessage(`{}`)
			}
			if d := claimsDiff(got, &w); d != "" {
				t.Errorf("%s: Verify(PyJWT token): %s", name, d)
			}
			if raw != toks[name] {
				t.Errorf("%s: PyJWT token\n%s\ndiffers from Sign()'s\n%s", name, raw, toks[name])
			}
		}
		_, err := newTestVerifier(t, HS256).Verify(ans.Minted["expired"], now)
		if !errors.Is(err, ErrExpired) {
			t.Errorf("Verify(expired PyJWT token) err = %v, want ErrExpired", err)
		}
	})

	t.Run("Go to PyJWT", func(t *testing.T) {
		for _, name := range []string{"HS256", "HS384", "HS512", "refresh", "purpose"} {
			got, ok := ans.Decoded[name]
			if !ok {
				t.Errorf("%s: PyJWT decode failed: %s", name, ans.Errors[name])
				continue
			}
			var want map[string]any
			b, _ := json.Marshal(toWire(mine[name].claims))
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if name == "purpose" {
				want["roles"] = []any{} // omitempty dropped it from the wire form
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: PyJWT decoded\n%v\nwant\n%v", name, got, want)
			}
		}
		if e := ans.Errors["expired"]; len(e) < 21 || e[:21] != "ExpiredSignatureError" {
			t.Errorf("PyJWT decode of our expired token: %q, want ExpiredSignatureError", e)
		}
		if e := ans.Errors["wrong alg"]; e == "" {
			t.Errorf("PyJWT decoded our HS512 token with algorithms=[HS256], want an error")
		}
	})
}
