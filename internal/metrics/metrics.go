// Package metrics counts what the server does and serves the counts in the
// Prometheus text exposition format, version 0.0.4, written by hand so that
// the server needs no client library.
//
// A [Registry] learns about requests through [Registry.Observe], which has
// the signature of authhttp.Options.Observe, and about locked accounts
// through [Registry.Lockout]. From the route and status of each answer it
// derives the login and refresh outcomes and the rate-limit rejections.
// [Registry.Handler] serves the text on GET /metrics.
package metrics

import (
	"bytes"
	"maps"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Routes whose answers are also counted by outcome.
const (
	loginRoute   = "POST /login"
	refreshRoute = "POST /refresh"
)

// buckets are the upper bounds, in seconds, of the request-duration
// histogram: from a cache hit to a slow password hash behind a busy pool.
var buckets = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Outcomes of a login or refresh, by status: 2xx success, 401 failure
// (rejected credentials or token), 429 rate_limited, 5xx error, and invalid
// for the other client errors (malformed or oversized bodies).
const (
	success = iota
	failure
	invalid
	rateLimited
	errored
	numOutcomes
)

var outcomes = [numOutcomes]string{success: "success", failure: "failure", invalid: "invalid", rateLimited: "rate_limited", errored: "error"}

func outcome(status int) int {
	switch {
	case status >= 200 && status < 300:
		return success
	case status == http.StatusUnauthorized:
		return failure
	case status == http.StatusTooManyRequests:
		return rateLimited
	case status >= 500:
		return errored
	default:
		return invalid
	}
}

// processStart stands for the start of the process: the time this package
// was initialised. It never changes.
var processStart = time.Now()

// Registry holds the counters. Its methods are safe for concurrent use.
// Build it with [New].
//
// Observe runs on every API request, so it takes no lock once a route and
// status have been seen: the counters are atomic, and the maps leading to
// them are replaced, never changed, when a new route or status appears.
type Registry struct {
	version string

	mu        sync.Mutex // serialises replacing routes and route.statuses
	routes    atomic.Pointer[map[string]*route]
	logins    [numOutcomes]atomic.Uint64
	refreshes [numOutcomes]atomic.Uint64
	lockouts  atomic.Uint64
}

// route holds the counters of one route pattern.
type route struct {
	// counts are per bucket (not cumulated; the last one is above every
	// bound), sumNanos their sum.
	counts   [len(buckets) + 1]atomic.Uint64
	sumNanos atomic.Int64
	limited  atomic.Uint64
	statuses atomic.Pointer[map[int]*atomic.Uint64]
}

// New returns an empty Registry; version is reported by fullauth_build_info.
func New(version string) *Registry {
	r := &Registry{version: version}
	r.routes.Store(&map[string]*route{})
	return r
}

// Observe records one answered request: its route pattern ("POST /login"),
// status and duration. It fits authhttp.Options.Observe.
func (r *Registry) Observe(pattern string, status int, elapsed time.Duration) {
	elapsed = max(elapsed, 0)
	rt := r.route(pattern)
	if n := (*rt.statuses.Load())[status]; n != nil {
		n.Add(1)
	} else {
		r.addStatus(rt, status)
	}
	rt.counts[sort.SearchFloat64s(buckets[:], elapsed.Seconds())].Add(1)
	rt.sumNanos.Add(int64(elapsed))
	switch pattern {
	case loginRoute:
		r.logins[outcome(status)].Add(1)
	case refreshRoute:
		r.refreshes[outcome(status)].Add(1)
	}
	if status == http.StatusTooManyRequests {
		rt.limited.Add(1)
	}
}

// route returns the counters of pattern, adding them on first sight.
func (r *Registry) route(pattern string) *route {
	if rt := (*r.routes.Load())[pattern]; rt != nil {
		return rt
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := *r.routes.Load()
	if rt := old[pattern]; rt != nil {
		return rt
	}
	rt := new(route)
	rt.statuses.Store(&map[int]*atomic.Uint64{})
	routes := maps.Clone(old)
	routes[pattern] = rt
	r.routes.Store(&routes)
	return rt
}

// addStatus counts the first request of rt with status, unless another
// goroutine got there first. A status appears with its first count, so a
// scrape never shows a zero.
func (r *Registry) addStatus(rt *route, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := *rt.statuses.Load()
	if n := old[status]; n != nil {
		n.Add(1)
		return
	}
	n := new(atomic.Uint64)
	n.Store(1)
	statuses := maps.Clone(old)
	statuses[status] = n
	rt.statuses.Store(&statuses)
}

// Lockout records that failed logins locked an identifier.
func (r *Registry) Lockout() {
	r.lockouts.Add(1)
}

// Handler serves the metrics in the Prometheus text format.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body := r.text()
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("Cache-Control", "no-store")
		if req.Method == http.MethodGet {
			w.Write(body)
		}
	})
}

// snapshot is a copy of the counters. Requests that are being recorded
// while it is taken may show in some counters and not yet in others.
type snapshot struct {
	requests  []requestCount
	durations []routeHistogram
	logins    [numOutcomes]uint64
	refreshes [numOutcomes]uint64
	limited   []routeCount
	lockouts  uint64
}

type requestCount struct {
	route  string
	status int
	n      uint64
}

