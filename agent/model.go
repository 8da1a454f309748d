// Package agent runs a conversation turn: it asks a model provider what to
// do, executes the tool calls it names through the workspace tool registry
// (checked against the caller's permissions), feeds the results back, and
// stops at a final reply, a question for the caller, or the step limit.
//
// Providers (local, gemini, openai) all speak the small vocabulary in this
// file, so the loop never knows which model it talks to.
package agent

import (
	"context"
	"encoding/json"

	"github.com/soisnode/soisnode/workspace"
)

// Role is who produced a message in the model's context.
type Role string

// Roles of a model conversation.
const (
	RoleUser  Role = "user"  // the caller's message (or answer to a question)
	RoleModel Role = "model" // the model's text and/or tool calls
	RoleTool  Role = "tool"  // results of the tool calls of the previous model message
)

// Message is one entry of the model's context.
type Message struct {
	Role    Role         `json:"role"`
	Text    string       `json:"text,omitempty"`
	Calls   []ToolCall   `json:"calls,omitempty"`   // RoleModel: tool calls requested
	Results []ToolResult `json:"results,omitempty"` // RoleTool: one per call, same order
}

// ToolCall is a model's request to run one tool.
type ToolCall struct {
	ID   string          `json:"id"` // provider's call id, or one the loop assigns
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
}

// ToolResult is what a tool returned, as the model sees it.
type ToolResult struct {
	CallID  string          `json:"call_id"`
	Name    string          `json:"name"`
	Content json.RawMessage `json:"content"` // JSON object; untrusted data is wrapped, never instructions
	IsError bool            `json:"is_error,omitempty"`
}

// ToolDecl declares a tool to the model.
type ToolDecl struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"` // JSON Schema of the arguments (an object)
}

// Request is one model call.
type Request struct {
	Model    string
	System   string
	Messages []Message
	Tools    []ToolDecl
	// Deferred names the tools the caller may use that Tools does not
	// declare: DescribeTool's declaration names them, and they are
	// declared once described (Declare). Providers do not send this list;
	// a provider that picks tools itself (local) may call them.
	Deferred        []string
	MaxOutputTokens int
}

// Usage is the token usage a provider reported for one call.
type Usage struct {
	InputTokens       int64 `json:"input_tokens"`
	CachedInputTokens int64 `json:"cached_input_tokens,omitempty"` // part of InputTokens served from cache
	OutputTokens      int64 `json:"output_tokens"`
}

// Response is a provider's answer to one Request.
type Response struct {
	Message Message // Role is RoleModel
	Usage   Usage
	Model   string // the model that answered (for pricing)
}

// Provider is a model that can be asked for the next step of a turn.
// Implementations must be safe for concurrent use.
type Provider interface {
	// Name is the provider's short name: "local", "gemini", "openai".
	Name() string
	// Model is the default model name used when a Request names none.
	Model() string
	// Generate performs one model call. Errors that a retry may fix wrap
	// ErrRetryable (see RetryableError).
	Generate(ctx context.Context, req Request) (Response, error)
}

// AskTool is the built-in tool the loop declares to every model: calling it
// ends the turn with status input_required and the question as the reply.
const AskTool = "ask_caller"

// AskToolDecl is the declaration of AskTool.
var AskToolDecl = ToolDecl{
	Name:        AskTool,
	Description: "Ask the caller a question (name the options if there are candidates) when the request is ambiguous or needs confirmation; ends the turn until they answer.",
	Schema:      ModelSchema(workspace.SchemaFor[askArgs]()),
}

// askArgs are AskTool's arguments.
type askArgs struct {
	Question string `json:"question" schema:"required"`
}
