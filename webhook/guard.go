package webhook

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/soisnode/soisnode/errs"
)

// Guard decides which webhook targets may be called. The zero Guard allows
// only https URLs on public addresses. Hosts in AllowHosts (from
// SOIS_WEBHOOK_ALLOW_HOSTS, for development and tests) are exempt from both
// the https rule and the address rules.
type Guard struct {
	// AllowHosts are host names or IP literals, without port, compared
	// case-insensitively, e.g. "localhost", "127.0.0.1", "::1".
	AllowHosts []string
	// Subject names the URL in CheckURL's messages; default "response_url".
	// Other outbound callers (the peer registry) guard their URLs too.
	Subject string
	// Setting names the allow-list setting in CheckURL's messages; default
	// "SOIS_WEBHOOK_ALLOW_HOSTS".
	Setting string
}

// ParseAllowHosts splits a comma-separated SOIS_WEBHOOK_ALLOW_HOSTS (or
// SOIS_PEER_ALLOW_HOSTS) value into host names, dropping ports and IPv6
// brackets; an entry written as a URL ("http://127.0.0.1:9000/hook")
// stands for its host.
func ParseAllowHosts(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ",") {
		h = strings.TrimSpace(h)
		if strings.Contains(h, "://") {
			u, err := url.Parse(h)
			if err != nil {
				continue // no host to allow
			}
			h = u.Host
		}
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		if h = normHost(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

func normHost(h string) string {
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// Allowed reports whether host (a name or an IP literal) is allow-listed.
func (g Guard) Allowed(host string) bool {
	host = normHost(host)
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.Unmap().WithZone("").String()
	}
	for _, a := range g.AllowHosts {
		a = normHost(a)
		if ip, err := netip.ParseAddr(a); err == nil {
			a = ip.Unmap().String()
		}
		if a == host {
			return true
		}
	}
	return false
}

// CheckURL validates a response_url when it is saved and before each send:
// an absolute https URL (or http for an allow-listed host) with a host,
// no credentials, and — when the host is an IP literal — a public address.
// Names are not resolved here; the dialer checks every address it connects
// to. Errors are errs.Invalid with a message safe to show the caller.
func (g Guard) CheckURL(raw string) error {
	subject, setting := g.Subject, g.Setting
	if subject == "" {
		subject = "response_url"
	}
	if setting == "" {
		setting = "SOIS_WEBHOOK_ALLOW_HOSTS"
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" {
		return errs.E(errs.Invalid, "%s must be an absolute http(s) URL", subject)
	}
	host := u.Hostname()
	if host == "" {
		return errs.E(errs.Invalid, "%s has no host", subject)
	}
	if u.User != nil {
		return errs.E(errs.Invalid, "%s must not carry credentials", subject)
	}
	allowed := g.Allowed(host)
	switch u.Scheme {
	case "https":
	case "http":
		if !allowed {
			return errs.E(errs.Invalid, "%s must use https (http only for hosts in %s)", subject, setting)
		}
	default:
		return errs.E(errs.Invalid, "%s must use https", subject)
	}
	if allowed {
		return nil
	}
	if ip, err := netip.ParseAddr(normHost(host)); err == nil && Blocked(ip) {
		return errs.E(errs.Invalid, "%s points to a private, loopback or reserved address", subject)
	}
	if h := normHost(host); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return errs.E(errs.Invalid, "%s points to localhost", subject)
	}
	return nil
}

// BlockedError is returned when a connection to a refused address is attempted.
type BlockedError struct{ Addr netip.Addr }

// Error implements error.
func (e *BlockedError) Error() string {
	return fmt.Sprintf("webhook: address %s is private, loopback or reserved", e.Addr)
}

// Control is a net.Dialer.Control function that refuses blocked addresses
// unless the address itself is allow-listed. It runs after name resolution,
// for every address tried, so DNS answers cannot smuggle in a private target.
func (g Guard) Control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("webhook: dial %q: %w", address, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("webhook: dial %q: not an IP address", address)
	}
	if Blocked(ip) && !g.Allowed(ip.String()) {
		return &BlockedError{Addr: ip.WithZone("")}
	}
	return nil
}

// ConnectTimeout bounds opening a connection: a receiver that is down or
// drops packets fails fast and holds a worker only this long.
const ConnectTimeout = 5 * time.Second

// DialContext dials addr ("host:port" as the HTTP transport passes it):
// an allow-listed host is dialled freely, any other host only to addresses
// that Control accepts.
func (g Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: ConnectTimeout, KeepAlive: 30 * time.Second}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("webhook: dial %q: %w", addr, err)
	}
	if !g.Allowed(host) {
		d.Control = g.Control
	}
	return d.DialContext(ctx, network, addr)
}

// Transport returns an HTTP transport that dials through g (see
// DialContext) and never uses a proxy, which would make the guard check the
// proxy instead of the target. timeout bounds waiting for response headers.
func (g Guard) Transport(timeout time.Duration) *http.Transport {
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            g.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    ConnectTimeout,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
}

// blocked are the ranges no webhook may reach: "this network", private
// (RFC 1918), shared CGNAT, loopback, link-local (including cloud metadata
// at 169.254.169.254), protocol-assignment, documentation, benchmarking,
// multicast and reserved ranges, and their IPv6 counterparts.
var blocked = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
		"198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		"::/96",          // unspecified, loopback and IPv4-compatible
		"100::/64",       // discard
		"2001::/23",      // IETF protocol assignments (Teredo, ORCHID…)
		"2001:db8::/32",  // documentation
		"fc00::/7",       // unique local
		"fe80::/10",      // link-local
		"fec0::/10",      // site-local (deprecated)
		"ff00::/8",       // multicast
		"64:ff9b:1::/48", // local-use NAT64
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// IPv6 ranges that embed an IPv4 address.
var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// Blocked reports whether ip is an address webhooks must not reach.
// IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
// forms are judged by the IPv4 address they embed.
func Blocked(ip netip.Addr) bool {
	ip = ip.WithZone("").Unmap()
	if !ip.IsValid() {
		return true
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return Blocked(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return Blocked(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
