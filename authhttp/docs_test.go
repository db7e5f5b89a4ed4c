package authhttp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var nonceInCSP = regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9+/_-]+=*)'; style-src 'nonce-([A-Za-z0-9+/_-]+=*)'`)

func serveDocs(t *testing.T, specURL, method string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	DocsPage(specURL).ServeHTTP(rec, httptest.NewRequest(method, "/docs", nil))
	return rec
}

func TestDocsPageHeaders(t *testing.T) {
	rec := serveDocs(t, "/openapi.json", "GET")
	if rec.Code != 200 {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	h := rec.Header()
	for name, want := range map[string]string{
		"Content-Type":           "text/html; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Cache-Control":          "no-store",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	csp := h.Get("Content-Security-Policy")
	m := nonceInCSP.FindStringSubmatch(csp)
	if m == nil || m[1] != m[2] || len(m[1]) < 22 {
		t.Fatalf("Content-Security-Policy = %q, want one nonce of at least 128 bits for script and style", csp)
	}
	for _, want := range []string{"default-src 'none'", "connect-src 'self';", "base-uri 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy = %q, want %q in it", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("Content-Security-Policy = %q allows unsafe sources", csp)
	}
	body := rec.Body.String()
	nonce := m[1]
	if got := strings.Count(body, `nonce="`+nonce+`"`); got != 2 {
		t.Errorf("tags with the response's nonce = %d, want 2 (style and script)", got)
	}
	if got := strings.Count(body, "<script"); got != 1 {
		t.Errorf("script tags = %d, want 1", got)
	}
	for _, external := range []string{"src=", "http://", "https://", "@import", "url("} {
		if strings.Contains(body, external) {
			t.Errorf("page contains %q: it must load nothing from elsewhere", external)
		}
	}
	if strings.Contains(body, "innerHTML") {
		t.Error("page uses innerHTML")
	}

	again := serveDocs(t, "/openapi.json", "GET")
	if n := nonceInCSP.FindStringSubmatch(again.Header().Get("Content-Security-Policy")); n == nil || n[1] == nonce {
		t.Errorf("two responses share the nonce %q", nonce)
	}
	head := serveDocs(t, "/openapi.json", "HEAD")
	if head.Code != 200 || head.Body.Len() != 0 {
		t.Errorf("HEAD = %d with %d bytes, want 200 and no body", head.Code, head.Body.Len())
	}
	post := serveDocs(t, "/openapi.json", "POST")
	if post.Code != 405 || post.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST = %d Allow %q, want 405 Allow GET, HEAD", post.Code, post.Header().Get("Allow"))
	}
}

func TestDocsPageEscapesSpecURL(t *testing.T) {
	hostile := `/openapi.json?a=</script><script>alert(1)</script>&b="'` + "\u2028"
	body := serveDocs(t, hostile, "GET").Body.String()
	if strings.Contains(body, "alert(1)</script>") || strings.Contains(body, `<script>alert`) {
		t.Fatal("the spec URL reached the page unescaped")
	}
	// In the script, a JavaScript string literal (here also valid JSON)
	// with no character that could end the script element.
	_, rest, _ := strings.Cut(body, "var specURL = ")
	literal, _, _ := strings.Cut(rest, ";\n")
	var got string
	if err := json.Unmarshal([]byte(literal), &got); err != nil || got != hostile {
		t.Errorf("specURL literal %s decodes to %q (%v), want %q", literal, got, err, hostile)
	}
	if strings.ContainsAny(literal, "<>&\u2028") {
		t.Errorf("specURL literal %s holds characters that could end the script", literal)
	}
	// In the link, an attribute value.
	if !strings.Contains(body, `href="/openapi.json?a=%3c/script%3e%3cscript%3ealert%281%29%3c/script%3e&amp;b=%22%27%e2%80%a8"`) {
		t.Error("spec URL not escaped in the link")
	}

	csp := serveDocs(t, "javascript:alert(1)", "GET")
	if got := csp.Header().Get("Content-Security-Policy"); !strings.Contains(got, "connect-src 'self';") {
		t.Errorf("CSP for a javascript: URL = %q, want connect-src 'self' only", got)
	}
	if strings.Contains(csp.Body.String(), `href="javascript:`) {
		t.Error("a javascript: spec URL became a live link")
	}
}

func TestDocsPageOtherOrigin(t *testing.T) {
	got := serveDocs(t, "https://api.example.com:8443/openapi.json", "GET").Header().Get("Content-Security-Policy")
	if !strings.Contains(got, "connect-src 'self' https://api.example.com:8443;") {
		t.Errorf("CSP = %q, want the spec's origin in connect-src", got)
	}
	got = serveDocs(t, "https://evil.example;script-src *", "GET").Header().Get("Content-Security-Policy")
	if strings.Contains(got, "evil") {
		t.Errorf("CSP = %q, want a malformed host left out", got)
	}
}

// fakeDOM is just enough DOM for the page's script to run under Node.
const fakeDOM = `
"use strict";
const fs = require("fs");
const SPEC = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const OUT = process.argv[3];
class Node {
  constructor(tag) { this.tagName = tag; this.children = []; this.className = ""; this._text = null; }
  appendChild(c) { if (!(c instanceof Node)) throw new Error("appendChild of a non-node"); this.children.push(c); return c; }
  set textContent(v) { this._text = String(v); this.children = []; }
  get textContent() { return this._text !== null ? this._text + this.children.map(c => c.textContent).join("") : this.children.map(c => c.textContent).join(""); }
}
const byId = {};
global.document = {
  title: "",
  createElement: t => new Node(t),
  createTextNode: s => { const n = new Node("#text"); n._text = String(s); return n; },
  getElementById: id => byId[id] || (byId[id] = new Node("div")),
};
global.fetch = () => Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve(SPEC) });
function walk(n, out) {
  if (n.className) out.push({ cls: n.className, text: n.textContent });
  n.children.forEach(c => walk(c, out));
  return out;
}
process.on("exit", () => {
  const out = walk(byId.ops || new Node("div"), []);
  out.push({ cls: "status", text: byId.status ? byId.status.textContent : "" });
  out.push({ cls: "title", text: document.title });
  fs.writeFileSync(OUT, JSON.stringify(out));
});
`

// TestDocsPageRenders runs the page's script under Node with a minimal DOM
// and the real document, and checks that every operation is rendered.
func TestDocsPageRenders(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	d := newDocServer(t, nil, Options{})
	spec, err := d.h.OpenAPI(docPrefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	page := serveDocs(t, "/openapi.json", "GET").Body.String()
	start := strings.Index(page, "<script")
	start += strings.Index(page[start:], ">") + 1
	end := strings.Index(page, "</script>")
	dir := t.TempDir()
	script := filepath.Join(dir, "page.js")
	specFile := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(script, []byte(fakeDOM+page[start:end]), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(specFile, spec, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	outFile := filepath.Join(dir, "rendered.json")
	if _, err := exec.CommandContext(ctx, node, script, specFile, outFile).Output(); err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("node: %v\n%s", err, stderr)
	}
	out, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	var nodes []struct{ Cls, Text string }
	if err := json.Unmarshal(out, &nodes); err != nil {
		t.Fatalf("node output: %v", err)
	}
	count := map[string]int{}
	var ops []string
	var status, title string
	for _, n := range nodes {
		count[n.Cls]++
		switch n.Cls {
		case "op":
			ops = append(ops, n.Text)
		case "status":
			status = n.Text
		case "title":
			title = n.Text
		}
	}
	routes := d.h.Routes()
	if len(ops) != len(routes) {
		t.Errorf("rendered %d operations, want %d; status %q", len(ops), len(routes), status)
	}
	if !strings.HasPrefix(status, strconv.Itoa(len(d.h.Routes()))+" operations") || title != "FullAuth — API documentation" {
		t.Errorf("status %q, title %q", status, title)
	}
	secured := 0
	for _, rt := range routes {
		doc := operations[rt.Method+" "+rt.Path]
		if rt.Auth || doc.token {
			secured++
		}
		found := false
		for _, op := range ops {
			if strings.HasPrefix(op, rt.Method+docPrefix+rt.Path+doc.summary) && strings.Contains(op, "operationId: "+doc.id) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s %s (%s) not rendered", rt.Method, rt.Path, doc.summary)
		}
	}
	if count["lock"] != secured {
		t.Errorf("locks = %d, want %d", count["lock"], secured)
	}
	if count["resp"] < 50 || count["schema"] < 100 || count["req"] == 0 {
		t.Errorf("rendered %d responses, %d schemas, %d required marks: too few", count["resp"], count["schema"], count["req"])
	}
	for _, op := range ops {
		if strings.HasPrefix(op, "POST"+docPrefix+"/login") {
			for _, want := range []string{"LoginRequest", "LoginResponse", "Cache-Control", "UserJSON", "WWW-Authenticate", "HTTPValidationError", "ValidationError"} {
				if !strings.Contains(op, want) {
					t.Errorf("POST /login lacks %q: %s", want, op)
				}
			}
		}
	}
}

// TestDocsPageInChromium loads the page in headless Chromium, under its
// real Content-Security-Policy, and checks the DOM the script built.
func TestDocsPageInChromium(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("no " + chromium)
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
	d := newDocServer(t, withRateLimits, Options{})
	spec, err := d.h.OpenAPI(docPrefix, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(spec)
	})
	mux.Handle("GET /docs", DocsPage("/openapi.json"))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=10000", "--dump-dom", srv.URL+"/docs")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := string(out)
	if !strings.Contains(dom, `id="status">`+strconv.Itoa(len(d.h.Routes()))+` operations.`) {
		t.Fatalf("the page did not render the document (blocked script or fetch?):\n%s", dom)
	}
	if got := strings.Count(dom, `<details class="op">`); got != len(d.h.Routes()) {
		t.Errorf("operations in the DOM = %d, want %d", got, len(d.h.Routes()))
	}
	secured := 0
	for _, rt := range d.h.Routes() {
		if rt.Auth || operations[rt.Method+" "+rt.Path].token {
			secured++
		}
	}
	if got := strings.Count(dom, `class="lock" title="Needs an access token">HTTPBearer</span>`); got != secured {
		t.Errorf("locks in the DOM = %d, want %d", got, secured)
	}
	for _, rt := range d.h.Routes() {
		if !strings.Contains(dom, `<code class="path">`+docPrefix+rt.Path+`</code>`) {
			t.Errorf("%s %s missing from the DOM", rt.Method, rt.Path)
		}
	}
}
