#!/usr/bin/env node
// A browser session against `fullauth serve` with FULLAUTH_COOKIE_TRANSPORT=true, in real
// headless Chromium driven by playwright-core. Every API call is made by fetch() inside a page
// served from another origin of the same site (http://localhost:P2 calling
// http://localhost:P1), so the Origin header, CORS, SameSite and HttpOnly are the browser's own.
//
//   node e2e/browser/cookie-session.mjs --api http://localhost:P1 --page http://localhost:P2/
//        [--chromium /usr/bin/chromium] [--prefix /api/v1/auth] [--email E] [--password P]
//        [--access-path /] [--refresh-path /] [--timeout 60000]
//
// Both URLs must use the host name "localhost" (not 127.0.0.1) so that they are the same site.
// The server must list the page's origin in FULLAUTH_CORS_ORIGINS and (or via FULLAUTH_ORIGINS)
// FULLAUTH_CSRF_TRUSTED_ORIGINS, and run with FULLAUTH_COOKIE_SECURE=false on plain http.
//
// Prints one JSON object {ok, steps: [{name, ok, status?, detail?}], cookies: {...}} on stdout
// (cookie values are never printed) and exits 0 only when every step passed.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    api: { type: 'string' },
    page: { type: 'string' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
    prefix: { type: 'string', default: '/api/v1/auth' },
    email: { type: 'string', default: `browser-${Date.now()}@example.com` },
    password: { type: 'string', default: 'correct horse battery staple' },
    'access-path': { type: 'string', default: '/' },
    'refresh-path': { type: 'string', default: '/' },
    timeout: { type: 'string', default: '60000' },
  },
});

const summary = { ok: false, steps: [], cookies: {} };
let finished = false;
function finish(code) {
  if (finished) return;
  finished = true;
  console.log(JSON.stringify(summary, null, 2));
  process.exit(code);
}

if (!o.api || !o.page) {
  summary.steps.push({ name: 'arguments', ok: false, detail: 'usage: cookie-session.mjs --api URL --page URL [--chromium PATH]' });
  finish(2);
}
const api = o.api.replace(/\/+$/, '');
const auth = api + o.prefix.replace(/\/+$/, '');
const timeout = Number(o.timeout);

// One step: fn returns {status?, detail?} or throws an Error whose message is the detail. A
// thrown {status, detail} object keeps its status.
async function step(name, fn) {
  const s = { name, ok: true };
  try {
    Object.assign(s, (await fn()) || {});
  } catch (e) {
    s.ok = false;
    if (e && typeof e === 'object' && 'detail' in e) Object.assign(s, e);
    else s.detail = String(e?.message || e);
  }
  summary.steps.push(s);
  return s.ok;
}
const fail = (status, detail) => { throw { status, detail }; };

// call runs inside the page: a credentialed fetch, with the CSRF header read from
// document.cookie when csrf is true. It answers {status, body, text} or {error}.
async function call({ method, url, csrf, json }) {
  const headers = {};
  if (csrf) {
    const m = document.cookie.match(/(?:^|;\s*)fullauth_csrf=([^;]*)/);
    if (m) headers['X-CSRF-Token'] = decodeURIComponent(m[1]);
  }
  const init = { method, headers, credentials: 'include' };
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  try {
    const r = await fetch(url, init);
    const text = await r.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: r.status, body, text: text.slice(0, 300) };
  } catch (e) {
    return { error: `${method} ${url}: ${e?.message || e}` }; // a CORS refusal or a network error
  }
}

// Cookie attributes as the browser keeps them; never the value.
function attrs(c) {
  return c && { domain: c.domain, path: c.path, httpOnly: c.httpOnly, secure: c.secure, sameSite: c.sameSite, expires: c.expires };
}

let context, dir, page;
const responses = []; // API responses seen by the browser, for the security headers
const watchdog = setTimeout(() => {
  summary.steps.push({ name: 'timeout', ok: false, detail: `not done within ${timeout} ms` });
  context?.close().catch(() => {}).finally(() => { if (dir) rmSync(dir, { recursive: true, force: true }); finish(1); });
}, timeout);

try {
  await main();
} catch (e) {
  summary.steps.push({ name: 'error', ok: false, detail: String(e?.message || e) });
} finally {
  clearTimeout(watchdog);
  await context?.close().catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
  summary.ok = summary.steps.length > 0 && summary.steps.every((s) => s.ok);
  finish(summary.ok ? 0 : 1);
}

