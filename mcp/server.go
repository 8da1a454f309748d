package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/workspace"
)

// server builds the MCP server for one authenticated request: it holds the
// tools this caller may use, and nothing else.
func (h *handler) server(r *http.Request) *sdk.Server {
	c, _ := r.Context().Value(callerKey{}).(workspace.Caller)
	s := sdk.NewServer(&sdk.Implementation{Name: h.opts.Name, Version: h.opts.Version}, &sdk.ServerOptions{
		Instructions: h.opts.Instructions,
		Capabilities: &sdk.ServerCapabilities{Tools: &sdk.ToolCapabilities{}},
		// The tool list depends on who asks: no one else may reuse it.
		SetCacheable: func(_ context.Context, _ sdk.Request, cc *sdk.Cacheable) { cc.CacheScope = "private" },
	})
	tools, err := h.reg.List(r.Context(), c)
	if err != nil {
		h.opts.Logger.Error("mcp: list tools", "err", err, "workspace_id", c.WorkspaceID, "key_id", c.KeyID)
	}
	listed := make(map[string]bool, len(tools))
	for _, t := range tools {
		if !isObjectSchema(t.Schema) {
			h.opts.Logger.Warn("mcp: tool schema is not an object; not offered", "tool", t.Name)
			continue
		}
		listed[t.Name] = true
		s.AddTool(describe(t), func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
			return h.call(ctx, c, t.Name, dropNullOptionals(t.Schema, req.Params.Arguments)), nil
		})
	}
	// A call to a tool that is not listed still goes to the registry, so the
	// caller learns why (e.g. which scope it needs) instead of a bare
	// "unknown tool"; a name the registry does not know is a protocol error.
	s.AddReceivingMiddleware(func(next sdk.MethodHandler) sdk.MethodHandler {
		return func(ctx context.Context, method string, req sdk.Request) (sdk.Result, error) {
			call, ok := req.(*sdk.CallToolRequest)
			if method != "tools/call" || !ok || call.Params == nil || listed[call.Params.Name] {
				return next(ctx, method, req)
			}
			if _, err := h.reg.Lookup(ctx, c, call.Params.Name); errs.Is(err, errs.NotFound) {
				return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: errs.Message(err)}
			}
			return h.call(ctx, c, call.Params.Name, call.Params.Arguments), nil
		}
	})
	return s
}

// describe turns a workspace tool into its MCP declaration.
func describe(t workspace.Tool) *sdk.Tool {
	external := t.OutsideTx() // its effects reach outside the workspace
	a := &sdk.ToolAnnotations{
		ReadOnlyHint:   t.Effect == workspace.Read,
		IdempotentHint: t.Effect == workspace.Read || t.Idempotent,
		OpenWorldHint:  &external,
	}
	if t.Effect != workspace.Read {
		destructive := t.Effect == workspace.Destroy
		a.DestructiveHint = &destructive
	}
	return &sdk.Tool{Name: t.Name, Description: t.Description, InputSchema: nullableSchema(t.Schema), Annotations: a}
}

func isObjectSchema(schema json.RawMessage) bool {
	var s struct {
		Type any `json:"type"`
	}
	return json.Unmarshal(schema, &s) == nil && s.Type == "object"
}

// call runs a tool for c through the registry, which checks permission and
// arguments. Failures become tool errors with a caller-safe message.
func (h *handler) call(ctx context.Context, c workspace.Caller, name string, args json.RawMessage) *sdk.CallToolResult {
	if bytes.Equal(bytes.TrimSpace(args), []byte("null")) {
		args = nil // "no arguments", as some clients say it
	}
	start := time.Now()
	res, err := h.reg.Call(ctx, c, name, args)
	d := time.Since(start)
	log := h.opts.Logger.With("tool", name, "workspace_id", c.WorkspaceID, "member_id", c.MemberID, "key_id", c.KeyID,
		"duration_ms", d.Milliseconds())
	if err != nil {
		if errs.KindOf(err) == errs.Internal {
			log.Error("mcp: tool call failed", "err", err)
			h.called(name, "error", d)
		} else {
			log.Info("mcp: tool call refused", "kind", errs.KindOf(err).String())
			h.called(name, "refused", d)
		}
		return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: errs.Message(err)}}}
	}
	log.Info("mcp: tool call", "ok", true, "actions", len(res.Actions))
	structured, text, err := structure(res)
	if err != nil {
		log.Error("mcp: tool result is not JSON", "err", err)
		h.called(name, "error", d)
		return &sdk.CallToolResult{IsError: true, Content: []sdk.Content{&sdk.TextContent{Text: "internal error"}}}
	}
	h.called(name, "ok", d)
	return &sdk.CallToolResult{StructuredContent: structured, Content: []sdk.Content{&sdk.TextContent{Text: text}}}
}

// called tells Options.OnCall of a finished call.
func (h *handler) called(tool, outcome string, d time.Duration) {
	if h.opts.OnCall != nil {
		h.opts.OnCall(tool, outcome, d)
	}
}

// structure makes a result's structured content: Data when it is a JSON
// object, else {"result": Data}, plus "actions" when the tool changed
// something. text is the same object as JSON, for clients that read only
// text content.
func structure(res workspace.Result) (json.RawMessage, string, error) {
	data, err := json.Marshal(res.Data)
	if err != nil {
		return nil, "", err
	}
	obj := map[string]json.RawMessage{}
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &obj) != nil {
		obj = map[string]json.RawMessage{"result": data}
	}
	if len(res.Actions) > 0 {
		if obj["actions"], err = json.Marshal(res.Actions); err != nil {
			return nil, "", err
		}
	}
	out, err := json.Marshal(obj)
	return out, string(out), err
}
