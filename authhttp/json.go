package authhttp

import (
	"encoding/json"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/fullauth/fullauth"
)

// The bodies of the frequent answers, the user and {"detail": …}, are
// encoded by hand: through encoding/json they took about a tenth of the
// server's time in the handlers of GET /me. The output is byte for byte
// what json.Marshal gives (json_test.go checks it, fuzzing included); any
// other body goes through writeJSON.

// jsonContentType is the Content-Type of every body. Responses share the
// slice instead of allocating one in Header.Set; its capacity of one makes
// a later Header.Add copy it rather than write into it.
var jsonContentType = []string{"application/json"}[:1:1]

// writeJSON writes v as the JSON response body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"detail":"Internal Server Error"}`)
	}
	writeBody(w, status, data)
}

// writeBody writes data, a JSON document, as the response body.
func writeBody(w http.ResponseWriter, status int, data []byte) {
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(status)
	w.Write(data)
}

// writeDetail writes the {"detail": message} body.
func writeDetail(w http.ResponseWriter, status int, message string) {
	b := make([]byte, 0, len(`{"detail":""}`)+len(message))
	b = append(b, `{"detail":`...)
	b = appendString(b, message)
	writeBody(w, status, append(b, '}'))
}

// appendUserJSON appends what json.Marshal(NewUserJSON(u, roles)) gives.
func appendUserJSON(b []byte, u *fullauth.User, roles []string) []byte {
	// Room for the document unless strings need escapes, so that it takes
	// one allocation of about its size.
	n := len(`{"id":"","email":"","is_active":false,"is_verified":false,"is_superuser":false,"display_name":"","roles":[]}`) +
		len(u.ID) + len(u.Email) + len(u.DisplayName)
	for _, r := range roles {
		n += len(r) + len(`"",`)
	}
	b = slices.Grow(b, n)
	b = append(b, `{"id":`...)
	b = appendString(b, u.ID)
	b = append(b, `,"email":`...)
	b = appendString(b, u.Email)
	b = append(b, `,"is_active":`...)
	b = appendBool(b, u.Active)
	b = append(b, `,"is_verified":`...)
	b = appendBool(b, u.Verified)
	b = append(b, `,"is_superuser":`...)
	b = appendBool(b, u.Superuser)
	b = append(b, `,"display_name":`...)
	if u.DisplayName == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, u.DisplayName)
	}
	b = append(b, `,"roles":[`...)
	for i, r := range roles {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, r)
	}
	return append(b, "]}"...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendString appends s as a JSON string the way encoding/json writes
// it: <, > and & escaped for HTML, U+2028 and U+2029 escaped for JSONP,
// and each byte of invalid UTF-8 replaced by \ufffd.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
