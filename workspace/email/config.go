package email

import (
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// TLSMode is how the connection to the relay is protected.
type TLSMode string

// TLS modes.
const (
	TLSNone     TLSMode = "none"     // plain SMTP; only for a relay on a trusted network
	TLSStartTLS TLSMode = "starttls" // STARTTLS, required (the default)
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (SMTPS)
)

// Defaults of Config.
const (
	DefaultTimeout            = 15 * time.Second
	DefaultMaxAttachmentBytes = 25 << 20
)

// Config is the SMTP relay mail goes out through. With no Host, email_send
// keeps every message in the outbox as not sent.
type Config struct {
	Host     string  // relay host name; "" means no relay is configured
	Port     int     // 0: 25 for none, 587 for starttls, 465 for tls
	Username string  // SMTP AUTH user; "" means no authentication
	Password string  // SMTP AUTH password; never logged or shown
	From     string  // sender address, e.g. "Acme <agent@acme.example>"; required with Host
	TLS      TLSMode // "" means starttls
	// Timeout bounds one delivery, from connect to QUIT; 0 means
	// DefaultTimeout (15 s).
	Timeout time.Duration
	// MaxAttachmentBytes caps the total attachment bytes of one email; 0 means
	// DefaultMaxAttachmentBytes.
	MaxAttachmentBytes int64
}

// ConfigFromEnv reads SOIS_SMTP_HOST, SOIS_SMTP_PORT, SOIS_SMTP_USERNAME,
// SOIS_SMTP_PASSWORD, SOIS_SMTP_FROM and SOIS_SMTP_TLS (none, starttls or
// tls) through getenv. An unset host is a valid config with no relay.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Host:     strings.TrimSpace(getenv("SOIS_SMTP_HOST")),
		Username: getenv("SOIS_SMTP_USERNAME"),
		Password: getenv("SOIS_SMTP_PASSWORD"),
		From:     strings.TrimSpace(getenv("SOIS_SMTP_FROM")),
		TLS:      TLSMode(strings.ToLower(strings.TrimSpace(getenv("SOIS_SMTP_TLS")))),
	}
	if p := strings.TrimSpace(getenv("SOIS_SMTP_PORT")); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return Config{}, fmt.Errorf("email: SOIS_SMTP_PORT %q is not a number", p)
		}
		c.Port = n
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c.withDefaults(), nil
}

// Validate checks c once, at startup, so a bad relay setting fails early
// rather than on the first send.
func (c Config) Validate() error {
	switch c.TLS {
	case "", TLSNone, TLSStartTLS, TLSImplicit:
	default:
		return fmt.Errorf("email: SOIS_SMTP_TLS %q is not one of none, starttls, tls", c.TLS)
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("email: SOIS_SMTP_PORT %d is out of range", c.Port)
	}
	if c.Timeout < 0 || c.MaxAttachmentBytes < 0 {
		return fmt.Errorf("email: timeout and attachment limit may not be negative")
	}
	if c.Host == "" {
		return nil
	}
	if strings.ContainsAny(c.Host, " /@") || (strings.Contains(c.Host, ":") && net.ParseIP(c.Host) == nil) {
		return fmt.Errorf("email: SOIS_SMTP_HOST %q is not a host name", c.Host)
	}
	if c.From == "" {
		return fmt.Errorf("email: SOIS_SMTP_FROM is required when SOIS_SMTP_HOST is set")
	}
	if hasControl(c.From) {
		return fmt.Errorf("email: SOIS_SMTP_FROM contains control characters")
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("email: SOIS_SMTP_FROM %q is not an email address", c.From)
	}
	return nil
}

// withDefaults fills in the documented defaults.
func (c Config) withDefaults() Config {
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if c.Port == 0 {
		switch c.TLS {
		case TLSNone:
			c.Port = 25
		case TLSImplicit:
			c.Port = 465
		default:
			c.Port = 587
		}
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxAttachmentBytes == 0 {
		c.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	return c
}

// String describes c without its password.
func (c Config) String() string {
	if c.Host == "" {
		return "no SMTP relay"
	}
	auth := "no auth"
	if c.Username != "" {
		auth = "auth as " + c.Username
	}
	return fmt.Sprintf("smtp://%s:%d (%s, %s, from %s)", c.Host, c.Port, c.TLS, auth, c.From)
}
