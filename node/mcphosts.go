package node

import (
	"net"
	"net/url"
)

// mcpHosts are the names /mcp answers to (DNS rebinding protection):
// SOIS_PUBLIC_URL's host, the address the node listens on (every loopback
// name when it listens on loopback or on all addresses), and
// SOIS_MCP_ALLOW_HOSTS.
func (n *Node) mcpHosts() []string {
	hosts := append([]string{}, n.cfg.MCPAllowHosts...)
	if u, err := url.Parse(n.cfg.PublicURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	addr := n.cfg.Listen
	if n.listener != nil {
		addr = n.listener.Addr().String()
	}
	if host, port, err := net.SplitHostPort(addr); err == nil {
		ip := net.ParseIP(host)
		switch {
		case host == "" || (ip != nil && ip.IsUnspecified()):
			hosts = append(hosts, net.JoinHostPort("localhost", port))
		default:
			hosts = append(hosts, net.JoinHostPort(host, port))
		}
	}
	return hosts
}
