package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// redisServer is a redis-server process of the test's own, so the test can
// stop and restart it without disturbing anything else.
type redisServer struct {
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// startRedis runs redis-server on a free loopback port (or on port, when
// non-zero). Without the binary the test skips, or fails under
// FULLAUTH_TEST_REQUIRE_SERVICES=1.
func startRedis(t *testing.T, port int) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("FULLAUTH_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("redis-server is not installed (FULLAUTH_TEST_REQUIRE_SERVICES=1)")
		}
		t.Skip("redis-server is not installed; skipping the multi-instance test")
	}
	if port == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
	}
	r := &redisServer{port: port, done: make(chan struct{})}
	r.cmd = exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	t.Cleanup(r.stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", r.addr(), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not start: %v", r.addr(), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func (r *redisServer) stop() {
	select {
	case <-r.done:
	default:
		r.cmd.Process.Kill()
		<-r.done
	}
}

// send is a goroutine-safe request: status and decoded body, or an error.
func send(base, method, path, bearer string, body any) (int, map[string]any, error) {
	var buf bytes.Buffer
	if body != nil {
		json.NewEncoder(&buf).Encode(body)
	}
	req, err := http.NewRequest(method, base+path, &buf)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, nil
}

// TestInstancesShareState runs three server processes on one PostgreSQL
// database and one Redis and proves that they agree: revocations, lockout
// counts and rate limits hold across all of them, and a Redis outage gives
// 503s that end by themselves when Redis returns (CONTRACT §24.1, §24.6,
// §24.14).
func TestInstancesShareState(t *testing.T) {
	dbURL, _, _ := freshPostgres(t)
	redis := startRedis(t, 0)
	const maxAttempts = 5
	env := map[string]string{
		"FULLAUTH_SECRET_KEY":   testSecret,
		"FULLAUTH_DATABASE_URL": dbURL,
		// Generous read timeouts: under -race, with other test packages
		// running, a slow answer must not pass for an outage. A stopped
		// Redis still fails at once (connection refused).
		"FULLAUTH_REDIS_URL":          "redis://" + redis.addr() + "/0?read_timeout=5s&write_timeout=5s&pool_timeout=5s",
		"FULLAUTH_MAX_LOGIN_ATTEMPTS": strconv.Itoa(maxAttempts),
		// Everything comes from 127.0.0.1, so only the limit under test
		// is low.
		"FULLAUTH_AUTH_RATE_LIMITS": `{"login": 1000, "register": 1000, "refresh": 1000, "password_reset": 4}`,
	}
	dir := t.TempDir()
	var procs [3]*process
	for i := range procs {
		procs[i] = startServe(t, dir, env)
	}
	a, b, c := procs[0], procs[1], procs[2]
	const api = "/api/v1/auth"
	signup := func(email string) {
		t.Helper()
		if code, body := a.call(t, "POST", api+"/register", "", map[string]string{"email": email, "password": "correct-horse-battery"}); code != http.StatusAccepted {
			t.Fatalf("register %s = %d %v", email, code, body)
		}
	}
	login := func(p *process, email string) (string, string) {
		t.Helper()
		code, body := p.call(t, "POST", api+"/login", "", map[string]string{"email": email, "password": "correct-horse-battery"})
		if code != http.StatusOK {
			t.Fatalf("login %s = %d %v", email, code, body)
		}
		return str(body, "access_token"), str(body, "refresh_token")
	}

	t.Run("logout on A is seen by B at once", func(t *testing.T) {
		signup("logout@example.com")
		access, _ := login(a, "logout@example.com")
		if code, _ := b.call(t, "GET", api+"/me", access, nil); code != http.StatusOK {
			t.Fatalf("me on B before logout = %d, want 200", code)
		}
		if code, _ := a.call(t, "POST", api+"/logout", access, nil); code != http.StatusNoContent {
			t.Fatalf("logout on A = %d, want 204", code)
		}
		for _, p := range []*process{b, c} {
			if code, _ := p.call(t, "GET", api+"/me", access, nil); code != http.StatusUnauthorized {
				t.Errorf("me on another instance right after logout on A = %d, want 401", code)
			}
		}
	})

	t.Run("a session revoked on A loses its access token on B", func(t *testing.T) {
		signup("revoke@example.com")
		phone, _ := login(b, "revoke@example.com")
		laptop, _ := login(c, "revoke@example.com")
		var list []map[string]any
		code, raw, _ := a.raw(t, "GET", api+"/sessions", laptop, nil)
		if code != http.StatusOK || json.Unmarshal(raw, &list) != nil || len(list) != 2 {
			t.Fatalf("GET /sessions on A = %d %s, want two sessions", code, raw)
		}
		var phoneFamily string
		for _, s := range list {
			if s["current"] == false {
				phoneFamily = str(s, "family_id")
			}
		}
		if code, _ := a.call(t, "DELETE", api+"/sessions/"+phoneFamily, laptop, nil); code != http.StatusNoContent {
			t.Fatalf("DELETE /sessions/{phone} on A = %d, want 204", code)
		}
		if code, _ := b.call(t, "GET", api+"/me", phone, nil); code != http.StatusUnauthorized {
			t.Errorf("me on B with the revoked session's token = %d, want 401", code)
		}
		if code, _ := b.call(t, "GET", api+"/me", laptop, nil); code != http.StatusOK {
			t.Errorf("me on B with the other session's token = %d, want 200", code)
		}
	})

	t.Run("sessions ended on B lose their access tokens on A", func(t *testing.T) {
		signup("session@example.com")
		access, refresh := login(a, "session@example.com")
		// Rotate on C, then change the password on B: every session of
		// the user ends, and its access tokens die on every instance.
		code, body := c.call(t, "POST", api+"/refresh", "", map[string]string{"refresh_token": refresh})
		if code != http.StatusOK {
			t.Fatalf("refresh on C = %d %v", code, body)
		}
		newAccess := str(body, "access_token")
		if code, _ := b.call(t, "POST", api+"/change-password", newAccess, map[string]string{"current_password": "correct-horse-battery", "new_password": "another-password-1"}); code != http.StatusOK {
			t.Fatalf("change-password on B = %d", code)
		}
		for _, tok := range []string{access, newAccess} {
			if code, _ := a.call(t, "GET", api+"/me", tok, nil); code != http.StatusUnauthorized {
				t.Errorf("me on A with a token of the ended session = %d, want 401", code)
			}
		}
	})

	t.Run("profile and role changes on one instance show on the others at once", func(t *testing.T) {
		// Each instance caches users it authenticated; a change through
		// any instance must still show on the very next request elsewhere.
		lookup := func(k string) (string, bool) {
			v, ok := env[k]
			return v, ok
		}
		var out, errs bytes.Buffer
		if err := runCreateSuperuser(t.Context(), []string{"--email", "root@example.com", "--password", "correct-horse-battery"}, lookup, &out, &errs); err != nil {
			t.Fatalf("createsuperuser: %v: %s", err, errs.String())
		}
		root, _ := login(a, "root@example.com")
		signup("cached@example.com")
		access, _ := login(b, "cached@example.com")
		me := func(p *process) map[string]any {
			t.Helper()
			code, body := p.call(t, "GET", api+"/me", access, nil)
			if code != http.StatusOK {
				t.Fatalf("me = %d %v", code, body)
			}
			return body
		}
		for _, p := range procs {
			me(p) // every instance has the user cached now
		}
		if code, body := a.call(t, "PATCH", api+"/me", access, map[string]any{"display_name": "Cached"}); code != http.StatusOK {
			t.Fatalf("PATCH /me on A = %d %v", code, body)
		}
		id := str(me(a), "id")
		for i, p := range procs {
			if got := str(me(p), "display_name"); got != "Cached" {
				t.Errorf("display_name on instance %d right after PATCH on A = %q, want Cached", i, got)
			}
		}
		for _, step := range []struct {
			path, want string
		}{{"/admin/assign-role", "[editor]"}, {"/admin/remove-role", "[]"}} {
			if code, body := c.call(t, "POST", api+step.path, root, map[string]string{"user_id": id, "role": "editor"}); code/100 != 2 {
				t.Fatalf("%s on C = %d %v", step.path, code, body)
			}
			for i, p := range procs {
				if got := fmt.Sprint(me(p)["roles"]); got != step.want {
					t.Errorf("roles on instance %d right after %s on C = %s, want %s", i, step.path, got, step.want)
				}
			}
		}
	})

	t.Run("parallel guesses across instances are capped at MAX_LOGIN_ATTEMPTS", func(t *testing.T) {
		email := "lockout@example.com"
		signup(email)
		var wg sync.WaitGroup
		statuses := make([]int, 20)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, _, err := send(procs[i%3].base, "POST", api+"/login", "", map[string]string{"email": email, "password": "wrong-password"})
				if err != nil {
					t.Errorf("login %d: %v", i, err)
				}
				statuses[i] = code
			}()
		}
		wg.Wait()
		for i, code := range statuses {
			if code != http.StatusUnauthorized {
				t.Errorf("wrong guess %d = %d, want 401", i, code)
			}
		}
		checked := 0
		for _, p := range procs {
			checked += strings.Count(p.logs.String(), `"msg":"Login failed: invalid password","logger":"fullauth.login","identifier":"`+email+`"`)
		}
		if checked != maxAttempts {
			t.Errorf("passwords checked across the instances = %d, want exactly %d", checked, maxAttempts)
		}
		if code, _ := c.call(t, "POST", api+"/login", "", map[string]string{"email": email, "password": "correct-horse-battery"}); code != http.StatusUnauthorized {
			t.Errorf("login with the right password while locked = %d, want 401", code)
		}
	})

	t.Run("a per-route limit of N allows exactly N across instances", func(t *testing.T) {
		const limit, sent = 4, 15
		var wg sync.WaitGroup
		statuses := make([]int, sent)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, _, err := send(procs[i%3].base, "POST", api+"/password-reset/request", "", map[string]string{"email": "nobody@example.com"})
				if err != nil {
					t.Errorf("request %d: %v", i, err)
				}
				statuses[i] = code
			}()
		}
		wg.Wait()
		counts := map[int]int{}
		for _, code := range statuses {
			counts[code]++
		}
		if counts[http.StatusAccepted] != limit || counts[http.StatusTooManyRequests] != sent-limit {
			t.Errorf("statuses = %v, want %d × 202 and %d × 429", counts, limit, sent-limit)
		}
	})

	t.Run("Redis down gives 503s, and service returns with it", func(t *testing.T) {
		signup("outage@example.com")
		access, _ := login(b, "outage@example.com")
		redis.stop()
		for _, p := range procs {
			code, body := p.call(t, "GET", api+"/me", access, nil)
			if code != http.StatusServiceUnavailable || str(body, "detail") == "" {
				t.Errorf("me with Redis down = %d %v, want 503 with a detail", code, body)
			}
		}
		if code, _ := a.call(t, "POST", api+"/login", "", map[string]string{"email": "outage@example.com", "password": "correct-horse-battery"}); code != http.StatusServiceUnavailable {
			t.Errorf("login with Redis down = %d, want 503", code)
		}
		code, body := a.call(t, "GET", "/readyz", "", nil)
		if code != http.StatusServiceUnavailable || !strings.Contains(fmt.Sprint(body["detail"]), "redis") {
			t.Errorf("/readyz with Redis down = %d %v, want 503 naming redis", code, body)
		}
		for i, p := range procs {
			select {
			case <-p.exited:
				t.Fatalf("instance %d exited while Redis was down: %v", i, p.err)
			default:
			}
		}

		startRedis(t, redis.port)
		deadline := time.Now().Add(15 * time.Second)
		for _, p := range procs {
			for {
				code, _ := p.call(t, "GET", api+"/me", access, nil)
				if code == http.StatusOK {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("me after Redis returned = %d, want 200 within 15 s", code)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	})
}
