package webhook

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"testing"

	"github.com/soisnode/soisnode/errs"
)

func TestBlocked(t *testing.T) {
	tests := []struct {
		addr    string
		blocked bool
	}{
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		{"100.128.0.1", false},
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"169.254.169.254", true}, // cloud metadata
		{"169.254.0.1", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"172.32.0.1", false},
		{"192.0.0.8", true},
		{"192.0.2.1", true},
		{"192.168.1.1", true},
		{"198.18.0.1", true},
		{"198.51.100.7", true},
		{"203.0.113.9", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"93.184.216.34", false},
		{"11.0.0.1", false},
		{"::", true},
		{"::1", true},
		{"::127.0.0.1", true}, // IPv4-compatible
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::7f00:1", true}, // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", false},
		{"64:ff9b:1::1", true},
		{"2002:7f00:1::1", true}, // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", true},
		{"2002:808:808::1", false},
		{"fc00::1", true},
		{"fd12:3456:789a::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"febf::1", true},
		{"fec0::1", true},
		{"ff02::1", true},
		{"2001:db8::1", true},
		{"2001::1", true}, // Teredo
		{"100::1", true},
		{"2606:4700:4700::1111", false},
		{"2a00:1450:4001:80b::200e", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			if got := Blocked(netip.MustParseAddr(tt.addr)); got != tt.blocked {
				t.Fatalf("Blocked(%s) = %v, want %v", tt.addr, got, tt.blocked)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	g := Guard{AllowHosts: ParseAllowHosts(" localhost:8080, 127.0.0.1 ,[::1],Hooks.Internal.")}
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://example.com/hook", true},
		{"https://example.com:8443/hook?token=x", true},
		{"https://93.184.216.34/hook", true},
		{"http://example.com/hook", false},
		{"ftp://example.com/hook", false},
		{"https:///hook", false},
		{"/relative", false},
		{"example.com/hook", false},
		{"https://user:pass@example.com/", false},
		{"https://10.0.0.5/hook", false},
		{"https://169.254.169.254/latest/meta-data", false},
		{"https://[::1]/hook", true}, // allow-listed
		{"https://[::ffff:7f00:1]/hook", true},
		{"https://[fd00::1]/hook", false},
		{"https://127.0.0.2/hook", false},
		{"https://localhost.localhost/hook", false},
		{"http://localhost:9999/hook", true}, // allow-listed: http allowed
		{"http://127.0.0.1:9999/hook", true},
		{"http://hooks.internal/x", true},
		{"http://HOOKS.INTERNAL./x", true},
		{"javascript:alert(1)", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := g.CheckURL(tt.url)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckURL(%q) = %v, want ok=%v", tt.url, err, tt.ok)
			}
			if err != nil && !errs.Is(err, errs.Invalid) {
				t.Fatalf("error kind = %v, want invalid", errs.KindOf(err))
			}
		})
	}
	if err := (Guard{}).CheckURL("https://localhost/hook"); err == nil {
		t.Fatal("localhost accepted without allow-list")
	}
}

// TestCheckURLNames: other outbound callers name their URL and setting in
// the messages; the zero Guard keeps the webhook wording.
func TestCheckURLNames(t *testing.T) {
	if got := errs.Message((Guard{}).CheckURL("http://example.com/")); got != "response_url must use https (http only for hosts in SOIS_WEBHOOK_ALLOW_HOSTS)" {
		t.Fatalf("default message %q", got)
	}
	g := Guard{Subject: "peer URL", Setting: "SOIS_PEER_ALLOW_HOSTS"}
	if got := errs.Message(g.CheckURL("http://example.com/")); got != "peer URL must use https (http only for hosts in SOIS_PEER_ALLOW_HOSTS)" {
		t.Fatalf("named message %q", got)
	}
}

func TestParseAllowHosts(t *testing.T) {
	got := ParseAllowHosts("localhost:8080, [::1]:9000,,127.0.0.1 , Example.COM., http://hooks.test:9000/in, https://[::1]/, http://%zz")
	want := []string{"localhost", "::1", "127.0.0.1", "example.com", "hooks.test", "::1"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestControl(t *testing.T) {
	tests := []struct {
		allow []string
		addr  string
		ok    bool
	}{
		{nil, "127.0.0.1:80", false},
		{nil, "[::1]:443", false},
		{nil, "[::ffff:10.1.2.3]:443", false},
		{nil, "169.254.169.254:80", false},
		{nil, "8.8.8.8:443", true},
		{[]string{"127.0.0.1"}, "127.0.0.1:80", true},
		{[]string{"127.0.0.1"}, "[::ffff:127.0.0.1]:80", true},
		{[]string{"localhost"}, "127.0.0.1:80", false}, // a name allows its dial, not the address
	}
	for _, tt := range tests {
		err := Guard{AllowHosts: tt.allow}.Control("tcp", tt.addr, nil)
		if (err == nil) != tt.ok {
			t.Errorf("allow %v, Control(%s) = %v, want ok=%v", tt.allow, tt.addr, err, tt.ok)
		}
		var be *BlockedError
		if err != nil && !errors.As(err, &be) {
			t.Errorf("Control(%s) error %T is not a *BlockedError", tt.addr, err)
		}
	}
}

// TestDialRefusesLoopback connects for real: the refusal happens at connect
// time, after resolution.
func TestDialRefusesLoopback(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	var be *BlockedError
	for _, host := range []string{"127.0.0.1", "localhost"} {
		_, err := Guard{}.DialContext(context.Background(), "tcp", net.JoinHostPort(host, port))
		if !errors.As(err, &be) {
			t.Errorf("dial %s: err = %v, want *BlockedError", host, err)
		}
	}
	for _, allow := range []string{"127.0.0.1", "localhost"} {
		c, err := Guard{AllowHosts: []string{allow}}.DialContext(context.Background(), "tcp", net.JoinHostPort(allow, port))
		if err != nil {
			t.Errorf("allow-listed %s: %v", allow, err)
			continue
		}
		c.Close()
	}
}
