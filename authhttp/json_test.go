package authhttp

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/fullauth/fullauth"
)

// The hand-written encoders must give exactly json.Marshal's bytes.

// jsonStrings are the strings whose encoding differs in some way: every
// escape encoding/json makes, invalid and truncated UTF-8, and multi-byte
// runes it leaves alone.
var jsonStrings = []string{
	"",
	"plain ascii",
	`quote " and backslash \`,
	"controls \x00\x01\b\f\n\r\t\x1f and DEL \x7f",
	"html <script>&amp;</script>",
	"separators \u2028 and \u2029 but not \u2027 or \u202a",
	"invalid \xff and \xc3 alone, truncated \xe2\x80",
	"surrogate half \xed\xa0\x80",
	"multi-byte é 日本 🔑",
	"ünïcödé<&>\"\\\n",
	"\xf4\x90\x80\x80 above U+10FFFF",
	"\xef\xbf\xbd the replacement character itself",
}

func TestAppendString(t *testing.T) {
	for _, s := range jsonStrings {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func TestWriteDetail(t *testing.T) {
	for _, s := range jsonStrings {
		want, err := json.Marshal(map[string]string{"detail": s})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		writeDetail(rec, 418, s)
		if rec.Code != 418 || rec.Body.String() != string(want) || rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("writeDetail(%q) = %d %s %q, want 418 %s application/json", s, rec.Code, rec.Body, rec.Header().Get("Content-Type"), want)
		}
	}
}

func TestAppendUserJSON(t *testing.T) {
	tests := []struct {
		name  string
		user  fullauth.User
		roles []string
	}{
		{"zero", fullauth.User{}, nil},
		{"no roles", fullauth.User{ID: "01a21b34-cd58-778a-9b4b-2b55ae744ec6", Email: "ada@example.com", Active: true}, []string{}},
		{"every flag", fullauth.User{ID: "1", Email: "a@b.c", Active: true, Verified: true, Superuser: true, DisplayName: "Ada"}, []string{"admin"}},
		{"escapes", fullauth.User{ID: "<id>", Email: "x&y@example.com", DisplayName: "Ada \"\u2028\xff\" <b>"}, []string{"a\nb", "é", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkUserJSON(t, &tc.user, tc.roles)
		})
	}
}

func checkUserJSON(t *testing.T, u *fullauth.User, roles []string) {
	t.Helper()
	want, err := json.Marshal(NewUserJSON(u, roles))
	if err != nil {
		t.Fatal(err)
	}
	if got := appendUserJSON(nil, u, roles); string(got) != string(want) {
		t.Errorf("appendUserJSON(%+v, %q) =\n%s\nwant\n%s", u, roles, got, want)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range jsonStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func FuzzAppendUserJSON(f *testing.F) {
	f.Add("1", "ada@example.com", "", "", "", uint8(0), true, false, false)
	f.Add("<id>", "a&b@example.com", "Ada\u2028", "admin", "\xff", uint8(2), true, true, true)
	f.Fuzz(func(t *testing.T, id, email, name, role1, role2 string, nroles uint8, active, verified, superuser bool) {
		u := &fullauth.User{ID: id, Email: email, DisplayName: name, Active: active, Verified: verified, Superuser: superuser}
		var roles []string // nil, empty, or up to two roles
		if nroles%4 > 0 {
			roles = []string{role1, role2}[:nroles%4-1]
		}
		checkUserJSON(t, u, roles)
	})
}
