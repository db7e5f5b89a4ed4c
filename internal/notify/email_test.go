package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"html"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
	"github.com/fullauth/fullauth"
)

// captured is one message the test SMTP server accepted.
type captured struct {
	from string
	to   []string
	data []byte
	tls  bool
}

// mailbox is an in-memory go-smtp backend. With user set, it offers AUTH
// PLAIN and refuses MAIL before a successful AUTH.
type mailbox struct {
	user, pass string
	failRcpt   int // answer this many RCPTs with 451 first

	mu    sync.Mutex
	msgs  []captured
	auths int
}

func (mb *mailbox) NewSession(c *gosmtp.Conn) (gosmtp.Session, error) {
	return &smtpSession{mb: mb, conn: c}, nil
}

func (mb *mailbox) messages() []captured {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]captured(nil), mb.msgs...)
}

type smtpSession struct {
	mb     *mailbox
	conn   *gosmtp.Conn
	authed bool
	cur    captured
}

func (s *smtpSession) AuthMechanisms() []string {
	if s.mb.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.mb.mu.Lock()
		s.mb.auths++
		s.mb.mu.Unlock()
		if user != s.mb.user || pass != s.mb.pass {
			return &gosmtp.SMTPError{Code: 535, EnhancedCode: gosmtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.mb.user != "" && !s.authed {
		return &gosmtp.SMTPError{Code: 530, EnhancedCode: gosmtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	s.cur = captured{from: from}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.mb.mu.Lock()
	defer s.mb.mu.Unlock()
	if s.mb.failRcpt > 0 {
		s.mb.failRcpt--
		return &gosmtp.SMTPError{Code: 451, EnhancedCode: gosmtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	_, s.cur.tls = s.conn.TLSConnectionState()
	s.mb.mu.Lock()
	s.mb.msgs = append(s.mb.msgs, s.cur)
	s.mb.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.cur = captured{} }
func (s *smtpSession) Logout() error { return nil }

// testCert returns a self-signed certificate for 127.0.0.1 and a pool that
// trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// tlsMode is how the test server offers TLS.
type tlsMode int

const (
	noTLS tlsMode = iota
	startTLS
	implicitTLS
)

// startSMTP runs a go-smtp server on 127.0.0.1 and returns its port and
// the client TLS config that trusts it.
func startSMTP(t *testing.T, mb *mailbox, mode tlsMode) (port string, clientTLS *tls.Config) {
	t.Helper()
	cert, pool := testCert(t)
	srv := gosmtp.NewServer(mb)
	srv.Domain = "localhost"
	srv.ReadTimeout = 5 * time.Second
	srv.WriteTimeout = 5 * time.Second
	// The plain-text variant authenticates over an unencrypted localhost
	// connection, which net/smtp permits only for localhost.
	srv.AllowInsecureAuth = mode == noTLS
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case startTLS:
		srv.TLSConfig = serverTLS
	case implicitTLS:
		srv.TLSConfig = serverTLS
		l = tls.NewListener(l, serverTLS)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	_, port, _ = net.SplitHostPort(l.Addr().String())
	return port, &tls.Config{RootCAs: pool}
}

func TestEmailDelivery(t *testing.T) {
	const (
		recipient = "user@example.com"
		token     = "ey.J/+&=<tok> é"
		publicURL = "https://app.example.com/a&b/"
	)
	tests := []struct {
		name     string
		mode     tlsMode
		scheme   string
		user     string
		wantTLS  bool
		failRcpt int
	}{
		{"plain, no auth", noTLS, "smtp", "", false, 0},
		{"plain with AUTH PLAIN to localhost", noTLS, "smtp", "mailer", false, 0},
		{"STARTTLS with AUTH PLAIN", startTLS, "smtp", "mailer", true, 0},
		{"implicit TLS", implicitTLS, "smtps", "mailer", true, 0},
		{"451 on RCPT is retried", noTLS, "smtp", "", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mb := &mailbox{user: tt.user, pass: "p@ss word", failRcpt: tt.failRcpt}
			port, clientTLS := startSMTP(t, mb, tt.mode)
			u := &url.URL{Scheme: tt.scheme, Host: "127.0.0.1:" + port}
			if tt.user != "" {
				u.User = url.UserPassword(tt.user, mb.pass)
			}
			n, logs := newTestNotifier(t, Config{
				SMTPURL: u.String(), MailFrom: "FullAuth <no-reply@example.com>", PublicURL: publicURL,
				TLSConfig: clientTLS, FirstBackoff: time.Millisecond,
			})
			h := n.Hooks(fullauth.Hooks{})
			before := time.Now().Add(-time.Second)
			if err := h.SendVerificationEmail(t.Context(), recipient, token); err != nil {
				t.Fatal(err)
			}
			if err := h.SendPasswordResetEmail(t.Context(), recipient, token); err != nil {
				t.Fatal(err)
			}
			closeNow(t, n)
			after := time.Now().Add(time.Second)

			if logs.count(t, "ERROR", "") != 0 {
				t.Fatalf("errors logged: %v", logs.records(t))
			}
			msgs := mb.messages()
			if len(msgs) != 2 {
				t.Fatalf("server got %d messages, want 2; log: %v", len(msgs), logs.records(t))
			}
			wantLinks := map[string]string{
				"Verify your email address": "https://app.example.com/a&b/verify-email?token=" + url.QueryEscape(token),
				"Reset your password":       "https://app.example.com/a&b/reset-password?token=" + url.QueryEscape(token),
			}
			for _, m := range msgs {
				if m.from != "no-reply@example.com" || len(m.to) != 1 || m.to[0] != recipient {
					t.Errorf("envelope from %q to %q, want no-reply@example.com to [%s]", m.from, m.to, recipient)
				}
				if m.tls != tt.wantTLS {
					t.Errorf("message over TLS = %v, want %v", m.tls, tt.wantTLS)
				}
				checkLines(t, m.data)
				subject, text, page := parseMessage(t, m.data, before, after)
				link, ok := wantLinks[subject]
				if !ok {
					t.Errorf("unexpected subject %q", subject)
					continue
				}
				delete(wantLinks, subject)
				if !strings.Contains(text, "\n"+link+"\n") {
					t.Errorf("%s: text part lacks link %q:\n%s", subject, link, text)
				}
				if want := `href="` + html.EscapeString(link) + `"`; !strings.Contains(page, want) {
					t.Errorf("%s: html part lacks %s:\n%s", subject, want, page)
				}
				if strings.Contains(page, "/a&b/") {
					t.Errorf("%s: html part has an unescaped link:\n%s", subject, page)
				}
			}
			if got := logs.count(t, "INFO", "email delivered"); got != 2 {
				t.Errorf("%d INFO 'email delivered' records, want 2", got)
			}
			if wantWarn := tt.failRcpt; logs.count(t, "WARN", "email failed; will retry") != wantWarn {
				t.Errorf("WARN records: %v, want %d retries", logs.records(t), wantWarn)
			}
		})
	}
}

// checkLines checks that every line ends in CRLF and is at most 998 bytes.
func checkLines(t *testing.T, data []byte) {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Error("message does not end with CRLF")
	}
	for i, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\r\n")), []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Errorf("line %d is %d bytes long", i+1, len(line))
		}
	}
}

// parseMessage checks the headers and returns the subject and the decoded
// plain-text and HTML parts.
func parseMessage(t *testing.T, data []byte, before, after time.Time) (subject, text, page string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("ReadMessage: %v", err)
	}
	hdr := msg.Header
	if from, err := mail.ParseAddress(hdr.Get("From")); err != nil || from.Name != "FullAuth" || from.Address != "no-reply@example.com" {
		t.Errorf("From = %q (%v)", hdr.Get("From"), err)
	}
	if to, err := mail.ParseAddress(hdr.Get("To")); err != nil || to.Address != "user@example.com" {
		t.Errorf("To = %q (%v)", hdr.Get("To"), err)
	}
	if date, err := hdr.Date(); err != nil || date.Before(before) || date.After(after) {
		t.Errorf("Date = %q (%v), want now", hdr.Get("Date"), err)
	}
	if id := hdr.Get("Message-ID"); !regexp.MustCompile(`^<[A-Z0-9]+@example\.com>$`).MatchString(id) {
		t.Errorf("Message-ID = %q", id)
	}
	if v := hdr.Get("MIME-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q", v)
	}
	mt, params, err := mime.ParseMediaType(hdr.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v)", hdr.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextPart: %v", err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		ct := p.Header.Get("Content-Type")
		types = append(types, ct)
		switch ct {
		case "text/plain; charset=UTF-8":
			text = strings.ReplaceAll(string(body), "\r\n", "\n")
		case "text/html; charset=UTF-8":
			page = string(body)
		}
	}
	if want := []string{"text/plain; charset=UTF-8", "text/html; charset=UTF-8"}; strings.Join(types, ",") != strings.Join(want, ",") {
		t.Errorf("parts %q, want %q", types, want)
	}
	return hdr.Get("Subject"), text, page
}

