package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// emailKind is one of the two emails this package sends.
type emailKind int

const (
	verificationEmail emailKind = iota
	resetEmail
)

// emailSpec is what differs between the two emails.
type emailSpec struct {
	event      string // webhook event name
	path       string // frontend page the link opens
	subject    string
	logMessage string // the INFO record when nothing delivers it
	intro      string // paragraph before the link
	outro      string // paragraph after the link
	button     string // text of the HTML link
}

func (k emailKind) spec() emailSpec {
	if k == resetEmail {
		return emailSpec{
			event:      "send_password_reset_email",
			path:       "/reset-password",
			subject:    "Reset your password",
			logMessage: "password reset email not delivered (no SMTP or webhook configured)",
			intro:      "Someone asked to reset the password of the account with this email address. To choose a new password, open this link:",
			outro:      "If that was not you, ignore this email; your password has not changed.",
			button:     "Choose a new password",
		}
	}
	return emailSpec{
		event:      "send_verification_email",
		path:       "/verify-email",
		subject:    "Verify your email address",
		logMessage: "verification email not delivered (no SMTP or webhook configured)",
		intro:      "Please confirm your email address by opening this link:",
		outro:      "If you did not create an account, you can ignore this email.",
		button:     "Verify your email address",
	}
}

// link is the frontend URL carrying token. Without a PublicURL (allowed
// when SMTP is off) it is a path, which is still useful in a log.
func (n *Notifier) link(k emailKind, token string) string {
	query := "token=" + url.QueryEscape(token)
	if n.publicURL == nil {
		return k.spec().path + "?" + query
	}
	// Building on url.URL percent-encodes what the base's path needs.
	// spec().path needs no escaping, so appending it to RawPath too keeps
	// that a valid encoding of Path.
	u := *n.publicURL
	u.Path += k.spec().path
	if u.RawPath != "" {
		u.RawPath += k.spec().path
	}
	u.RawQuery = query
	return u.String()
}

// queueEmail composes the message now and queues its sending. A recipient
// that could smuggle headers is refused here, before anything is queued.
func (n *Notifier) queueEmail(ctx context.Context, k emailKind, to, link string) {
	log := n.emailLog.With("event", k.spec().event, "to", to)
	if strings.ContainsAny(to, "\r\n") {
		log.ErrorContext(ctx, "email refused: recipient contains a line break")
		return
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil || rcpt.Name != "" {
		log.ErrorContext(ctx, "email refused: recipient is not a plain email address", "err", err)
		return
	}
	msg := n.compose(k, rcpt, link, time.Now())
	n.enqueue(ctx, n.emails, job{
		log:     log,
		what:    "email",
		okLevel: slog.LevelInfo,
		attempt: func(ctx context.Context) error {
			return n.smtp.send(ctx, n.from.Address, to, msg)
		},
	})
}

// compose builds the MIME message: headers, then a multipart/alternative
// body with a plain-text and an HTML part, both quoted-printable so that no
// line exceeds 76 characters however long the link is.
func (n *Notifier) compose(k emailKind, to *mail.Address, link string, now time.Time) []byte {
	s := k.spec()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	text := s.intro + "\n\n" + link + "\n\n" + s.outro + "\n"
	esc := html.EscapeString(link)
	page := "<!DOCTYPE html>\n<html><body>\n" +
		"<p>" + html.EscapeString(s.intro) + "</p>\n" +
		`<p><a href="` + esc + `">` + html.EscapeString(s.button) + "</a></p>\n" +
		"<p>" + esc + "</p>\n" +
		"<p>" + html.EscapeString(s.outro) + "</p>\n" +
		"</body></html>\n"
	writePart(mw, "text/plain", text)
	writePart(mw, "text/html", page)
	mw.Close()

	domain := "localhost"
	if i := strings.LastIndexByte(n.from.Address, '@'); i >= 0 {
		domain = n.from.Address[i+1:]
	}
	var msg bytes.Buffer
	header := func(name, value string) { msg.WriteString(name + ": " + value + "\r\n") }
	header("From", n.from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", s.subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+rand.Text()+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	msg.WriteString("\r\n")
	msg.Write(body.Bytes())
	return msg.Bytes()
}

// writePart adds one UTF-8 part; writes to a bytes.Buffer cannot fail.
func writePart(mw *multipart.Writer, contentType, content string) {
	w, _ := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {contentType + "; charset=UTF-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	qp := quotedprintable.NewWriter(w)
	_, _ = qp.Write([]byte(content))
	_ = qp.Close()
}

// send makes one attempt to hand msg to the server.
func (s *smtpServer) send(ctx context.Context, from, to string, msg []byte) error {
	d := net.Dialer{Timeout: smtpDialTimeout}
	raw, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer raw.Close()
	// One deadline bounds the whole conversation, and Close cuts it short.
	// The AfterFunc uses raw, which is never reassigned, so it shares no
	// variable with this goroutine; a TLS conn reads through raw anyway.
	_ = raw.SetDeadline(time.Now().Add(smtpSessionTimeout))
	stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	conn := raw
	if s.implicitTLS {
		tc := tls.Client(raw, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return classifySMTP("tls handshake", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return classifySMTP("greeting", err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return classifySMTP("hello", err)
	}
	if !s.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tls); err != nil {
				return classifySMTP("starttls", err)
			}
		}
	}
	if s.hasAuth {
		if err := c.Auth(smtp.PlainAuth("", s.user, s.pass, s.host)); err != nil {
			return classifySMTP("auth", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return classifySMTP("mail from", err)
	}
	if err := c.Rcpt(to); err != nil {
		return classifySMTP("rcpt to", err)
	}
	w, err := c.Data()
	if err != nil {
		return classifySMTP("data", err)
	}
	if _, err := w.Write(msg); err != nil {
		return classifySMTP("data", err)
	}
	if err := w.Close(); err != nil {
		return classifySMTP("data", err)
	}
	// The server has accepted the message; a failed QUIT must not cause a
	// duplicate.
	_ = c.Quit()
	return nil
}

// classifySMTP marks err permanent unless retrying can help: a 4xx reply
// or a network failure. 5xx replies, refused authentication and TLS
// certificate problems need a human.
func classifySMTP(step string, err error) error {
	err = fmt.Errorf("smtp %s: %w", step, err)
	var reply *textproto.Error
	if errors.As(err, &reply) {
		if reply.Code >= 400 && reply.Code < 500 {
			return err
		}
		return &permanentError{err}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	return &permanentError{err}
}
