package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzNow and the 30 s leeway are the clock of FuzzVerify; the half second
// exercises the fractional comparisons.
var fuzzNow = time.Unix(1700000000, 500_000_000)

// refResult is what refVerify decided about a payload.
type refResult struct {
	class  int
	claims *Claims
	why    string
}

// refVerify decides a correctly signed payload the way the package
// documentation says, but with encoding/json and math/big instead of the
// package's scanner and integer arithmetic. encoding/json cannot see
// duplicate keys, unpaired surrogates, invalid UTF-8 or deep nesting; see
// strictOnly for those.
func refVerify(payload []byte, now time.Time, leeway time.Duration) refResult {
	bad := func(why string) refResult { return refResult{class: classInvalid, why: why} }
	if !json.Valid(payload) {
		return bad("json.Valid is false")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(payload, &top); err != nil {
		return bad("not an object: " + err.Error())
	}
	present := func(k string) bool { v, ok := top[k]; return ok && string(v) != "null" }
	for _, k := range []string{"exp", "iat", "sub"} {
		if !present(k) {
			return bad("missing " + k)
		}
	}
	c := &Claims{Type: TypeAccess, Roles: []string{}, Extra: json.RawMessage(`{}`)}
	var ok bool
	if c.Subject, ok = refString(top["sub"]); !ok {
		return bad("sub not a string")
	}
	if c.ExpiresAt, ok = refDate(top["exp"]); !ok {
		return bad("bad exp")
	}
	if c.IssuedAt, ok = refDate(top["iat"]); !ok {
		return bad("bad iat")
	}
	var nbf int64
	raw, hasNbf := top["nbf"]
	if hasNbf {
		if nbf, ok = refDate(raw); !ok {
			return bad("bad nbf")
		}
	}
	if raw, has := top["jti"]; has {
		if c.ID, ok = refString(raw); !ok {
			return bad("jti not a string")
		}
	}
	if raw, has := top["type"]; has {
		if c.Type, ok = refString(raw); !ok {
			return bad("type not a string")
		}
	}
	if raw, has := top["family_id"]; has && string(raw) != "null" {
		if c.FamilyID, ok = refString(raw); !ok {
			return bad("family_id not a string")
		}
	}
	if raw, has := top["roles"]; has {
		var list []json.RawMessage
		if raw[0] != '[' || json.Unmarshal(raw, &list) != nil {
			return bad("roles not an array")
		}
		for _, r := range list {
			s, ok := refString(r)
			if !ok {
				return bad("role not a string")
			}
			c.Roles = append(c.Roles, s)
		}
	}
	if raw, has := top["aud"]; has && refTruthy(raw) {
		return bad("truthy aud")
	}
	if raw, has := top["extra"]; has && raw[0] == '{' {
		c.Extra = raw
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			panic(err)
		}
		if p, has := m["purpose"]; has && refTruthy(p) {
			if s, ok := refString(p); ok {
				c.Purpose = s
			} else {
				c.Purpose = string(p)
			}
		}
	}

	// Time, in exact rational arithmetic.
	nowR := new(big.Rat).SetFrac(big.NewInt(now.UnixNano()), big.NewInt(1e9))
	if now.Unix() > 1<<33 || now.Unix() < -1<<33 {
		panic("refVerify: now out of the UnixNano range")
	}
	lee := new(big.Rat).SetFrac(big.NewInt(int64(leeway)), big.NewInt(1e9))
	late := new(big.Rat).Add(nowR, lee)
	early := new(big.Rat).Sub(nowR, lee)
	sec := func(x int64) *big.Rat { return new(big.Rat).SetInt64(x) }
	if sec(c.IssuedAt).Cmp(late) > 0 {
		return bad("iat > now + leeway")
	}
	if hasNbf && sec(nbf).Cmp(late) > 0 {
		return bad("nbf > now + leeway")
	}
	if sec(c.ExpiresAt).Cmp(early) <= 0 {
		return refResult{class: classExpired, why: "exp <= now - leeway"}
	}
	return refResult{class: classOK, claims: c}
}

func refString(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// refDate is Python's int() of a JSON number, limited to int64.
func refDate(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, false
	}
	if !bytes.ContainsAny(raw, ".eE") {
		n, ok := new(big.Int).SetString(string(raw), 10)
		if !ok || !n.IsInt64() {
			return 0, false
		}
		return n.Int64(), true
	}
	f, _, err := big.ParseFloat(string(raw), 10, 53, big.ToNearestEven)
	if err != nil {
		return 0, false
	}
	// float64's range: beyond it Python has inf, which int() refuses.
	if _, acc := f.Float64(); f.IsInf() || (acc != big.Exact && f.MantExp(nil) > 1024) {
		return 0, false
	}
	n, _ := f.Int(nil) // truncates toward zero
	if !n.IsInt64() {
		return 0, false
	}
	return n.Int64(), true
}

