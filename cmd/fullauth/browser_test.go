package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// browserDir holds the Node.js side of the browser tests (e2e/browser at
// the repository root), relative to this package's directory.
const browserDir = "../../e2e/browser"

// browserTimeout bounds one run of a browser script, Chromium included.
const browserTimeout = 90 * time.Second

// browserPage is the page the browser opens: it does nothing itself, it
// only gives the script an origin to call the API from.
const browserPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>fullauth browser test</title><link rel="icon" href="data:,"></head>
<body><p>fullauth cookie-session test page</p></body>
</html>
`

// browserTools returns the Chromium binary and the directory of the
// browser scripts, or skips the test when one of Chromium, Node.js and
// playwright-core is missing (fails instead under
// FULLAUTH_TEST_REQUIRE_SERVICES=1).
func browserTools(t *testing.T) (chromium, dir string) {
	t.Helper()
	dir, err := filepath.Abs(browserDir)
	if err != nil {
		t.Fatal(err)
	}
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	var missing []string
	if fi, err := os.Stat(chromium); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		missing = append(missing, "Chromium at "+chromium+" (install with `apt-get install chromium`, or set $CHROMIUM)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node on $PATH (install Node.js 20 or later)")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err != nil {
		missing = append(missing, "playwright-core in e2e/browser/node_modules (run `npm ci --prefix e2e/browser` at the repository root)")
	}
	if len(missing) > 0 {
		msg := "browser test needs: " + strings.Join(missing, "; ")
		if os.Getenv("FULLAUTH_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg + " (FULLAUTH_TEST_REQUIRE_SERVICES=1)")
		}
		t.Skip(msg)
	}
	return chromium, dir
}

// onLocalhost returns base with its host replaced by "localhost", port
// kept: pages and API must be on one site for SameSite=Lax cookies and for
// the page to read the CSRF cookie, and 127.0.0.1 and localhost are two
// different sites to a browser.
func onLocalhost(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = net.JoinHostPort("localhost", u.Port())
	return u.String()
}

// browserStep is one step of a browser script's JSON report.
type browserStep struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// browserReport is the JSON a browser script prints.
type browserReport struct {
	OK      bool            `json:"ok"`
	Browser string          `json:"browser"`
	Steps   []browserStep   `json:"steps"`
	Cookies json.RawMessage `json:"cookies"`
}

// runBrowserScript runs node script args in dir, within browserTimeout,
// and returns its parsed report. The script's own failures are reported
// step by step.
func runBrowserScript(t *testing.T, dir, script string, args ...string) browserReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join(dir, script)}, args...)...)
	cmd.Dir = dir
	// SIGTERM first: Playwright then closes Chromium before node exits;
	// SIGKILL only if that takes too long.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	var stderr syncBuffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	t.Logf("node %s: %v", script, time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil {
		t.Fatalf("node %s did not finish within %v:\nstdout:\n%s\nstderr:\n%s", script, browserTimeout, out, stderr.String())
	}
	var rep browserReport
	if jerr := json.Unmarshal(out, &rep); jerr != nil {
		t.Fatalf("node %s: %v; its output is not a JSON report (%v):\nstdout:\n%s\nstderr:\n%s", script, err, jerr, out, stderr.String())
	}
	failed := false
	for _, s := range rep.Steps {
		if !s.OK {
			failed = true
			t.Errorf("browser step %q failed: status %d: %s", s.Name, s.Status, s.Detail)
		}
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		t.Errorf("node %s exited with code %d", script, exit.ExitCode())
	case err != nil:
		t.Errorf("node %s: %v", script, err)
	}
	if !rep.OK {
		t.Errorf("browser report says ok=false")
	}
	if failed || err != nil || !rep.OK {
		t.Logf("report:\n%s\nstderr:\n%s", out, stderr.String())
	}
	return rep
}

// TestBrowserCookieSession drives `fullauth serve` with the cookie
// transport from real headless Chromium: a page on one origin
// (http://localhost:P2) calls the API on another origin of the same site
// (http://localhost:P1) with credentialed fetch, through CORS, the CSRF
// double-submit and HttpOnly cookies. The steps are in
// e2e/browser/cookie-session.mjs.
func TestBrowserCookieSession(t *testing.T) {
	chromium, dir := browserTools(t)

	pageSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(browserPage))
	}))
	t.Cleanup(pageSrv.Close)
	page := onLocalhost(t, pageSrv.URL)

	tmp := t.TempDir()
	p := startServe(t, tmp, map[string]string{
		"FULLAUTH_SECRET_KEY":           testSecret,
		"FULLAUTH_DATABASE_URL":         "sqlite:" + filepath.Join(tmp, "auth.db"),
		"FULLAUTH_COOKIE_TRANSPORT":     "true",
		"FULLAUTH_COOKIE_SECURE":        "false",
		"FULLAUTH_CORS_ORIGINS":         page,
		"FULLAUTH_CSRF_TRUSTED_ORIGINS": page,
	})
	api := onLocalhost(t, p.base)

	rep := runBrowserScript(t, dir, "cookie-session.mjs",
		"--api", api, "--page", page+"/", "--chromium", chromium)
	if !t.Failed() {
		t.Logf("%s: %d steps passed; cookies: %s", rep.Browser, len(rep.Steps), rep.Cookies)
	}
}
