package webhook

import (
	"net"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// FuzzCheckURL: no response_url panics the guard, and whatever it accepts
// is an absolute http(s) URL with a host and no credentials, https unless
// the host is allow-listed, and never a literal blocked address or
// localhost unless allow-listed.
func FuzzCheckURL(f *testing.F) {
	for _, s := range [][2]string{
		{"https://hooks.example.com/a?token=x", ""},
		{"http://127.0.0.1:8080/hook", "127.0.0.1"},
		{"http://localhost/hook", ""},
		{"https://[::ffff:127.0.0.1]/", ""},
		{"https://[64:ff9b::a9fe:a9fe]/", ""},
		{"https://169.254.169.254/latest/meta-data", "localhost"},
		{"https://user:pw@example.com/", ""},
		{"https://0x7f.1/", ""},
		{"https://foo.localhost./", ""},
		{"ftp://example.com/", "example.com"},
		{"https:example.com", ""},
		{"//example.com/x", ""},
		{"https://[fe80::1%25eth0]/", "[::1]:80, LOCALHOST."},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, raw, allow string) {
		g := Guard{AllowHosts: ParseAllowHosts(allow)}
		if g.CheckURL(raw) != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil || !u.IsAbs() || u.Hostname() == "" || u.User != nil {
			t.Fatalf("accepted %q: parse %v, host %q, user %v", raw, err, u.Hostname(), u.User)
		}
		host := u.Hostname()
		if g.Allowed(host) {
			if u.Scheme != "https" && u.Scheme != "http" {
				t.Fatalf("accepted scheme %q in %q", u.Scheme, raw)
			}
			return
		}
		if u.Scheme != "https" {
			t.Fatalf("accepted %q: not https and %q is not allow-listed", raw, host)
		}
		if ip, err := netip.ParseAddr(normHost(host)); err == nil && Blocked(ip) {
			t.Fatalf("accepted %q: %s is blocked", raw, ip)
		}
		if h := normHost(host); h == "localhost" || strings.HasSuffix(h, ".localhost") {
			t.Fatalf("accepted %q: localhost", raw)
		}
	})
}

// FuzzAddress: no address panics Blocked or the dialer's check; an
// address's IPv4-mapped, NAT64 and 6to4 forms are judged like the address
// itself; and the dialer refuses exactly the blocked, non-allow-listed
// addresses.
func FuzzAddress(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "10.1.2.3", "8.8.8.8", "::1", "::ffff:10.0.0.1", "64:ff9b::808:808",
		"2002:a9fe:a9fe::1", "fe80::1%eth0", "100.64.0.1", "0.0.0.0", "2606:4700::1111", "255.255.255.255"} {
		f.Add(s, "")
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, s, allow string) {
		g := Guard{AllowHosts: ParseAllowHosts(allow)}
		ip, err := netip.ParseAddr(s)
		if err != nil {
			_ = g.Control("tcp", s, nil) // garbage from the resolver must not panic either
			return
		}
		b := Blocked(ip)
		if ip.Is4() {
			v4 := ip.As4()
			mapped := netip.AddrFrom16(ip.As16())
			nat64 := netip.AddrFrom16([16]byte{0x00, 0x64, 0xff, 0x9b, 10: 0, 11: 0, 12: v4[0], 13: v4[1], 14: v4[2], 15: v4[3]})
			sixToFour := netip.AddrFrom16([16]byte{0x20, 0x02, v4[0], v4[1], v4[2], v4[3], 15: 1})
			for _, alt := range []netip.Addr{mapped, nat64, sixToFour} {
				if Blocked(alt) != b {
					t.Fatalf("Blocked(%s) = %v but Blocked(%s) = %v", ip, b, alt, !b)
				}
			}
		}
		err = g.Control("tcp", net.JoinHostPort(ip.String(), "443"), nil)
		if want := b && !g.Allowed(ip.String()); (err != nil) != want {
			t.Fatalf("Control(%s) = %v, want refused %v", ip, err, want)
		}
	})
}
