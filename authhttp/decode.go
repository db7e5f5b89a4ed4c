package authhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// fieldError is one entry of a 422 body in the shape FastAPI gives to
// request-validation failures, so clients written for it parse ours.
type fieldError struct {
	Type  string         `json:"type"`
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx,omitempty"`
}

// fieldErrors is a 422 whose detail is the list.
type fieldErrors struct{ list []fieldError }

func (e *fieldErrors) Error() string {
	msgs := make([]string, len(e.list))
	for i, f := range e.list {
		msgs[i] = f.Msg
	}
	return "authhttp: invalid request: " + strings.Join(msgs, "; ")
}

// body is a decoded JSON request body, read field by field. Problems pile
// up in errs, so one answer lists all of them.
type body struct {
	fields map[string]json.RawMessage
	whole  any // the body as parsed, echoed as "input" of missing fields
	errs   []fieldError
}

// innermost unwraps w down to the writer net/http made. MaxBytesReader
// tells that writer when the limit is hit, through a method only net/http's
// own writer has, so that the connection is closed instead of the rest of
// the body being read; a wrapper such as statusWriter would hide it.
func innermost(w http.ResponseWriter) http.ResponseWriter {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return w
		}
		w = u.Unwrap()
	}
}

// readBody reads the request body, at most h.maxBody bytes, as a JSON
// object. An absent body is an error unless optional, in which case it
// reads as {}.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, optional bool) (*body, error) {
	data, err := io.ReadAll(http.MaxBytesReader(innermost(w), r.Body, h.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errBodyTooLarge
		}
		// A body that breaks off, is badly framed (a bad chunk size) or
		// does not arrive in time is the client's fault, not the server's.
		return nil, errBodyUnreadable
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if optional {
			return &body{fields: map[string]json.RawMessage{}, whole: map[string]any{}}, nil
		}
		return nil, &fieldErrors{[]fieldError{{Type: "missing", Loc: []any{"body"}, Msg: "Field required", Input: nil}}}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONType(ct) {
		return nil, &fieldErrors{[]fieldError{{Type: "model_attributes_type", Loc: []any{"body"},
			Msg: "Input should be a valid dictionary or object to extract fields from", Input: truncateInput(string(data))}}}
	}
	var whole any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	err = dec.Decode(&whole)
	offset := dec.InputOffset()
	reason := ""
	if err != nil {
		reason = err.Error()
	} else if rest := bytes.TrimLeft(data[offset:], " \t\r\n"); len(rest) > 0 {
		// Anything but JSON white space after the value, a stray "}"
		// included (which Decoder.More does not report), is Python's
		// "Extra data", at the first byte of it.
		reason = "Extra data"
		offset = int64(len(data) - len(rest))
	}
	if reason != "" {
		return nil, &fieldErrors{[]fieldError{{Type: "json_invalid", Loc: []any{"body", offset},
			Msg: "JSON decode error", Input: map[string]any{}, Ctx: map[string]any{"error": reason}}}}
	}
	obj, ok := whole.(map[string]any)
	if !ok {
		return nil, &fieldErrors{[]fieldError{{Type: "model_attributes_type", Loc: []any{"body"},
			Msg: "Input should be a valid dictionary or object to extract fields from", Input: whole}}}
	}
	fields := make(map[string]json.RawMessage, len(obj))
	for k, v := range obj {
		raw, _ := json.Marshal(v)
		fields[k] = raw
	}
	return &body{fields: fields, whole: obj}, nil
}

// isJSONType accepts application/json and application/*+json.
func isJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// truncateInput keeps echoed input small.
func truncateInput(s string) string {
	const max = 256
	if len(s) <= max {
		return s
	}
	for i := max; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}

// value decodes field name as JSON into an any, for echoing.
func (b *body) value(name string) any {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b.fields[name]))
	dec.UseNumber()
	dec.Decode(&v)
	return v
}

// str reads a required string field.
func (b *body) str(name string) string {
	s, _ := b.optStr(name, true)
	if s == nil {
		return ""
	}
	return *s
}

// optStr reads an optional string field: nil when absent or null. With
// required set, absence and null are errors.
func (b *body) optStr(name string, required bool) (*string, bool) {
	raw, present := b.fields[name]
	if !present || string(raw) == "null" {
		if required {
			if present {
				b.errs = append(b.errs, fieldError{Type: "string_type", Loc: []any{"body", name}, Msg: "Input should be a valid string", Input: nil})
			} else {
				b.errs = append(b.errs, fieldError{Type: "missing", Loc: []any{"body", name}, Msg: "Field required", Input: b.whole})
			}
		}
		return nil, present
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		b.errs = append(b.errs, fieldError{Type: "string_type", Loc: []any{"body", name}, Msg: "Input should be a valid string", Input: b.value(name)})
		return nil, true
	}
	return &s, true
}

// email reads a required email field, validated the way pydantic's
// EmailStr does (a subset of its rules, with its messages).
func (b *body) email(name string) string {
	s, _ := b.optStr(name, true)
	if s == nil {
		return ""
	}
	if reason := emailProblem(*s); reason != "" {
		b.errs = append(b.errs, fieldError{Type: "value_error", Loc: []any{"body", name},
			Msg: "value is not a valid email address: " + reason, Input: *s, Ctx: map[string]any{"reason": reason}})
		return ""
	}
	return *s
}

// err returns the collected problems, or nil.
func (b *body) err() error {
	if len(b.errs) == 0 {
		return nil
	}
	return &fieldErrors{b.errs}
}

// emailProblem explains why s is not an email address, or returns "".
func emailProblem(s string) string {
	if strings.Count(s, "@") == 0 {
		return "An email address must have an @-sign."
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	switch {
	case local == "":
		return "There must be something before the @-sign."
	case domain == "":
		return "There must be something after the @-sign."
	case strings.Contains(local, "@"):
		return "The email address is not valid. It must have exactly one @-sign."
	case len(s) > 254:
		return "The email address is too long."
	case len(local) > 64:
		return "The email address is too long before the @-sign."
	}
	for _, r := range local {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`()<>[]:;,\"`, r) {
			return "The email address contains invalid characters before the @-sign."
		}
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "The email address contains a period in an invalid position before the @-sign."
	}
	if !strings.Contains(domain, ".") {
		return "The part after the @-sign is not valid. It should have a period."
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" {
			return "An email address cannot have a period in an invalid position after the @-sign."
		}
		if strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return "An email address cannot have a hyphen immediately before or after a period."
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f && r != utf8.RuneError) {
				return "The part after the @-sign contains invalid characters."
			}
		}
	}
	return ""
}
