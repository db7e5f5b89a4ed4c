package authhttp

import (
	"bytes"
	"crypto/rand"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
)

// DocsPage returns a handler serving an HTML page that fetches the OpenAPI
// document at specURL (as [Handler.OpenAPI] writes it) and renders every
// operation: method, path, summary, whether it needs a bearer token, the
// request body schema and each response with its headers and schema.
//
// The page is self-contained: its script and styles are inline, and it
// loads nothing else (no CDN, font or third-party code). Each response
// carries a Content-Security-Policy that allows only that inline script and
// style, by a fresh nonce, and connections to the page's origin (plus
// specURL's, if it names another).
func DocsPage(specURL string) http.Handler {
	connect := "'self'"
	if origin := originOf(specURL); origin != "" {
		connect += " " + origin
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		nonce := rand.Text()
		var buf bytes.Buffer
		if err := docsTemplate.Execute(&buf, struct{ Nonce, SpecURL string }{nonce, specURL}); err != nil {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+"'; "+
			"connect-src "+connect+"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(buf.Bytes())
		}
	})
}

// cspHost is what a host may look like to be put in a CSP source.
var cspHost = regexp.MustCompile(`^[A-Za-z0-9.-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$`)

// originOf returns the origin of an absolute http(s) URL, or "".
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !cspHost.MatchString(u.Host) {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

var docsTemplate = template.Must(template.New("docs").Parse(docsHTML))

// docsHTML is the page. The script builds the DOM with textContent only,
// never innerHTML, so nothing in the document can inject markup.
const docsHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>API documentation</title>
<style nonce="{{.Nonce}}">
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --bg: #fff; --panel: #f6f8fa; --line: #d0d7de; --code: #eff1f3; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #8d96a0; --bg: #0d1117; --panel: #161b22; --line: #30363d; --code: #1f242c; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 70rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h4 { margin: 1rem 0 .35rem; font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
code { background: var(--code); padding: 0 .25em; border-radius: 3px; }
a { color: #0969da; }
.meta { color: var(--muted); }
#status { color: var(--muted); }
#status.error { color: #cf222e; font-weight: 600; }
details.op { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; background: var(--panel); }
details.op > summary { cursor: pointer; padding: .5rem .75rem; display: flex; gap: .75rem; align-items: baseline; flex-wrap: wrap; list-style: none; }
details.op > summary::-webkit-details-marker { display: none; }
details.op[open] > summary { border-bottom: 1px solid var(--line); }
.opbody { padding: .25rem 1rem 1rem; background: var(--bg); border-radius: 0 0 6px 6px; }
.method { display: inline-block; min-width: 4.5rem; text-align: center; font-weight: 700; font-size: .8rem; padding: .1rem .4rem; border-radius: 4px; color: #fff; background: #6e7781; }
.m-get { background: #0969da; } .m-post { background: #1a7f37; } .m-patch { background: #9a6700; } .m-put { background: #8250df; } .m-delete { background: #cf222e; }
.path { font-weight: 600; background: none; }
.summary { color: var(--muted); }
.lock { position: relative; margin-left: auto; font-size: .8rem; border: 1px solid var(--line); border-radius: 999px; padding: 0 .6rem 0 1.5rem; color: var(--muted); }
.lock::before { content: ""; position: absolute; left: .6rem; top: 50%; width: .6rem; height: .45rem; margin-top: -.1rem; background: currentColor; border-radius: 1px; }
.lock::after { content: ""; position: absolute; left: .7rem; top: 50%; width: .4rem; height: .4rem; margin-top: -.45rem; border: 1.5px solid currentColor; border-bottom: 0; border-radius: .25rem .25rem 0 0; }
.opid { font-size: .8rem; color: var(--muted); }
details.resp { margin: .25rem 0; border-left: 3px solid var(--line); padding-left: .5rem; }
details.resp > summary { cursor: pointer; }
.status { font-weight: 700; font-family: ui-monospace, monospace; margin-right: .5rem; }
.s2 { color: #1a7f37; } .s4 { color: #9a6700; } .s5 { color: #cf222e; }
.schema { margin: .25rem 0 .25rem .25rem; }
.schema ul { list-style: none; margin: .15rem 0; padding-left: 1.1rem; border-left: 1px dotted var(--line); }
.schema li { margin: .15rem 0; }
.schema li > .schema { display: inline; margin: 0; }
.schema li > .schema > div { display: inline; margin-left: .4rem; }
.tname { color: #8250df; font-family: ui-monospace, monospace; font-size: .9em; }
.req { color: #cf222e; font-weight: 700; }
.desc { color: var(--muted); }
.constraint { font-size: .8rem; color: var(--muted); margin-left: .35rem; }
table.headers { border-collapse: collapse; margin: .25rem 0; font-size: .9em; }
table.headers td { border: 1px solid var(--line); padding: .15rem .5rem; }
</style>
</head>
<body>
<main>
<h1 id="title">API documentation</h1>
<p class="meta"><span id="version"></span> · <a id="raw" href="{{.SpecURL}}">OpenAPI document</a></p>
<p id="description"></p>
<p id="status">Loading…</p>
<div id="ops"></div>
</main>
<script nonce="{{.Nonce}}">
(function () {
  "use strict";
  var specURL = {{.SpecURL}};
  var METHODS = ["get", "put", "post", "patch", "delete", "head", "options", "trace"];
  var statusEl = document.getElementById("status");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function own(obj, key) { return obj !== null && typeof obj === "object" && Object.prototype.hasOwnProperty.call(obj, key); }

  // lookup follows a local "$ref" ("#/components/...") in spec.
  function lookup(spec, ref) {
    if (typeof ref !== "string" || ref.indexOf("#/") !== 0) return null;
    var cur = spec, parts = ref.slice(2).split("/");
    for (var i = 0; i < parts.length; i++) {
      var key = parts[i].replace(/~1/g, "/").replace(/~0/g, "~");
      if (!own(cur, key)) return null;
      cur = cur[key];
    }
    return cur;
  }
  function refName(ref) { return String(ref).split("/").pop(); }
  // deref resolves a chain of $refs, at most 16 deep.
  function deref(spec, obj) {
    for (var n = 0; n < 16 && own(obj, "$ref"); n++) obj = lookup(spec, obj.$ref) || {};
    return obj || {};
  }

  function typeText(s) {
    if (Array.isArray(s.type)) return s.type.join(" | ");
    if (s.type) return String(s.type);
    if (s.anyOf || s.oneOf) return "one of";
    if (s.allOf) return "all of";
    return "any";
  }
  function constraints(s) {
    var out = [];
    if (s.format) out.push("format: " + s.format);
    if (Array.isArray(s.enum)) out.push("one of: " + s.enum.map(function (v) { return JSON.stringify(v); }).join(", "));
    if (own(s, "const")) out.push("= " + JSON.stringify(s.const));
    ["minLength", "maxLength", "minimum", "maximum", "minItems", "maxItems", "pattern"].forEach(function (k) {
      if (own(s, k)) out.push(k + ": " + s[k]);
    });
    return out.join("; ");
  }

  // schemaNode renders schema s; stack holds the $refs being expanded, so a
  // recursive schema stops instead of looping.
  function schemaNode(spec, s, stack) {
    var box = el("div", "schema");
    var name = "";
    if (own(s, "$ref")) {
      name = refName(s.$ref);
      if (stack.indexOf(s.$ref) >= 0 || stack.length > 8) {
        add(box, el("span", "tname", name + " (see above)"));
        return box;
      }
      stack = stack.concat([s.$ref]);
      s = deref(spec, s);
    }
    var line = el("div");
    if (name) add(line, el("span", "tname", name), document.createTextNode(" "));
    add(line, el("span", "mono", typeText(s)));
    var c = constraints(s);
    if (c) add(line, el("span", "constraint", c));
    if (s.description) add(line, el("span", "desc", " — " + s.description));
    add(box, line);

    var alts = s.anyOf || s.oneOf || s.allOf;
    if (Array.isArray(alts)) {
      var ul = el("ul");
      alts.forEach(function (alt) { add(ul, add(el("li"), schemaNode(spec, alt, stack))); });
      add(box, ul);
    }
    if (own(s, "properties") && s.properties && typeof s.properties === "object") {
      var req = Array.isArray(s.required) ? s.required : [];
      var props = el("ul");
      Object.keys(s.properties).forEach(function (key) {
        var li = el("li");
        add(li, el("code", "", key));
        if (req.indexOf(key) >= 0) add(li, el("span", "req", "*"));
        add(li, schemaNode(spec, s.properties[key], stack));
        add(props, li);
      });
      add(box, props);
    }
    if (s.items && typeof s.items === "object") {
      add(box, add(el("ul"), add(el("li"), add(el("span", "desc", "items: ")), schemaNode(spec, s.items, stack))));
    }
    return box;
  }

  function contentNodes(spec, content) {
    var out = [];
    if (!content || typeof content !== "object") return out;
    Object.keys(content).forEach(function (mt) {
      var media = content[mt] || {};
      out.push(add(el("div", "meta"), el("span", "mono", mt)));
      if (media.schema) out.push(schemaNode(spec, media.schema, []));
    });
    return out;
  }

  function responseNode(spec, code, resp) {
    var name = own(resp, "$ref") ? refName(resp.$ref) : "";
    resp = deref(spec, resp);
    var d = el("details", "resp");
    var sum = el("summary");
    add(sum, el("span", "status s" + String(code).charAt(0), code), document.createTextNode(resp.description || name || ""));
    add(d, sum);
    if (resp.headers && typeof resp.headers === "object") {
      var names = Object.keys(resp.headers);
      if (names.length) {
        add(d, el("h4", "", "Headers"));
        var table = el("table", "headers");
        names.forEach(function (h) {
          var hd = deref(spec, resp.headers[h]);
          var row = el("tr");
          add(row, add(el("td"), el("code", "", h)), el("td", "mono", hd.schema ? typeText(deref(spec, hd.schema)) + (constraints(deref(spec, hd.schema)) ? " (" + constraints(deref(spec, hd.schema)) + ")" : "") : ""), el("td", "desc", hd.description || ""));
          add(table, row);
        });
        add(d, table);
      }
    }
    var body = contentNodes(spec, resp.content);
    if (body.length) add(d, el("h4", "", "Body"));
    body.forEach(function (n) { add(d, n); });
    if (!body.length) add(d, el("div", "desc", "No body."));
    return d;
  }

  function operationNode(spec, path, method, op) {
    var d = el("details", "op");
    var sum = el("summary");
    add(sum, el("span", "method m-" + method, method.toUpperCase()), el("code", "path", path), el("span", "summary", op.summary || ""));
    var security = Array.isArray(op.security) ? op.security : (Array.isArray(spec.security) ? spec.security : []);
    var schemes = [];
    security.forEach(function (req) { if (req && typeof req === "object") schemes = schemes.concat(Object.keys(req)); });
    if (schemes.length) {
      var lock = el("span", "lock", schemes.join(" or "));
      lock.title = "Needs an access token";
      add(sum, lock);
    }
    add(d, sum);
    var body = add(el("div", "opbody"));
    if (op.operationId) add(body, el("div", "opid", "operationId: " + op.operationId));
    if (op.description) add(body, el("p", "", op.description));
    if (op.requestBody) {
      var rb = deref(spec, op.requestBody);
      add(body, el("h4", "", "Request body" + (rb.required ? " (required)" : " (optional)")));
      contentNodes(spec, rb.content).forEach(function (n) { add(body, n); });
    }
    add(body, el("h4", "", "Responses"));
    var responses = op.responses || {};
    Object.keys(responses).sort().forEach(function (code) { add(body, responseNode(spec, code, responses[code])); });
    add(d, body);
    return d;
  }

  function render(spec) {
    var info = spec.info || {};
    if (info.title) { document.getElementById("title").textContent = info.title; document.title = info.title + " — API documentation"; }
    document.getElementById("version").textContent = "OpenAPI " + (spec.openapi || "?") + (info.version ? " · version " + info.version : "");
    document.getElementById("description").textContent = info.description || "";
    var groups = {}, order = [], count = 0;
    var paths = spec.paths || {};
    Object.keys(paths).forEach(function (path) {
      var item = paths[path] || {};
      METHODS.forEach(function (m) {
        if (!own(item, m)) return;
        var op = item[m] || {};
        var tag = Array.isArray(op.tags) && op.tags.length ? String(op.tags[0]) : "Other";
        if (!own(groups, tag)) { groups[tag] = []; order.push(tag); }
        groups[tag].push(operationNode(spec, path, m, op));
        count++;
      });
    });
    var root = document.getElementById("ops");
    root.textContent = "";
    order.forEach(function (tag) {
      add(root, el("h2", "", tag));
      groups[tag].forEach(function (n) { add(root, n); });
    });
    statusEl.textContent = count + " operations. Click one to expand it; * marks a required field.";
  }

  fetch(specURL, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (res) {
      if (!res.ok) throw new Error("HTTP " + res.status);
      return res.json();
    })
    .then(render)
    .catch(function (err) {
      statusEl.className = "error";
      statusEl.textContent = "Could not load " + specURL + ": " + (err && err.message ? err.message : err);
    });
})();
</script>
</body>
</html>
`