func TestEmailRefused(t *testing.T) {
	tests := []struct {
		name    string
		to      string
		wantLog string
	}{
		{"CRLF header injection", "victim@example.com\r\nBcc: evil@example.com", "recipient contains a line break"},
		{"bare LF", "victim@example.com\nBcc: evil@example.com", "recipient contains a line break"},
		{"display name", "Mallory <mallory@example.com>", "recipient is not a plain email address"},
		{"not an address", "nobody", "recipient is not a plain email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mb := &mailbox{}
			port, _ := startSMTP(t, mb, noTLS)
			n, logs := newTestNotifier(t, Config{
				SMTPURL: "smtp://127.0.0.1:" + port, MailFrom: "no-reply@example.com", PublicURL: "https://app.example.com",
			})
			if err := n.Hooks(fullauth.Hooks{}).SendPasswordResetEmail(t.Context(), tt.to, "tok"); err != nil {
				t.Fatal(err)
			}
			closeNow(t, n)
			if got := mb.messages(); len(got) != 0 {
				t.Errorf("server got %d messages, want none", len(got))
			}
			if logs.count(t, "ERROR", tt.wantLog) != 1 {
				t.Errorf("log %v lacks ERROR %q", logs.records(t), tt.wantLog)
			}
		})
	}
}