// refTruthy is Python's bool() of a JSON value.
func refTruthy(raw json.RawMessage) bool {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		panic(err)
	}
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case json.Number:
		f, _, err := big.ParseFloat(v.String(), 10, 53, big.ToNearestEven)
		if err != nil {
			panic(err)
		}
		// A float too small for float64 is 0.0 in Python.
		if x, _ := f.Float64(); x == 0 {
			return false
		}
		return true
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	panic(fmt.Sprintf("refTruthy: %T", v))
}

// strictOnly names a reason, if any, for which Verify refuses JSON that
// encoding/json accepts: invalid UTF-8, an unpaired surrogate escape, a
// duplicate key, or more than maxNest nested arrays and objects.
func strictOnly(doc []byte, maxNest int) string {
	if !utf8.Valid(doc) {
		return "invalid UTF-8"
	}
	if loneSurrogate(doc) {
		return "unpaired surrogate"
	}
	type frame struct {
		keys      map[string]bool // nil for an array
		expectKey bool
	}
	var stack []*frame
	top := func() *frame {
		if len(stack) == 0 {
			return nil
		}
		return stack[len(stack)-1]
	}
	valueDone := func() {
		if f := top(); f != nil && f.keys != nil {
			f.expectKey = true
		}
	}
	d := json.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err != nil {
			return "" // the end, or invalid JSON, which refVerify reports
		}
		if f := top(); f != nil && f.expectKey {
			if tok == json.Delim('}') {
				stack = stack[:len(stack)-1]
				valueDone()
				continue
			}
			k := tok.(string)
			if f.keys[k] {
				return "duplicate key " + k
			}
			f.keys[k] = true
			f.expectKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, expectKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
		if len(stack) > maxNest {
			return "too deep"
		}
	}
}

// loneSurrogate reports whether a JSON text has a \u escape of a surrogate
// that is not part of a high-low pair.
func loneSurrogate(b []byte) bool {
	in := false
	pendingHigh := false
	for i := 0; i < len(b); i++ {
		if !in {
			in = b[i] == '"'
			continue
		}
		if b[i] == '"' {
			if pendingHigh {
				return true
			}
			in = false
			continue
		}
		if b[i] != '\\' {
			if pendingHigh {
				return true
			}
			continue
		}
		i++
		if i >= len(b) || b[i] != 'u' || i+4 >= len(b) {
			if pendingHigh {
				return true
			}
			continue
		}
		var r rune
		fmt.Sscanf(string(b[i+1:i+5]), "%04x", &r)
		i += 4
		switch {
		case 0xD800 <= r && r < 0xDC00:
			if pendingHigh {
				return true
			}
			pendingHigh = true
		case 0xDC00 <= r && r < 0xE000:
			if !pendingHigh {
				return true
			}
			pendingHigh = false
		default:
			if pendingHigh {
				return true
			}
		}
	}
	return false
}

// checkAgainstRef compares Verify's answer for a correctly signed payload
// with refVerify's.
func checkAgainstRef(t *testing.T, payload []byte, got *Claims, err error) {
	t.Helper()
	ref := refVerify(payload, fuzzNow, testLeeway)
	gotClass := errClass(err)
	if gotClass == -1 {
		t.Fatalf("Verify(%q) err = %v, neither ErrExpired nor ErrInvalid", payload, err)
	}
	if gotClass != ref.class {
		why := strictOnly(payload, maxDepth+1)
		if gotClass == classInvalid && why != "" {
			return // refused for a reason encoding/json cannot see
		}
		t.Fatalf("payload %q: Verify() = %+v, %v; reference says %s (%s)", payload, got, err, classNames[ref.class], ref.why)
	}
	if gotClass != classOK {
		return
	}
	if why := strictOnly(payload, maxDepth+1); why != "" {
		t.Fatalf("payload %q: Verify() accepted it despite %s", payload, why)
	}
	if d := claimsDiff(got, ref.claims); d != "" {
		t.Fatalf("payload %q: Verify() differs from encoding/json: %s", payload, d)
	}
}

