package extensions

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/soisnode/soisnode/clip"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/workspace"
)

// Limits on what an extension may declare, so one misbehaving server cannot
// blow up a tool listing.
const (
	maxToolsPerExtension = 100
	maxNameLen           = 64 // full ext_<name>_<tool>; what LLM function-calling APIs accept
	maxDescriptionLen    = 1024
	maxSchemaBytes       = 64 << 10
)

// remoteTool is one tool an extension declares, as we will offer it.
type remoteTool struct {
	Name        string // the extension's own name for it
	Description string
	Schema      json.RawMessage
	Effect      workspace.Effect
}

var toolNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// connect opens an MCP client session to e.
func (s *Source) connect(ctx context.Context, e Extension) (*sdk.ClientSession, error) {
	client := sdk.NewClient(&sdk.Implementation{Name: "soisnode", Version: s.opts.Version}, nil)
	return client.Connect(ctx, &sdk.StreamableClientTransport{
		Endpoint:             e.URL,
		HTTPClient:           s.opts.HTTPClient,
		DisableStandaloneSSE: true, // we only ever ask and wait for the answer
	}, nil)
}

// fetchTools lists e's tools. Tools we cannot offer (bad name, schema that
// is not an object or does not compile) are left out and logged.
func (s *Source) fetchTools(ctx context.Context, e Extension) ([]remoteTool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.ListTimeout)
	defer cancel()
	tools, err := bounded(ctx, func() ([]remoteTool, error) { return s.listTools(ctx, e) })
	if err != nil {
		return nil, s.unreachable(ctx, e, err)
	}
	return tools, nil
}

func (s *Source) listTools(ctx context.Context, e Extension) ([]remoteTool, error) {
	ctx, cancel := detach(ctx)
	defer cancel()
	cs, err := s.connect(ctx, e)
	if err != nil {
		return nil, err
	}
	defer cs.Close()
	var out []remoteTool
	for t, err := range cs.Tools(ctx, nil) {
		if err != nil {
			return nil, err
		}
		if len(out) == maxToolsPerExtension {
			s.opts.Logger.Warn("extension declares too many tools; the rest are ignored", "extension", e, "max", maxToolsPerExtension)
			break
		}
		rt, why := convert(e.Name, t)
		if why != "" {
			s.opts.Logger.Warn("extension tool skipped", "extension", e, "tool", clip.Bytes(t.Name, 80), "reason", why)
			continue
		}
		out = append(out, rt)
	}
	return out, nil
}

// convert checks one declared tool; a non-empty reason says why it is skipped.
func convert(ext string, t *sdk.Tool) (remoteTool, string) {
	if !toolNameRE.MatchString(t.Name) || len("ext_"+ext+"_"+t.Name) > maxNameLen {
		return remoteTool{}, fmt.Sprintf("name must match [A-Za-z0-9_-] and ext_%s_<tool> must fit %d characters", ext, maxNameLen)
	}
	schema, err := json.Marshal(t.InputSchema)
	if err != nil || len(schema) > maxSchemaBytes {
		return remoteTool{}, "input schema is not JSON or too large"
	}
	var js jsonschema.Schema
	if err := json.Unmarshal(schema, &js); err != nil || js.Type != "object" {
		return remoteTool{}, `input schema is not of type "object"`
	}
	if _, err := js.Resolve(nil); err != nil {
		return remoteTool{}, "input schema does not compile"
	}
	desc := strings.TrimSpace(t.Description)
	if desc == "" && t.Annotations != nil {
		desc = t.Annotations.Title
	}
	return remoteTool{
		Name:        t.Name,
		Description: clip.Bytes(fmt.Sprintf("(extension %s) %s", ext, desc), maxDescriptionLen),
		Schema:      schema,
		Effect:      effectOf(t.Annotations),
	}, ""
}

// effectOf reads a tool's annotations the way MCP defines their defaults:
// read-only only when it says so, destructive unless it says it is not.
func effectOf(a *sdk.ToolAnnotations) workspace.Effect {
	switch {
	case a != nil && a.ReadOnlyHint:
		return workspace.Read
	case a == nil || a.DestructiveHint == nil || *a.DestructiveHint:
		return workspace.Destroy
	default:
		return workspace.Write
	}
}