async function main() {
  const launched = await step('launch', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fullauth-chromium-')); // a fresh --user-data-dir every run
    context = await chromium.launchPersistentContext(dir, {
      executablePath: o.chromium,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context.setDefaultTimeout(Math.min(timeout, 20000));
    summary.browser = context.browser()?.version();
  });
  if (!launched) return;
  page = context.pages()[0] || await context.newPage();
  page.on('response', (r) => { if (r.url().startsWith(api + '/')) responses.push(r); });
  const inPage = (method, path, opts = {}) => page.evaluate(call, { method, url: auth + path, ...opts });
  const apiCookies = async () => Object.fromEntries((await context.cookies(api)).map((c) => [c.name, c]));

  if (!await step('open page', async () => {
    const r = await page.goto(o.page);
    const origin = await page.evaluate(() => location.origin);
    if (!r || r.status() !== 200) fail(r?.status(), `GET ${o.page} did not answer 200`);
    if (origin === new URL(api).origin) fail(r.status(), 'the page must be served from another origin than the API');
    return { status: r.status(), detail: origin };
  })) return;

  // (a) A first GET hands out the CSRF cookie, readable by the page (another origin, same site).
  if (!await step('GET /healthz sets fullauth_csrf', async () => {
    const r = await page.evaluate(call, { method: 'GET', url: api + '/healthz' });
    if (r.error) fail(undefined, r.error);
    if (r.status !== 200) fail(r.status, r.text);
    const c = (await apiCookies()).fullauth_csrf;
    if (!c) fail(r.status, 'no fullauth_csrf cookie was set');
    summary.cookies.csrf = attrs(c);
    const seen = await page.evaluate(() => document.cookie.includes('fullauth_csrf='));
    if (!seen) fail(r.status, 'document.cookie lacks fullauth_csrf');
    if (c.httpOnly || c.sameSite !== 'Lax' || c.path !== '/' || c.expires !== -1) {
      fail(r.status, `fullauth_csrf attributes ${JSON.stringify(attrs(c))}, want readable, SameSite Lax, Path /, session cookie`);
    }
    return { status: r.status };
  })) return;

  // (b) Register.
  await step('POST /register', async () => {
    const r = await inPage('POST', '/register', { csrf: true, json: { email: o.email, password: o.password } });
    if (r.error) fail(undefined, r.error);
    if (r.status !== 202) fail(r.status, r.text);
    return { status: r.status };
  });

  // (c) Login: tokens in cookies, refresh_token null in the body.
  let loginAccess;
  await step('POST /login', async () => {
    const r = await inPage('POST', '/login', { csrf: true, json: { email: o.email, password: o.password } });
    if (r.error) fail(undefined, r.error);
    if (r.status !== 200) fail(r.status, r.text);
    if (!r.body || typeof r.body.access_token !== 'string' || !r.body.access_token) fail(r.status, 'no access_token in the body');
    if (r.body.refresh_token !== null) fail(r.status, `refresh_token = ${JSON.stringify(r.body.refresh_token)}, want null`);
    if (r.body.user?.email !== o.email) fail(r.status, `user.email = ${JSON.stringify(r.body.user?.email)}`);
    loginAccess = r.body;
    return { status: r.status };
  });

  // (d) The token cookies are HttpOnly: the page cannot see them.
  await step('document.cookie hides the token cookies', async () => {
    const names = await page.evaluate(() => document.cookie.split(';').map((s) => s.trim().split('=')[0]).filter(Boolean));
    if (!names.includes('fullauth_csrf')) fail(undefined, `document.cookie names ${JSON.stringify(names)}, want fullauth_csrf`);
    const leaked = names.filter((n) => n === 'fullauth_access' || n === 'fullauth_refresh');
    if (leaked.length) fail(undefined, `document.cookie exposes ${leaked.join(', ')}`);
    return { detail: names.join(', ') };
  });

  // The same cookies seen from the browser's side.
  let accessAfterLogin;
  await step('token cookies after login', async () => {
    const all = await apiCookies();
    const a = all.fullauth_access, rf = all.fullauth_refresh;
    summary.cookies.afterLogin = { fullauth_access: attrs(a), fullauth_refresh: attrs(rf) };
    const problems = [];
    for (const [c, name, path] of [[a, 'fullauth_access', o['access-path']], [rf, 'fullauth_refresh', o['refresh-path']]]) {
      if (!c) { problems.push(`${name} missing`); continue; }
      if (!c.httpOnly) problems.push(`${name} not HttpOnly`);
      if (c.sameSite !== 'Lax') problems.push(`${name} SameSite ${c.sameSite}, want Lax`);
      if (c.path !== path) problems.push(`${name} Path ${c.path}, want ${path}`);
      if (c.secure) problems.push(`${name} Secure with FULLAUTH_COOKIE_SECURE=false`);
      if (!(c.expires > Date.now() / 1000)) problems.push(`${name} is a session cookie, want Max-Age`);
    }
    if (a && loginAccess) {
      if (a.value !== loginAccess.access_token) problems.push('fullauth_access differs from the body\'s access_token');
      const want = Date.now() / 1000 + loginAccess.expires_in;
      if (Math.abs(a.expires - want) > 60) problems.push(`fullauth_access expires in ${Math.round(a.expires - Date.now() / 1000)} s, want expires_in ${loginAccess.expires_in}`);
    }
    if (a && rf && !(rf.expires > a.expires)) problems.push('fullauth_refresh expires no later than fullauth_access');
    accessAfterLogin = a?.value;
    if (problems.length) fail(undefined, problems.join('; '));
  });

  // (e) /me with the cookie alone.
  await step('GET /me', async () => {
    const r = await inPage('GET', '/me');
    if (r.error) fail(undefined, r.error);
    if (r.status !== 200 || r.body?.email !== o.email) fail(r.status, r.text);
    return { status: r.status };
  });

  // (f) Refresh from the cookie, with an empty body.
  await step('POST /refresh', async () => {
    const r = await inPage('POST', '/refresh', { csrf: true });
    if (r.error) fail(undefined, r.error);
    if (r.status !== 200) fail(r.status, r.text);
    if (r.body?.refresh_token !== null) fail(r.status, `refresh_token = ${JSON.stringify(r.body?.refresh_token)}, want null`);
    if (!r.body?.access_token) fail(r.status, 'no access_token in the body');
    const a = (await apiCookies()).fullauth_access;
    if (!a || a.value !== r.body.access_token) fail(r.status, 'fullauth_access was not replaced by the new access token');
    if (a.value === accessAfterLogin) fail(r.status, 'fullauth_access unchanged by the refresh');
    return { status: r.status };
  });

  // (g) An unsafe request without the header is refused, and CORS lets the page read why.
  await step('POST /logout without X-CSRF-Token', async () => {
    const r = await inPage('POST', '/logout', { csrf: false });
    if (r.error) fail(undefined, r.error);
    if (r.status !== 403 || r.body?.detail !== 'CSRF token missing.') fail(r.status, r.text);
    return { status: r.status, detail: r.body.detail };
  });

  // (h) Logout.
  await step('POST /logout', async () => {
    const r = await inPage('POST', '/logout', { csrf: true });
    if (r.error) fail(undefined, r.error);
    if (r.status !== 204) fail(r.status, r.text);
    return { status: r.status };
  });

  await step('token cookies after logout', async () => {
    const all = await apiCookies();
    summary.cookies.afterLogout = Object.fromEntries(Object.entries(all).map(([n, c]) => [n, attrs(c)]));
    const left = ['fullauth_access', 'fullauth_refresh'].filter((n) => all[n]);
    if (left.length) fail(undefined, `still set: ${left.join(', ')}`);
    if (!all.fullauth_csrf) fail(undefined, 'fullauth_csrf was removed too');
  });

  // (i) The session is over.
  await step('GET /me after logout', async () => {
    const r = await inPage('GET', '/me');
    if (r.error) fail(undefined, r.error);
    if (r.status !== 401 || r.body?.detail !== 'Could not validate credentials') fail(r.status, r.text);
    return { status: r.status };
  });

  // Every API answer the browser saw carried the security headers.
  await step('security headers', async () => {
    const want = {
      'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'x-xss-protection': '0',
      'referrer-policy': 'strict-origin-when-cross-origin', 'permissions-policy': 'geolocation=(), camera=(), microphone=()',
    };
    const problems = [];
    for (const r of responses) {
      const h = r.headers();
      for (const [k, v] of Object.entries(want)) {
        if (h[k] !== v) problems.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}: ${k} = ${JSON.stringify(h[k])}`);
      }
    }
    if (!responses.length) fail(undefined, 'no API responses were observed');
    if (problems.length) fail(undefined, problems.join('; '));
    return { detail: `${responses.length} responses checked` };
  });
}