// fuzzSeeds are payloads for both fuzzers' corpora.
var fuzzSeeds = []string{
	`{"sub":"0b3f6c1e-6a4d-4d2e-9a51-3c1f2b9e8d47","exp":1700001800,"iat":1700000000,"jti":"6f1c2a9b8e7d4c3b2a1f0e9d8c7b6a59","type":"access","roles":["admin","editor"],"extra":{"tenant":"acme"},"family_id":"a1b2c3d4e5f60718293a4b5c6d7e8f90"}`,
	`{"sub":"42","exp":1702592000,"iat":1700000000,"jti":"j","type":"refresh","family_id":"f"}`,
	`{"sub":"u","exp":1700000600,"iat":1700000000,"extra":{"purpose":"email_verify"},"roles":[]}`,
	`{"sub":"u","exp":1700000600.5,"iat":1.7e9,"nbf":1699999999,"aud":"","x":[1,{"y":null}],"extra":{"purpose":[0]}}`,
	`{"s\u0075b":"\ud83d\ude00\u00e9\n","exp":1699999970,"iat":1700000030}`,
	`{"sub":"u","exp":1699999971,"iat":1700000031,"jti":null,"family_id":null}`,
	`{"sub":"u","exp":1700000600,"iat":1700000000,"sub":"v"}`,
	`{"sub":"u","exp":1700000600,"iat":1700000000,"extra":{"a":"\ud800"}}`,
	`{"sub":1,"exp":"1","iat":true,"roles":[1],"type":null}`,
	"{\"sub\":\"\xff\",\"exp\":1e400,\"iat\":-0}",
	` [ ] `,
}

func FuzzVerify(f *testing.F) {
	s := newTestSigner(f, HS256)
	good, _ := s.Sign(benchClaims(testNow))
	for _, p := range fuzzSeeds {
		f.Add(good, []byte(p))
		f.Add(signed(p), []byte(p))
	}
	f.Add("", []byte(""))
	f.Add("a.b.c", []byte("{"))

	v := newTestVerifier(f, HS256)
	f.Fuzz(func(t *testing.T, raw string, payload []byte) {
		// Arbitrary token text: never panics, and whatever verifies was
		// signed with the key and passes the payload differential.
		c, err := v.Verify(raw, fuzzNow)
		if err == nil {
			parts := strings.Split(raw, ".")
			if len(parts) != 3 || mac(HS256, parts[0]+"."+parts[1]) != parts[2] {
				t.Fatalf("Verify(%q) accepted a token without our signature", raw)
			}
			p, err := base64.RawURLEncoding.Strict().DecodeString(parts[1])
			if err != nil {
				t.Fatalf("Verify(%q) accepted a bad payload segment: %v", raw, err)
			}
			checkAgainstRef(t, p, c, nil)
		} else if errClass(err) == -1 {
			t.Fatalf("Verify(%q) err = %v, neither ErrExpired nor ErrInvalid", raw, err)
		}

		// Arbitrary payload bytes, correctly signed, so that the scanner is
		// reached: Verify must agree with encoding/json.
		tok := signed(string(payload))
		if len(tok) > MaxTokenSize {
			return
		}
		c, err = v.Verify(tok, fuzzNow)
		checkAgainstRef(t, payload, c, err)
		if err != nil {
			return
		}
		// What verified signs again to a token that verifies the same way.
		again, err := s.Sign(c)
		if errors.Is(err, errSignTooLarge) {
			return
		}
		if err != nil {
			t.Fatalf("Sign(Verify(%q)) err = %v", payload, err)
		}
		c2, err := v.Verify(again, fuzzNow)
		if err != nil {
			t.Fatalf("Verify(Sign(Verify(%q))) err = %v", payload, err)
		}
		want := *c
		if want.Type == "" {
			want.Type = TypeAccess // how Sign writes an empty type
		}
		if want.Type != TypeAccess {
			want.Roles, want.Extra, want.Purpose = []string{}, json.RawMessage("{}"), ""
		} else {
			var buf bytes.Buffer
			json.Compact(&buf, c.Extra)
			want.Extra = buf.Bytes()
		}
		if d := claimsDiff(c2, &want); d != "" {
			t.Fatalf("Verify(Sign(Verify(%q))): %s", payload, d)
		}
	})
}