// callRemote calls tool on e with args (a JSON object). A protocol error
// from the extension is Unprocessable; no answer at all is Unavailable.
func (s *Source) callRemote(ctx context.Context, e Extension, tool string, args json.RawMessage) (*sdk.CallToolResult, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.CallTimeout)
	defer cancel()
	res, err := bounded(ctx, func() (*sdk.CallToolResult, error) { return s.callTool(ctx, e, tool, args) })
	var rpc *jsonrpc.Error
	switch {
	case err == nil:
		return res, nil
	case errors.As(err, &rpc) && rpc.Code != codeRejected && !errors.As(err, new(notConnected)) && ctx.Err() == nil:
		// The extension answered, with a protocol error (unknown tool, bad params).
		return nil, errs.E(errs.Unprocessable, "extension %s refused the call to %s: %s", e.Name, tool, clip.Bytes(scrub(rpc.Message, e.URL), 300))
	default:
		uerr := s.unreachable(ctx, e, err)
		if errors.As(err, new(notConnected)) {
			// It does not even connect: hide its tools until it answers again,
			// rather than for a whole TTL. (A slow tool is no reason to.)
			s.tools.put(e.ID, nil, uerr, s.opts.DownTTL)
		}
		return nil, uerr
	}
}

// codeRejected is the SDK's JSON-RPC code for "rejected by transport": an
// HTTP failure dressed as an error response, not an answer from the tool.
const codeRejected = -32005

// notConnected marks an error from opening the session: whatever it wraps,
// the extension never saw the call.
type notConnected struct{ error }

func (n notConnected) Unwrap() error { return n.error }

// bounded runs f but returns as soon as ctx ends: after a timeout the SDK
// may spend a few more seconds telling a silent server the request was
// cancelled, and that must not stretch our deadline. f's goroutine ends
// with that clean-up.
func bounded[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func (s *Source) callTool(ctx context.Context, e Extension, tool string, args json.RawMessage) (*sdk.CallToolResult, error) {
	ctx, cancel := detach(ctx)
	defer cancel()
	cs, err := s.connect(ctx, e)
	if err != nil {
		return nil, notConnected{err}
	}
	defer cs.Close()
	if len(strings.TrimSpace(string(args))) == 0 {
		args = json.RawMessage(`{}`)
	}
	return cs.CallTool(ctx, &sdk.CallToolParams{Name: tool, Arguments: args})
}

// unreachable turns a transport error into the caller-facing Unavailable
// error. Neither the message nor anything logged carries the URL: the raw
// error is reduced to a short, scrubbed reason and the cause is dropped.
func (s *Source) unreachable(ctx context.Context, e Extension, err error) error {
	reason := reasonOf(ctx, err, e.URL)
	s.opts.Logger.Warn("extension unreachable", "extension", e, "reason", reason)
	return errs.E(errs.Unavailable, "extension %s is unreachable: %s", e.Name, reason)
}

func reasonOf(ctx context.Context, err error, rawURL string) string {
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "no answer in time"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dns):
		return "host not found"
	case errors.As(err, &cert):
		return "TLS certificate not trusted"
	}
	return clip.Bytes(scrub(err.Error(), rawURL), 200)
}

// urlRE matches anything URL-shaped in an error text.
var urlRE = regexp.MustCompile(`(?i)[a-z][a-z0-9+.-]*://[^\s"'<>]+`)

// scrub removes the extension's URL, and any credential-looking part of it,
// from msg.
func scrub(msg, rawURL string) string {
	msg = urlRE.ReplaceAllString(msg, "<url>")
	u, err := url.Parse(rawURL)
	if err != nil {
		return msg
	}
	secrets := []string{rawURL, u.RawQuery, u.User.String()}
	if u.User != nil {
		p, _ := u.User.Password()
		secrets = append(secrets, u.User.Username(), p)
	}
	for _, vs := range u.Query() {
		secrets = append(secrets, vs...)
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if len(seg) >= 8 { // long path segments are often tokens
			secrets = append(secrets, seg)
		}
	}
	for _, sec := range secrets {
		if len(sec) >= 3 { // shorter ones would mangle the message, and say little
			msg = strings.ReplaceAll(msg, sec, "***")
		}
	}
	return msg
}

// detach returns a context with parent's cancellation and deadline but none
// of its values. A call that arrives through our own MCP server carries the
// SDK's per-request values (its protocol version among them), which the
// SDK's client would otherwise send on to the extension.
func detach(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	if dl, ok := parent.Deadline(); ok {
		var cancelDL context.CancelFunc
		ctx, cancelDL = context.WithDeadline(ctx, dl)
		prev := cancel
		cancel = func() { cancelDL(); prev() }
	}
	stop := context.AfterFunc(parent, cancel)
	return ctx, func() { stop(); cancel() }
}
