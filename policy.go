package fullauth

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxPasswordBytes is the longest password accepted. Longer ones are
// refused before hashing: hashing megabytes is a denial-of-service vector.
const MaxPasswordBytes = 1024

// maxBcryptBytes is where bcrypt silently stops reading; we refuse instead.
const maxBcryptBytes = 72

const specialChars = `!@#$%^&*(),.?":{}|<>`

// Violations returns the rules of the policy that pw breaks, as the
// messages of CONTRACT §10.2 in their fixed order; none means acceptable.
func (p PasswordPolicy) Violations(pw string) []string {
	var out []string
	minLen := p.MinLength
	if minLen == 0 {
		minLen = 8
	}
	if utf8.RuneCountInString(pw) < minLen {
		out = append(out, "Password must be at least "+strconv.Itoa(minLen)+" characters")
	}
	if p.RequireUppercase && !strings.ContainsFunc(pw, func(r rune) bool { return 'A' <= r && r <= 'Z' }) {
		out = append(out, "Password must contain at least one uppercase letter")
	}
	if p.RequireLowercase && !strings.ContainsFunc(pw, func(r rune) bool { return 'a' <= r && r <= 'z' }) {
		out = append(out, "Password must contain at least one lowercase letter")
	}
	if p.RequireDigit && !strings.ContainsFunc(pw, isDigit) {
		out = append(out, "Password must contain at least one digit")
	}
	if p.RequireSpecial && !strings.ContainsAny(pw, specialChars) {
		out = append(out, "Password must contain at least one special character")
	}
	for _, b := range p.Blocked {
		if strings.EqualFold(b, pw) {
			out = append(out, "This password is too common")
			break
		}
	}
	return out
}

// isDigit matches Python's \d: any Unicode decimal digit.
func isDigit(r rune) bool { return unicode.IsDigit(r) }

// checkNewPassword applies the policy and the length caps to a password
// about to be hashed.
func (a *Auth) checkNewPassword(pw string) error {
	if len(pw) <= MaxPasswordBytes {
		if v := a.cfg.PasswordPolicy.Violations(pw); len(v) > 0 {
			return &ValidationError{Field: "password", Message: strings.Join(v, "; ")}
		}
	}
	return a.checkHashable(pw)
}

// checkHashable refuses passwords the hasher must not see: over 1024 bytes
// for any algorithm, over 72 bytes for bcrypt, which would silently ignore
// the rest.
func (a *Auth) checkHashable(pw string) error {
	if len(pw) > MaxPasswordBytes {
		return &ValidationError{Field: "password", Message: "Password must be at most " + strconv.Itoa(MaxPasswordBytes) + " bytes"}
	}
	if a.cfg.PasswordHashAlgorithm == "bcrypt" && len(pw) > maxBcryptBytes {
		return &ValidationError{Field: "password", Message: "bcrypt passwords must be at most 72 bytes when UTF-8 encoded. Use argon2id for longer passwords."}
	}
	return nil
}
