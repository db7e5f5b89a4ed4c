package authhttp

import (
	"fmt"
	"strings"
)

// uuidField reads a required field typed as a UUID, as pydantic validates
// one for fastapi-fullauth (CONTRACT §3.4): a string in the simple (32
// hex digits), hyphenated, braced or urn:uuid: form, in any case. It
// returns the canonical lowercase hyphenated text, or "" after recording
// pydantic's error.
func (b *body) uuidField(name string) string {
	if _, present := b.fields[name]; !present {
		b.errs = append(b.errs, fieldError{Type: "missing", Loc: []any{"body", name}, Msg: "Field required", Input: b.whole})
		return ""
	}
	v := b.value(name)
	s, ok := v.(string)
	if !ok {
		b.errs = append(b.errs, fieldError{Type: "uuid_type", Loc: []any{"body", name},
			Msg: "UUID input should be a string, bytes or UUID object", Input: v})
		return ""
	}
	canonical, problem := parseUUID(s)
	if problem != "" {
		b.errs = append(b.errs, fieldError{Type: "uuid_parsing", Loc: []any{"body", name},
			Msg: "Input should be a valid UUID, " + problem, Input: s, Ctx: map[string]any{"error": problem}})
		return ""
	}
	return canonical
}

// uuidGroupEnds are where the hyphens of the hyphenated form sit.
var uuidGroupEnds = [4]int{8, 13, 18, 23}

// parseUUID parses s as the Rust uuid crate under pydantic does and returns
// the canonical text, or "" and the crate's description of what is wrong.
func parseUUID(s string) (canonical, problem string) {
	var hex string
	switch {
	case len(s) == 32:
		hex = s
	case len(s) == 36 && hyphenated(s):
		hex = strings.ReplaceAll(s, "-", "")
	case len(s) == 38 && s[0] == '{' && s[37] == '}' && hyphenated(s[1:37]):
		hex = strings.ReplaceAll(s[1:37], "-", "")
	case len(s) == 45 && strings.HasPrefix(s, "urn:uuid:") && hyphenated(s[9:]):
		hex = strings.ReplaceAll(s[9:], "-", "")
	}
	if hex != "" && isHex(hex) {
		h := strings.ToLower(hex)
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], ""
	}
	return "", uuidProblem(s)
}

func hyphenated(s string) bool {
	for _, i := range uuidGroupEnds {
		if s[i] != '-' {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// uuidProblem describes why s is not a UUID, in the uuid crate's words
// (its InvalidUuid::into_err): the first character that cannot be in one,
// else a wrong number of groups, else the first group of the wrong length.
func uuidProblem(s string) string {
	body, offset, simple := s, 0, true
	switch {
	case len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}':
		body, offset, simple = s[1:len(s)-1], 1, false
	case strings.HasPrefix(s, "urn:uuid:"):
		body, offset, simple = s[9:], 9, false
	}
	hyphens := 0
	var bounds [4]int
	for i, c := range body {
		switch {
		case c == '-':
			if hyphens < 4 {
				bounds[hyphens] = i
			}
			hyphens++
		case c >= 0x80 || !isHex(string(c)):
			return fmt.Sprintf("invalid character: found `%c` at %d", c, i+offset+1)
		}
	}
	switch {
	case hyphens == 0 && simple:
		return fmt.Sprintf("invalid length: expected length 32 for simple format, found %d", len(s))
	case hyphens != 4:
		return fmt.Sprintf("invalid group count: expected 5, found %d", hyphens+1)
	}
	starts := [5]int{0, 9, 14, 19, 24}
	lengths := [5]int{8, 4, 4, 4, 12}
	for g := range 4 {
		if bounds[g] != starts[g+1]-1 {
			return fmt.Sprintf("invalid group length in group %d: expected %d, found %d", g, lengths[g], bounds[g]-starts[g])
		}
	}
	return fmt.Sprintf("invalid group length in group 4: expected 12, found %d", len(s)-starts[4])
}
