package mcp

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// DNS rebinding protection (MCP transport specification, "Security
// Warning"): a web page on an attacker's domain whose name is made to
// resolve to this node's address could otherwise reach /mcp from a
// victim's browser. The endpoint answers only requests whose Host, and
// Origin when present, names the node itself.

// HostAllowed reports whether host (a Host header value or an Origin's
// host, with or without a port) is one of allowed. An entry with a port
// matches that port only; one without matches any port; "*" matches every
// host (protection off). Names compare case-insensitively; the loopback
// names localhost, 127.0.0.1 and ::1 stand for one another.
func HostAllowed(host string, allowed []string) bool {
	name, port := splitHost(host)
	if name == "" {
		return false
	}
	for _, a := range allowed {
		if a == "*" {
			return true
		}
		an, ap := splitHost(a)
		if an == "" || (ap != "" && ap != port) {
			continue
		}
		if an == name || (isLoopbackName(an) && isLoopbackName(name)) {
			return true
		}
	}
	return false
}

// splitHost lower-cases host and splits off its port ("" when none).
func splitHost(host string) (name, port string) {
	host = strings.ToLower(strings.TrimSpace(host))
	if h, p, err := net.SplitHostPort(host); err == nil {
		return strings.Trim(h, "[]"), p
	}
	return strings.Trim(host, "[]"), ""
}

func isLoopbackName(name string) bool {
	if name == "localhost" {
		return true
	}
	ip := net.ParseIP(name)
	return ip != nil && ip.IsLoopback()
}

// checkOrigin applies HostAllowed to r's Host and, when present, Origin.
// It returns the refused value, or "" when r may proceed.
func checkOrigin(r *http.Request, allowed []string) (string, bool) {
	if !HostAllowed(r.Host, allowed) {
		return "Host " + quote(r.Host), false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return "", true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || !HostAllowed(u.Host, allowed) {
		return "Origin " + quote(origin), false
	}
	return "", true
}

func quote(s string) string {
	if len(s) > 200 {
		s = s[:200]
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// forbid answers a request from a host that is not the node's own.
func forbid(w http.ResponseWriter, what string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": "Forbidden", "status": http.StatusForbidden,
		"detail": what + " is not this node's (DNS rebinding protection); an operator can allow it with SOIS_MCP_ALLOW_HOSTS"})
}
