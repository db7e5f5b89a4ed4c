package fullauth

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// validText reports whether s can be stored in every supported database:
// valid UTF-8 without NUL.
func validText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func itoa(n int) string { return strconv.Itoa(n) }