// routeHistogram is a route's histogram: counts per bucket (not
// cumulated) and their sum.
type routeHistogram struct {
	route    string
	counts   [len(buckets) + 1]uint64
	sumNanos int64
}

type routeCount struct {
	route string
	n     uint64
}

func (r *Registry) snapshot() snapshot {
	s := snapshot{lockouts: r.lockouts.Load()}
	for i := range numOutcomes {
		s.logins[i] = r.logins[i].Load()
		s.refreshes[i] = r.refreshes[i].Load()
	}
	for name, rt := range *r.routes.Load() {
		for status, n := range *rt.statuses.Load() {
			s.requests = append(s.requests, requestCount{name, status, n.Load()})
		}
		h := routeHistogram{route: name, sumNanos: rt.sumNanos.Load()}
		var total uint64
		for i := range h.counts {
			h.counts[i] = rt.counts[i].Load()
			total += h.counts[i]
		}
		// A route just added has no observation yet; it shows once it has.
		if total > 0 {
			s.durations = append(s.durations, h)
		}
		if n := rt.limited.Load(); n > 0 {
			s.limited = append(s.limited, routeCount{name, n})
		}
	}

	slices.SortFunc(s.requests, func(a, b requestCount) int {
		if c := strings.Compare(a.route, b.route); c != 0 {
			return c
		}
		return a.status - b.status
	})
	slices.SortFunc(s.durations, func(a, b routeHistogram) int { return strings.Compare(a.route, b.route) })
	slices.SortFunc(s.limited, func(a, b routeCount) int { return strings.Compare(a.route, b.route) })
	return s
}

// text renders every family, sorted by name, samples in a stable order.
func (r *Registry) text() []byte {
	s := r.snapshot()
	var b bytes.Buffer

	family(&b, "fullauth_build_info", "gauge", "Build information; the value is always 1.")
	sample(&b, "fullauth_build_info", "1", "version", r.version, "goversion", runtime.Version())

	family(&b, "fullauth_http_request_duration_seconds", "histogram", "Time taken to answer API requests, by route.")
	for _, d := range s.durations {
		var cum uint64
		for i, bound := range buckets {
			cum += d.counts[i]
			sample(&b, "fullauth_http_request_duration_seconds_bucket", count(cum), "route", d.route, "le", formatFloat(bound))
		}
		cum += d.counts[len(buckets)]
		sample(&b, "fullauth_http_request_duration_seconds_bucket", count(cum), "route", d.route, "le", "+Inf")
		sample(&b, "fullauth_http_request_duration_seconds_sum", formatFloat(time.Duration(d.sumNanos).Seconds()), "route", d.route)
		sample(&b, "fullauth_http_request_duration_seconds_count", count(cum), "route", d.route)
	}

	family(&b, "fullauth_http_requests_total", "counter", "API requests answered, by route and status.")
	for _, rc := range s.requests {
		sample(&b, "fullauth_http_requests_total", count(rc.n), "route", rc.route, "status", strconv.Itoa(rc.status))
	}

	family(&b, "fullauth_lockouts_total", "counter", "Login identifiers locked after too many failed attempts.")
	sample(&b, "fullauth_lockouts_total", count(s.lockouts))

	family(&b, "fullauth_logins_total", "counter", "Password logins, by outcome: success, failure (rejected credentials), "+
		"invalid (malformed request), rate_limited, error.")
	for i, o := range outcomes {
		sample(&b, "fullauth_logins_total", count(s.logins[i]), "outcome", o)
	}

	family(&b, "fullauth_rate_limited_total", "counter", "Requests refused with 429 by a rate limit, by route.")
	for _, rc := range s.limited {
		sample(&b, "fullauth_rate_limited_total", count(rc.n), "route", rc.route)
	}

	family(&b, "fullauth_refreshes_total", "counter", "Token refreshes, by outcome: success, failure (rejected token), "+
		"invalid (malformed request), rate_limited, error.")
	for i, o := range outcomes {
		sample(&b, "fullauth_refreshes_total", count(s.refreshes[i]), "outcome", o)
	}

	family(&b, "go_goroutines", "gauge", "Number of goroutines that currently exist.")
	sample(&b, "go_goroutines", strconv.Itoa(runtime.NumGoroutine()))

	family(&b, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.")
	sample(&b, "process_start_time_seconds", formatFloat(float64(processStart.UnixMicro())/1e6))
	return b.Bytes()
}

// family writes the HELP and TYPE lines of a metric family.
func family(b *bytes.Buffer, name, typ, help string) {
	b.WriteString("# HELP " + name + " " + escapeHelp(help) + "\n")
	b.WriteString("# TYPE " + name + " " + typ + "\n")
}

// sample writes one sample line; labels are name, value pairs.
func sample(b *bytes.Buffer, name, value string, labels ...string) {
	b.WriteString(name)
	if len(labels) > 0 {
		b.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(labels[i] + `="` + escapeLabel(labels[i+1]) + `"`)
		}
		b.WriteByte('}')
	}
	b.WriteString(" " + value + "\n")
}

func count(n uint64) string { return strconv.FormatUint(n, 10) }

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// escapeLabel escapes a label value: backslash, double quote and line
// feed. Invalid UTF-8 becomes U+FFFD, as the format requires UTF-8.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(s string) string { return labelEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD")) }

// escapeHelp escapes HELP text: backslash and line feed.
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeHelp(s string) string { return helpEscaper.Replace(s) }
