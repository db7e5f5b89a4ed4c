package authhttp

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// DefaultHSTS is the Strict-Transport-Security value [SecureHeaders] sends
// over HTTPS unless configured otherwise.
const DefaultHSTS = "max-age=31536000; includeSubDomains"

// SecureHeadersConfig configures [SecureHeaders]. The zero value gives the
// reference's headers (CONTRACT §16.2).
type SecureHeadersConfig struct {
	// HSTS is the Strict-Transport-Security value. Default [DefaultHSTS].
	HSTS string
	// DisableHSTS never sends Strict-Transport-Security.
	DisableHSTS bool
	// Custom adds headers or overrides the defaults, by header name (any
	// case). An empty value drops that default header. An entry for
	// Strict-Transport-Security replaces the HSTS value (still sent over
	// HTTPS only), or with an empty value turns HSTS off.
	Custom map[string]string
	// IgnoreForwardedProto stops X-Forwarded-Proto from counting as
	// evidence of HTTPS, leaving only a TLS connection to this server.
	//
	// By default, like the reference, the first comma-separated value of
	// X-Forwarded-Proto is trusted from any client, so HSTS works behind a
	// TLS-terminating proxy. A client can spoof the header, but that only
	// adds HSTS to a plain-http answer, which browsers ignore there (RFC
	// 6797 §8.1). Set this when no proxy in front sets the header.
	IgnoreForwardedProto bool
}

// SecureHeaders returns middleware that sets, on every response, the
// security headers of CONTRACT §16.2:
//
//	X-Content-Type-Options: nosniff
//	X-Frame-Options: DENY
//	X-XSS-Protection: 0
//	Referrer-Policy: strict-origin-when-cross-origin
//	Permissions-Policy: geolocation=(), camera=(), microphone=()
//
// plus Strict-Transport-Security when the request came over TLS
// (r.TLS != nil) or its X-Forwarded-Proto says "https" (see
// [SecureHeadersConfig.IgnoreForwardedProto]).
//
// The headers are set, overwriting any earlier value, before next runs,
// so they are on every answer next gives, errors and 404s included, and a
// handler that needs a different value for one response (a page meant to
// be framed, say) can still change it.
//
// SecureHeaders panics if a Custom header name is not a valid header
// name, or a value holds a control character; it is configuration fixed
// at startup.
func SecureHeaders(c SecureHeadersConfig) func(http.Handler) http.Handler {
	type header struct{ name, value string }
	set := []header{
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"X-Xss-Protection", "0"},
		{"Referrer-Policy", "strict-origin-when-cross-origin"},
		{"Permissions-Policy", "geolocation=(), camera=(), microphone=()"},
	}
	hsts := c.HSTS
	if hsts == "" {
		hsts = DefaultHSTS
	}
	names := make([]string, 0, len(c.Custom))
	for name := range c.Custom {
		names = append(names, name)
	}
	slices.Sort(names) // names differing only in case apply in a fixed order
	for _, name := range names {
		value := c.Custom[name]
		if !isHTTPToken(name) {
			panic(fmt.Sprintf("authhttp: SecureHeaders: %q is not a valid header name", name))
		}
		key := http.CanonicalHeaderKey(name)
		if key == "Strict-Transport-Security" {
			hsts = value
			continue
		}
		i := slices.IndexFunc(set, func(h header) bool { return h.name == key })
		switch {
		case value == "" && i >= 0:
			set = slices.Delete(set, i, i+1)
		case value == "":
		case i >= 0:
			set[i].value = value
		default:
			set = append(set, header{key, value})
		}
	}
	if c.DisableHSTS {
		hsts = ""
	}
	for _, h := range set {
		checkHeaderValue(h.name, h.value)
	}
	checkHeaderValue("Strict-Transport-Security", hsts)
	trustProto := !c.IgnoreForwardedProto
	// The keys are canonical and the values immutable, so each response
	// gets the prepared slices without re-canonicalising or allocating;
	// the three-index slices make any later Add copy instead of writing
	// into the shared array.
	values := make([][]string, len(set))
	for i, h := range set {
		values[i] = []string{h.value}[:1:1]
	}
	hstsValue := []string{hsts}[:1:1]
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for i, s := range set {
				h[s.name] = values[i]
			}
			if hsts != "" && isHTTPS(r, trustProto) {
				h["Strict-Transport-Security"] = hstsValue
			}
			next.ServeHTTP(w, r)
		})
	}
}

// checkHeaderValue panics if value holds a control character other than
// tab.
func checkHeaderValue(name, value string) {
	if strings.ContainsFunc(value, func(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }) {
		panic(fmt.Sprintf("authhttp: SecureHeaders: the value of %s holds a control character", name))
	}
}

// isHTTPS reports whether r reached us over TLS, or, when trustProto, its
// X-Forwarded-Proto's first value is "https".
func isHTTPS(r *http.Request, trustProto bool) bool {
	if r.TLS != nil {
		return true
	}
	if !trustProto {
		return false
	}
	v := r.Header["X-Forwarded-Proto"] // Header.Get without canonicalising
	if len(v) == 0 {
		return false
	}
	first, _, _ := strings.Cut(v[0], ",")
	return strings.EqualFold(strings.TrimSpace(first), "https")
}
