package email

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Config
		err  string
	}{
		{name: "unset: no relay", env: nil,
			want: Config{TLS: TLSStartTLS, Port: 587, Timeout: 15 * time.Second, MaxAttachmentBytes: 25 << 20}},
		{name: "starttls default", env: map[string]string{"SOIS_SMTP_HOST": "smtp.acme.example", "SOIS_SMTP_FROM": "agent@acme.example", "SOIS_SMTP_USERNAME": "u", "SOIS_SMTP_PASSWORD": "p"},
			want: Config{Host: "smtp.acme.example", Port: 587, Username: "u", Password: "p", From: "agent@acme.example", TLS: TLSStartTLS, Timeout: DefaultTimeout, MaxAttachmentBytes: DefaultMaxAttachmentBytes}},
		{name: "implicit tls", env: map[string]string{"SOIS_SMTP_HOST": "smtp.acme.example", "SOIS_SMTP_FROM": "Acme <agent@acme.example>", "SOIS_SMTP_TLS": "TLS"},
			want: Config{Host: "smtp.acme.example", Port: 465, From: "Acme <agent@acme.example>", TLS: TLSImplicit, Timeout: DefaultTimeout, MaxAttachmentBytes: DefaultMaxAttachmentBytes}},
		{name: "plain with port", env: map[string]string{"SOIS_SMTP_HOST": "127.0.0.1", "SOIS_SMTP_PORT": "1025", "SOIS_SMTP_FROM": "a@b.example", "SOIS_SMTP_TLS": "none"},
			want: Config{Host: "127.0.0.1", Port: 1025, From: "a@b.example", TLS: TLSNone, Timeout: DefaultTimeout, MaxAttachmentBytes: DefaultMaxAttachmentBytes}},
		{name: "ipv6 host", env: map[string]string{"SOIS_SMTP_HOST": "::1", "SOIS_SMTP_FROM": "a@b.example", "SOIS_SMTP_TLS": "none"},
			want: Config{Host: "::1", Port: 25, From: "a@b.example", TLS: TLSNone, Timeout: DefaultTimeout, MaxAttachmentBytes: DefaultMaxAttachmentBytes}},
		{name: "bad port", env: map[string]string{"SOIS_SMTP_HOST": "h", "SOIS_SMTP_FROM": "a@b.example", "SOIS_SMTP_PORT": "smtp"}, err: "SOIS_SMTP_PORT"},
		{name: "port range", env: map[string]string{"SOIS_SMTP_HOST": "h", "SOIS_SMTP_FROM": "a@b.example", "SOIS_SMTP_PORT": "70000"}, err: "SOIS_SMTP_PORT"},
		{name: "bad tls", env: map[string]string{"SOIS_SMTP_HOST": "h", "SOIS_SMTP_FROM": "a@b.example", "SOIS_SMTP_TLS": "ssl"}, err: "SOIS_SMTP_TLS"},
		{name: "no from", env: map[string]string{"SOIS_SMTP_HOST": "h"}, err: "SOIS_SMTP_FROM is required"},
		{name: "bad from", env: map[string]string{"SOIS_SMTP_HOST": "h", "SOIS_SMTP_FROM": "agent"}, err: "SOIS_SMTP_FROM"},
		{name: "injected from", env: map[string]string{"SOIS_SMTP_HOST": "h", "SOIS_SMTP_FROM": "a@b.example\r\nBcc: x@y.example"}, err: "control"},
		{name: "host with port", env: map[string]string{"SOIS_SMTP_HOST": "h:25", "SOIS_SMTP_FROM": "a@b.example"}, err: "SOIS_SMTP_HOST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v\nwant %+v", got, err, tt.want)
			}
		})
	}
}

func TestConfigStringHidesPassword(t *testing.T) {
	c := Config{Host: "smtp.acme.example", Port: 587, Username: "agent", Password: "s3cr3t-pass", From: "a@b.example", TLS: TLSStartTLS}
	for _, s := range []string{c.String(), fmtV(c)} {
		if strings.Contains(s, "s3cr3t-pass") {
			t.Fatalf("password in %q", s)
		}
	}
	if s := (Config{}).String(); s != "no SMTP relay" {
		t.Fatalf("empty = %q", s)
	}
}

func TestRedactAndReason(t *testing.T) {
	s := New(Config{Host: "h", From: "a@b.example", Username: "agent", Password: "hunter22"})
	got := s.redact("535 auth failed for agent with hunter22\r\nmore")
	if strings.Contains(got, "hunter22") || strings.ContainsAny(got, "\r\n") {
		t.Fatalf("redact = %q", got)
	}
	long := s.reason(errString(strings.Repeat("é", 400)))
	if !strings.HasSuffix(long, "…)") || len(long) > 400 {
		t.Fatalf("reason = %q", long)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

func fmtV(c Config) string { return fmt.Sprintf("%v %+v", c, c) }
