// Package notify delivers what the fullauth server tells the outside world:
// every hook event as a signed webhook, and the verification and
// password-reset emails over SMTP. With neither configured, it logs each
// email's recipient and link so a developer can still follow them.
//
// # Webhook
//
// Every event is POSTed to Config.WebhookURL as
//
//	{"event": "after_login", "data": {…}, "occurred_at": "2025-01-02T03:04:05.000000Z"}
//
// with the headers
//
//	Content-Type: application/json
//	X-Fullauth-Event: after_login
//	X-Fullauth-Delivery: <random id, the same on every retry of one delivery>
//	X-Fullauth-Signature: sha256=<lowercase hex HMAC-SHA256 of the body with the secret>
//
// The event names are those of the Python library (after_register,
// after_login, after_logout, after_password_change, after_password_reset,
// after_email_verify, after_oauth_login, after_oauth_register,
// send_verification_email, send_password_reset_email) plus after_lockout.
// "data" holds "user" for user events (id, email, is_active, is_verified,
// is_superuser, display_name or null, and roles, always [] because hooks
// do not carry roles), "user_id" for after_logout, "email" and "token" for
// the two send_* events, "identifier" for after_lockout, and "provider"
// (plus "is_new_user" for after_oauth_login) for the OAuth events. A
// receiver checks the signature over the raw body before parsing it, and
// may drop a repeated X-Fullauth-Delivery.
//
// # Email
//
// Emails are multipart/alternative (plain text and HTML, UTF-8). Their links
// point at the frontend:
//
//	<PublicURL>/verify-email?token=<token>
//	<PublicURL>/reset-password?token=<token>
//
// The frontend reads the token from the query and posts it to
// /verify-email/confirm or /password-reset/confirm. PublicURL may have a
// path, which is percent-encoded as needed, but no query or fragment.
//
// # Delivery
//
// Hooks only enqueue, so a slow receiver never delays a request. Webhooks
// and emails have separate queues and worker pools, so a failing webhook
// receiver neither delays nor crowds out emails. A small fixed pool of
// workers delivers each queue, so deliveries may arrive out of order;
// order them by occurred_at. A failed delivery is retried with
// exponential backoff: webhooks on network errors, 5xx and 429 (honouring
// Retry-After), emails on network errors and 4xx SMTP replies. Each
// failure is logged at WARN and a final give-up at ERROR. When a queue is
// full a new delivery is dropped and logged at ERROR. [Notifier.Close]
// drains the queues.
package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of the retry policy and the queue.
const (
	defaultMaxAttempts  = 6
	defaultFirstBackoff = 500 * time.Millisecond
	defaultMaxBackoff   = 30 * time.Second
	defaultQueueSize    = 1024
	defaultHTTPTimeout  = 10 * time.Second
	smtpDialTimeout     = 10 * time.Second
	smtpSessionTimeout  = 60 * time.Second
	// workers, per channel, is fixed and small: enough that one hanging
	// delivery does not hold up the rest, few enough to be gentle on the
	// receivers.
	workers = 4
)

// Config says where to deliver. The zero value delivers nothing and logs
// email links instead.
type Config struct {
	WebhookURL    string // FULLAUTH_WEBHOOK_URL; "" = no webhook
	WebhookSecret string // FULLAUTH_WEBHOOK_SECRET; required when WebhookURL is set
	// SMTPURL is FULLAUTH_SMTP_URL: smtp://[user:pass@]host[:port] (port
	// 587; STARTTLS when the server offers it) or smtps://… (implicit TLS,
	// port 465); "" = no SMTP. With a user, AUTH PLAIN is used, which is
	// refused over an unencrypted connection except to localhost.
	SMTPURL  string
	MailFrom string // FULLAUTH_MAIL_FROM, "addr" or "Name <addr>"; required with SMTPURL
	// PublicURL is FULLAUTH_PUBLIC_URL, the base of the links in emails;
	// required with SMTPURL. It must not contain '?' or '#'; characters
	// its path needs escaped (a space, say) are percent-encoded in links.
	PublicURL string

	// Retry policy; zero means MaxAttempts 6 and FirstBackoff 500ms,
	// doubling up to 30s between attempts.
	MaxAttempts  int
	FirstBackoff time.Duration

	HTTPClient *http.Client // nil = a client with a 10 s timeout that does not follow redirects
	// QueueSize bounds the deliveries waiting for a worker, separately for
	// webhooks and emails; 0 = 1024. When a queue is full, new deliveries
	// to it are dropped with an ERROR log.
	QueueSize int
	// TLSConfig is used for STARTTLS and smtps (for a private CA, or a
	// test server). nil = the system roots; an empty ServerName is set to
	// the SMTP host.
	TLSConfig *tls.Config
}