// TestEmailBadCredentials checks that a 535 is not retried.
func TestEmailBadCredentials(t *testing.T) {
	mb := &mailbox{user: "mailer", pass: "right"}
	port, _ := startSMTP(t, mb, noTLS)
	n, logs := newTestNotifier(t, Config{
		SMTPURL: "smtp://mailer:wrong@127.0.0.1:" + port, MailFrom: "no-reply@example.com", PublicURL: "https://app.example.com",
		MaxAttempts: 3, FirstBackoff: time.Millisecond,
	})
	if err := n.Hooks(fullauth.Hooks{}).SendVerificationEmail(t.Context(), "user@example.com", "tok"); err != nil {
		t.Fatal(err)
	}
	closeNow(t, n)
	mb.mu.Lock()
	auths := mb.auths
	mb.mu.Unlock()
	if auths != 1 || len(mb.messages()) != 0 {
		t.Errorf("%d AUTH attempts and %d messages, want 1 and 0", auths, len(mb.messages()))
	}
	if logs.count(t, "ERROR", "email failed; not retrying") != 1 {
		t.Errorf("log %v lacks the ERROR for the refused login", logs.records(t))
	}
}

// TestEmailCloseAwaitingGreeting checks that Close cuts short a session
// whose server accepted the connection (and TLS) but never greets. Under
// -race it also guards against the cut racing with the send.
func TestEmailCloseAwaitingGreeting(t *testing.T) {
	tests := []struct {
		name   string
		scheme string
	}{
		{"smtps, after the TLS handshake", "smtps"},
		{"smtp", "smtp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert, pool := testCert(t)
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			connected := make(chan struct{}, 1)
			quit := make(chan struct{})
			t.Cleanup(func() { close(quit) }) // runs before l.Close, after the notifier's Close
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					go func() {
						defer c.Close()
						if tt.scheme == "smtps" {
							tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
							if err := tc.Handshake(); err != nil {
								return
							}
						}
						connected <- struct{}{}
						<-quit // and never greet
					}()
				}
			}()
			n, logs := newTestNotifier(t, Config{
				SMTPURL: tt.scheme + "://" + l.Addr().String(), MailFrom: "no-reply@example.com", PublicURL: "https://app.example.com",
				TLSConfig: &tls.Config{RootCAs: pool},
			})
			if err := n.Hooks(fullauth.Hooks{}).SendVerificationEmail(t.Context(), "user@example.com", "tok"); err != nil {
				t.Fatal(err)
			}
			select {
			case <-connected:
			case <-time.After(5 * time.Second):
				t.Fatal("the notifier did not connect")
			}
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
			defer cancel()
			start := time.Now()
			if err := n.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Close = %v, want DeadlineExceeded", err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("Close took %v; want it to cut the session short", d)
			}
			if got := logs.count(t, "ERROR", "email abandoned: notifier closed during delivery"); got != 1 {
				t.Errorf("%d ERROR 'email abandoned' records, want 1; log: %v", got, logs.records(t))
			}
		})
	}
}
