package httpapi

import (
	"context"
	"net/http"
	"net/netip"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/oauth"
	"github.com/soisnode/soisnode/workspace"
)

type principalKey struct{}

// securityBoth is the OpenAPI security requirement of the caller API:
// both credentials together.
var securityBoth = []map[string][]string{{"bearerToken": {}, "apiKey": {}}}

func securitySchemes() map[string]*huma.SecurityScheme {
	return map[string]*huma.SecurityScheme{
		"bearerToken": {Type: "http", Scheme: "bearer", Description: "A member's access token, `sois_tok_…`. The agent acts as this member."},
		"apiKey":      {Type: "apiKey", In: "header", Name: "X-Api-Key", Description: "The integration key, `sois_…`: scopes, budgets and response_url."},
		"webhookSignature": {Type: "apiKey", In: "header", Name: "Sois-Signature",
			Description: "On webhooks the node sends: a detached JWS over the body, verifiable with /.well-known/jwks.json (or the Standard Webhooks webhook-signature header: v1 HMAC under the key's webhook secret, v1a Ed25519)."},
	}
}

// authenticate checks both credentials of a request. An Authorization
// header of another scheme, or none, authenticates no one.
func (n *Server) authenticate(ctx context.Context, authz, apiKey string) (access.Principal, error) {
	token, _ := bearer(authz)
	return access.Authenticate(ctx, n.db, token, strings.TrimSpace(apiKey))
}

// bearer returns the credentials of an Authorization header of the Bearer
// scheme (RFC 6750 §2.1), whose name is case-insensitive (RFC 9110
// §11.1): "Bearer x", "bearer x" and "BEARER x" all carry x.
func bearer(authz string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(authz), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// authMiddleware authenticates every operation that declares security,
// before its body is read, so a rejected request stores nothing.
func (n *Server) authMiddleware(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if len(ctx.Operation().Security) == 0 {
			next(ctx)
			return
		}
		if !n.limiter.allow(clientIP(ctx.RemoteAddr())) {
			p := newProblem(http.StatusTooManyRequests, "too many failed authentication attempts; try again later")
			ctx.SetHeader("Retry-After", "60")
			_ = huma.WriteErr(api, ctx, p.Status, p.Detail)
			return
		}
		pr, err := n.authenticate(ctx.Context(), ctx.Header("Authorization"), ctx.Header("X-Api-Key"))
		if err != nil {
			if errs.Is(err, errs.Unauthorized) { // an outage is not the caller's failure
				n.limiter.fail(clientIP(ctx.RemoteAddr()))
			}
			p := problemFor(n.log, err)
			_ = huma.WriteErr(api, ctx, p.Status, p.Detail)
			return
		}
		next(huma.WithValue(ctx, principalKey{}, pr))
	}
}

// principal returns the authenticated caller of an operation.
func principal(ctx context.Context) access.Principal {
	pr, _ := ctx.Value(principalKey{}).(access.Principal)
	return pr
}

// MCPCaller authenticates a request to the MCP endpoint: the two
// static headers, or an OAuth access token alone (package oauth), which
// acts as the member who consented through the key they chose.
func (n *Server) MCPCaller(r *http.Request) (workspace.Caller, error) {
	ip := clientIP(r.RemoteAddr)
	if !n.limiter.allow(ip) {
		return workspace.Caller{}, errTooMany
	}
	var c workspace.Caller
	var err error
	if token, ok := oauthToken(r); ok {
		c, err = n.oauth.Verify(r.Context(), token)
	} else {
		var pr access.Principal
		pr, err = n.authenticate(r.Context(), r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"))
		c = pr.Caller
	}
	if err != nil {
		if errs.Is(err, errs.Unauthorized) {
			n.limiter.fail(ip)
		}
		return workspace.Caller{}, err
	}
	return c, nil
}

// oauthToken returns the OAuth access token of a request that carries one
// and no integration key.
func oauthToken(r *http.Request) (string, bool) {
	token, ok := bearer(r.Header.Get("Authorization"))
	return token, ok && r.Header.Get("X-Api-Key") == "" && strings.HasPrefix(token, oauth.AccessTokenPrefix)
}

// MCPChallenge is the WWW-Authenticate of a 401 from /mcp: where OAuth
// clients find how to get a token (RFC 9728 §5.1).
func (n *Server) MCPChallenge(r *http.Request) string {
	return n.oauth.Challenge(r.Header.Get("Authorization") != "")
}

// Authenticate checks a request's two credentials through the failed-
// authentication limiter, as the caller API does (the A2A endpoint).
func (n *Server) Authenticate(r *http.Request) (access.Principal, error) {
	ip := clientIP(r.RemoteAddr)
	if !n.limiter.allow(ip) {
		return access.Principal{}, errTooMany
	}
	pr, err := n.authenticate(r.Context(), r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"))
	if err != nil && errs.Is(err, errs.Unauthorized) {
		n.limiter.fail(ip)
	}
	return pr, err
}

// clientIP is the failure limiter's key for a remote address: the IPv4
// address, or the /64 of an IPv6 address (one client routinely holds a
// whole /64, so counting per address would hand it a fresh allowance for
// every address it picks).
func clientIP(remote string) string {
	host := remote
	if i := strings.LastIndexByte(remote, ':'); i > 0 {
		host = strings.Trim(remote[:i], "[]")
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().String()
	}
	return ip.String()
}
