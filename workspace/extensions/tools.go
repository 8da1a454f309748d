package extensions

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/soisnode/soisnode/clip"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/workspace"
)

// Tools returns the built-in extensions_list tool, which reports on src's
// extensions. Register it with Registry.Add and src with Registry.AddSource.
func Tools(src *Source) []workspace.Tool {
	return []workspace.Tool{workspace.Define(workspace.Spec[workspace.NoArgs]{
		Name:        "extensions_list",
		Description: "List the extensions (remote MCP servers) installed in the workspace: name, host, whether each is reachable now, and the names of the ext_<extension>_<tool> tools it offers.",
		Scope:       "extensions:read",
		Effect:      workspace.Read,
		Run:         src.runList,
	})}
}

// Status is one installed extension as extensions_list reports it.
type Status struct {
	Name   string   `json:"name"`
	Host   string   `json:"host"`
	Status string   `json:"status"`          // "reachable" or "unreachable"
	Error  string   `json:"error,omitempty"` // why it is unreachable, e.g. "connection refused"
	Tools  []string `json:"tools"`           // full tool names, ext_<name>_<tool>
}

func (s *Source) runList(ctx context.Context, env workspace.Env, _ workspace.NoArgs) (workspace.Result, error) {
	exts, err := List(ctx, env.Tx, env.Caller.WorkspaceID)
	if err != nil {
		return workspace.Result{}, err
	}
	out := make([]Status, len(exts))
	for i, p := range s.probe(ctx, exts) {
		st := Status{Name: exts[i].Name, Host: exts[i].Host(), Status: "reachable", Tools: []string{}}
		if p.err != nil {
			st.Status = "unreachable"
			st.Error = strings.TrimPrefix(errs.Message(p.err), "extension "+exts[i].Name+" is unreachable: ")
		}
		for _, rt := range p.tools {
			st.Tools = append(st.Tools, "ext_"+exts[i].Name+"_"+rt.Name)
		}
		out[i] = st
	}
	return workspace.Result{Data: map[string]any{"extensions": out}}, nil
}

// callOutput is the Data of an extension tool call.
type callOutput struct {
	Extension string `json:"extension"`
	Tool      string `json:"tool"`
	Content   any    `json:"content"`            // the remote structured content, or its text
	IsError   bool   `json:"is_error,omitempty"` // the remote tool reported a failure
}

// run calls one remote tool. Its output, errors included, is returned as
// untrusted data rather than as an error message, so that text from outside
// the workspace always reaches the model marked as data.
func (s *Source) run(ctx context.Context, e Extension, name string, rt remoteTool, args json.RawMessage) (workspace.Result, error) {
	res, err := s.callRemote(ctx, e, rt.Name, args)
	if err != nil {
		return workspace.Result{}, err
	}
	r := workspace.Result{
		Data:      callOutput{Extension: e.Name, Tool: rt.Name, Content: s.contentOf(res), IsError: res.IsError},
		Untrusted: true,
	}
	if rt.Effect != workspace.Read {
		r.Actions = []workspace.Receipt{{
			Tool: name, OK: !res.IsError,
			Summary: fmt.Sprintf("called tool %s of extension %s", rt.Name, e.Name),
		}}
	}
	return r, nil
}

// contentOf picks what a call returns: the structured content when there
// is some and it fits, else the text parts; never more than MaxContentBytes.
func (s *Source) contentOf(res *sdk.CallToolResult) any {
	max := s.opts.MaxContentBytes
	if res.StructuredContent != nil {
		b, err := json.Marshal(res.StructuredContent)
		if err == nil && len(b) <= max {
			return json.RawMessage(b)
		}
		if err == nil {
			return clip.Bytes(string(b), max)
		}
	}
	var parts []string
	for _, c := range res.Content {
		if t, ok := c.(*sdk.TextContent); ok {
			parts = append(parts, t.Text)
		} else {
			parts = append(parts, "[non-text content omitted]")
		}
	}
	return clip.Bytes(strings.Join(parts, "\n"), max)
}