// Notifier delivers webhooks and emails in the background. Create it with
// [New] and release it with [Notifier.Close].
type Notifier struct {
	webhookURL    string
	webhookSecret []byte
	smtp          *smtpServer
	from          *mail.Address
	publicURL     *url.URL // nil without PublicURL; its path has no trailing slash
	maxAttempts   int
	firstBackoff  time.Duration
	maxBackoff    time.Duration // a field so that tests can shorten it
	client        *http.Client

	webhookLog *slog.Logger
	emailLog   *slog.Logger

	// Each channel has its own queue and workers, so that retries of
	// failing webhooks never hold up or crowd out emails.
	mu       sync.RWMutex // guards closed against sends on the queues
	closed   bool
	webhooks chan job // nil without a webhook
	emails   chan job // nil without SMTP

	ctx    context.Context // cancelled when Close gives up waiting
	cancel context.CancelFunc
	done   chan struct{} // closed when every worker has returned
}

// smtpServer is a parsed FULLAUTH_SMTP_URL.
type smtpServer struct {
	addr        string // host:port
	host        string
	implicitTLS bool
	user, pass  string
	hasAuth     bool
	tls         *tls.Config
}

// job is one queued delivery. attempt makes one try; an error wrapped in
// permanent is not retried, and a retryAfter error sets the next wait.
type job struct {
	log     *slog.Logger // carries the attributes that identify the job
	what    string       // "webhook" or "email", for messages
	okLevel slog.Level   // of the record logged on success
	attempt func(ctx context.Context) error
}