func FuzzSignVerify(f *testing.F) {
	f.Add("0b3f6c1e-6a4d-4d2e-9a51-3c1f2b9e8d47", "6f1c2a9b8e7d4c3b2a1f0e9d8c7b6a59", "access", "a1b2c3d4e5f60718293a4b5c6d7e8f90", "admin\neditor", []byte(`{"tenant":"acme"}`), int64(1700001800), int64(1700000000))
	f.Add("42", "j", "refresh", "f", "", []byte(nil), int64(1702592000), int64(1700000000))
	f.Add("ü😀\x7f\x00\"\\", "", "", "", "", []byte(" { \"purpose\" : \"x\" } "), int64(0), int64(-1))
	f.Add("\xff", "a", "access", "", "\xc0", []byte(`[1]`), int64(-1<<63), int64(1<<63-1))
	f.Add("s", "j", "access", "", "r", []byte(`{"a":{"a":1},"b":"\ud83d\ude00"}`), int64(5), int64(4))

	s := newTestSigner(f, HS256)
	f.Fuzz(func(t *testing.T, sub, jti, typ, fam, roles string, extra []byte, exp, iat int64) {
		in := &Claims{Subject: sub, ExpiresAt: exp, IssuedAt: iat, ID: jti, Type: typ, FamilyID: fam, Extra: extra}
		if roles != "" {
			in.Roles = strings.Split(roles, "\n")
		}
		tok, err := s.Sign(in)
		isAccess := typ == "" || typ == TypeAccess
		texts := []string{sub, jti, typ, fam}
		if isAccess {
			texts = append(texts, in.Roles...) // roles are written for access tokens only
		}
		allUTF8 := true
		size := len(extra)
		for _, x := range texts {
			allUTF8 = allUTF8 && utf8.ValidString(x)
			size += len(x)
		}
		extraOK := !isAccess || len(extra) == 0 ||
			(json.Valid(extra) && bytes.TrimLeft(extra, " \t\r\n")[0] == '{' && strictOnly(extra, maxDepth) == "")
		if err != nil {
			switch {
			case errors.Is(err, errSignTooLarge) && size*6+300 > MaxTokenSize*3/4:
			case !allUTF8:
			case !extraOK:
			default:
				t.Fatalf("Sign(%+v) err = %v, want success", in, err)
			}
			return
		}
		if !allUTF8 || !extraOK {
			t.Fatalf("Sign(%+v) = %q, want an error (UTF-8 %v, extra ok %v)", in, tok, allUTF8, extraOK)
		}
		if again, err := s.Sign(in); again != tok || err != nil {
			t.Fatalf("Sign() twice = %q, %v; want %q", again, err, tok)
		}

		want := &Claims{Subject: sub, ExpiresAt: exp, IssuedAt: iat, ID: jti, Type: typ, FamilyID: fam, Roles: []string{}, Extra: json.RawMessage("{}")}
		if isAccess {
			want.Type = TypeAccess
			want.Roles = in.Roles
			if len(extra) > 0 {
				var buf bytes.Buffer
				if err := json.Compact(&buf, extra); err != nil {
					t.Fatal(err)
				}
				want.Extra = buf.Bytes()
			}
		}
		// The payload as encoding/json reads it.
		parts := strings.Split(tok, ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var pj struct {
			Sub    *string         `json:"sub"`
			Exp    *int64          `json:"exp"`
			Iat    *int64          `json:"iat"`
			Jti    *string         `json:"jti"`
			Type   *string         `json:"type"`
			Roles  []string        `json:"roles"`
			Extra  json.RawMessage `json:"extra"`
			Family *string         `json:"family_id"`
		}
		if err := json.Unmarshal(payload, &pj); err != nil {
			t.Fatalf("payload %s: %v", payload, err)
		}
		if pj.Sub == nil || *pj.Sub != sub || pj.Exp == nil || *pj.Exp != exp || pj.Iat == nil || *pj.Iat != iat ||
			pj.Jti == nil || *pj.Jti != jti || pj.Type == nil || *pj.Type != want.Type ||
			(fam == "") != (pj.Family == nil) || (pj.Family != nil && *pj.Family != fam) ||
			isAccess != (pj.Extra != nil) || (isAccess && string(pj.Extra) != string(want.Extra)) ||
			len(pj.Roles) != len(want.Roles) {
			t.Fatalf("payload %s does not carry %+v", payload, in)
		}

		// Verify it at its issue time: valid, unless it expires no later.
		v, _ := NewVerifier(HS256, testKey, 0)
		got, err := v.Verify(tok, time.Unix(iat, 0))
		if exp <= iat {
			if !errors.Is(err, ErrExpired) {
				t.Fatalf("Verify(%s) at iat err = %v, want ErrExpired", payload, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Verify(%s) at iat err = %v", payload, err)
		}
		if isAccess {
			var m map[string]json.RawMessage
			json.Unmarshal(want.Extra, &m)
			if p, has := m["purpose"]; has && refTruthy(p) {
				if ps, ok := refString(p); ok {
					want.Purpose = ps
				} else {
					want.Purpose = string(p)
				}
			}
		}
		if d := claimsDiff(got, want); d != "" {
			t.Fatalf("Verify(Sign(%+v)): %s", in, d)
		}
	})
}