// New validates cfg, reporting every problem at once, and starts the
// workers. log receives the fullauth.webhook and fullauth.email records;
// nil discards them.
func New(cfg Config, log *slog.Logger) (*Notifier, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := &Notifier{
		maxAttempts:  cfg.MaxAttempts,
		firstBackoff: cfg.FirstBackoff,
		maxBackoff:   defaultMaxBackoff,
		client:       cfg.HTTPClient,
		webhookLog:   log.With("logger", "fullauth.webhook"),
		emailLog:     log.With("logger", "fullauth.email"),
	}
	var errs []error
	if cfg.WebhookURL != "" {
		if _, err := checkHTTPURL(cfg.WebhookURL); err != nil {
			errs = append(errs, fmt.Errorf("notify: FULLAUTH_WEBHOOK_URL: %w", err))
		}
		if cfg.WebhookSecret == "" {
			errs = append(errs, errors.New("notify: FULLAUTH_WEBHOOK_SECRET is required when FULLAUTH_WEBHOOK_URL is set"))
		}
		n.webhookURL, n.webhookSecret = cfg.WebhookURL, []byte(cfg.WebhookSecret)
	}
	if cfg.PublicURL != "" {
		u, err := parsePublicURL(cfg.PublicURL)
		if err != nil {
			errs = append(errs, fmt.Errorf("notify: FULLAUTH_PUBLIC_URL: %w", err))
		}
		n.publicURL = u
	}
	if cfg.SMTPURL != "" {
		s, err := parseSMTPURL(cfg.SMTPURL, cfg.TLSConfig)
		if err != nil {
			errs = append(errs, fmt.Errorf("notify: FULLAUTH_SMTP_URL: %w", err))
		}
		n.smtp = s
		switch {
		case cfg.MailFrom == "":
			errs = append(errs, errors.New("notify: FULLAUTH_MAIL_FROM is required when FULLAUTH_SMTP_URL is set"))
		case strings.ContainsAny(cfg.MailFrom, "\r\n"):
			errs = append(errs, errors.New("notify: FULLAUTH_MAIL_FROM must not contain line breaks"))
		default:
			from, err := mail.ParseAddress(cfg.MailFrom)
			if err != nil {
				errs = append(errs, fmt.Errorf("notify: FULLAUTH_MAIL_FROM: %w", err))
			}
			n.from = from
		}
		if cfg.PublicURL == "" {
			errs = append(errs, errors.New("notify: FULLAUTH_PUBLIC_URL is required when FULLAUTH_SMTP_URL is set"))
		}
	}
	if cfg.MaxAttempts < 0 {
		errs = append(errs, errors.New("notify: MaxAttempts must not be negative"))
	}
	if cfg.FirstBackoff < 0 {
		errs = append(errs, errors.New("notify: FirstBackoff must not be negative"))
	}
	if cfg.QueueSize < 0 {
		errs = append(errs, errors.New("notify: QueueSize must not be negative"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	if n.maxAttempts == 0 {
		n.maxAttempts = defaultMaxAttempts
	}
	if n.firstBackoff == 0 {
		n.firstBackoff = defaultFirstBackoff
	}
	if n.client == nil {
		n.client = &http.Client{
			Timeout: defaultHTTPTimeout,
			// A redirected POST turns into a GET without the body, so a
			// redirect is reported as the failure it is.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	size := cfg.QueueSize
	if size == 0 {
		size = defaultQueueSize
	}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	n.done = make(chan struct{})
	var wg sync.WaitGroup
	start := func() chan job {
		q := make(chan job, size)
		for range workers {
			wg.Go(func() { n.work(q) })
		}
		return q
	}
	if n.webhookURL != "" {
		n.webhooks = start()
	}
	if n.smtp != nil {
		n.emails = start()
	}
	go func() {
		wg.Wait()
		close(n.done)
	}()
	return n, nil
}

// parseURL is url.Parse with an error that quotes nothing of raw: its
// errors quote the URL, or a piece of it, which can be a password or a
// token, and configuration errors get printed.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		if _, ok := errors.AsType[url.EscapeError](err); ok {
			return nil, errors.New("not a valid URL: '%' must begin a %XX escape; write a literal '%' as %25 (the URL is withheld: it may hold a password)")
		}
		return nil, errors.New("not a valid URL; percent-encode special characters such as '/', '?', '#', '@' and spaces in the user name and password (the URL is withheld: it may hold a password)")
	}
	return u, nil
}

// checkHTTPURL accepts an absolute http or https URL.
func checkHTTPURL(raw string) (*url.URL, error) {
	u, err := parseURL(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("scheme must be http or https, not %q", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("host is missing")
	}
	return u, nil
}

// parsePublicURL checks the base of the email links and drops its trailing
// slashes. A path and a query are appended to it, so it must have neither
// query nor fragment, not even an empty one ("…/?", "…/#"), which url.Parse
// does not always record; hence the check on raw.
func parsePublicURL(raw string) (*url.URL, error) {
	u, err := checkHTTPURL(raw)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(raw, "?#") {
		return nil, errors.New("must not have a query or fragment (no '?' or '#')")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// parseSMTPURL parses smtp://[user:pass@]host[:port] or smtps://….
func parseSMTPURL(raw string, tlsConfig *tls.Config) (*smtpServer, error) {
	u, err := parseURL(raw)
	if err != nil {
		return nil, err
	}
	s := &smtpServer{host: u.Hostname()}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		if port == "" {
			port = "587"
		}
	case "smtps":
		s.implicitTLS = true
		if port == "" {
			port = "465"
		}
	default:
		return nil, fmt.Errorf("scheme must be smtp or smtps, not %q", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("host is missing")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return nil, fmt.Errorf("invalid port %q", port)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("must not have a path")
	}
	if u.User != nil {
		s.hasAuth = true
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	s.addr = net.JoinHostPort(s.host, port)
	if tlsConfig != nil {
		s.tls = tlsConfig.Clone()
	} else {
		s.tls = &tls.Config{}
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = s.host
	}
	return s, nil
}

// Warnings are the start-up warnings for this configuration, to be shown
// once.
func (n *Notifier) Warnings() []string {
	var w []string
	if n.webhookURL == "" && n.smtp == nil {
		w = append(w, "Neither FULLAUTH_SMTP_URL nor FULLAUTH_WEBHOOK_URL is set: verification and password-reset emails are not delivered; their links are logged at INFO.")
	}
	// url.Parse lower-cases the scheme, so "HTTP://…" is caught too.
	if u, err := url.Parse(n.webhookURL); err == nil && u.Scheme == "http" && !isLoopback(u.Hostname()) {
		w = append(w, "FULLAUTH_WEBHOOK_URL is not https: webhook payloads, which include verification and reset tokens, travel unencrypted.")
	}
	return w
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// enqueue hands j to q's workers without ever waiting.
func (n *Notifier) enqueue(ctx context.Context, q chan job, j job) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	if n.closed {
		j.log.ErrorContext(ctx, j.what+" dropped: notifier is closed")
		return
	}
	select {
	case q <- j:
	default:
		j.log.ErrorContext(ctx, j.what+" dropped: delivery queue is full")
	}
}

// Close stops accepting deliveries and waits until the queued ones have
// been delivered (with their retries) or ctx ends. When ctx ends first, the
// deliveries in progress are abandoned, everything still queued is logged
// as dropped, and ctx's error is returned. Calling Close again is harmless.
func (n *Notifier) Close(ctx context.Context) error {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		for _, q := range []chan job{n.webhooks, n.emails} {
			if q != nil {
				close(q)
			}
		}
	}
	n.mu.Unlock()
	// A drained queue wins over an ended ctx, which select alone would
	// pick at random.
	select {
	case <-n.done:
		n.cancel()
		return nil
	default:
	}
	select {
	case <-n.done:
		n.cancel()
		return nil
	case <-ctx.Done():
		n.cancel()
		<-n.done
		return fmt.Errorf("notify: close: %w", ctx.Err())
	}
}

// work delivers q's jobs until q is closed and empty.
func (n *Notifier) work(q chan job) {
	for j := range q {
		n.deliver(j)
	}
}

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// retryAfterError carries the wait a server asked for.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// deliver runs j's attempts with backoff until one succeeds, a failure is
// permanent, the attempts run out, or Close gives up.
func (n *Notifier) deliver(j job) {
	ctx := n.ctx
	backoff := n.firstBackoff
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			j.log.ErrorContext(ctx, j.what+" dropped: notifier closed before delivery", "attempt", attempt)
			return
		}
		err := j.attempt(ctx)
		if err == nil {
			j.log.Log(ctx, j.okLevel, j.what+" delivered", "attempt", attempt)
			return
		}
		if ctx.Err() != nil {
			j.log.ErrorContext(ctx, j.what+" abandoned: notifier closed during delivery", "attempt", attempt, "err", err)
			return
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			j.log.ErrorContext(ctx, j.what+" failed; not retrying", "attempt", attempt, "err", err)
			return
		}
		if attempt >= n.maxAttempts {
			j.log.ErrorContext(ctx, j.what+" failed; giving up", "attempt", attempt, "err", err)
			return
		}
		wait := min(backoff, n.maxBackoff)
		var ra *retryAfterError
		if errors.As(err, &ra) {
			wait = min(ra.after, n.maxBackoff)
		}
		j.log.WarnContext(ctx, j.what+" failed; will retry", "attempt", attempt, "retry_in", wait, "err", err)
		backoff = min(backoff*2, n.maxBackoff)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
}
