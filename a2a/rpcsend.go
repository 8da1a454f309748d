package a2a

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	spec "github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2asrv"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/conversation"
	"github.com/soisnode/soisnode/jsonstr"
	"github.com/soisnode/soisnode/money"
)

// sendMethod is the JSON-RPC method serveSend answers.
const sendMethod = "SendMessage"

// rpcRequest is a JSON-RPC SendMessage request as a2a-go's JSON-RPC
// binding decodes it (its internal jsonrpc.ServerRequest, whose params it
// then decodes into a SendMessageRequest): the same fields and types, so
// a body decodes here exactly as it would there, in one pass instead of
// two (the params validated and copied once).
type rpcRequest struct {
	JSONRPC string                   `json:"jsonrpc"`
	Method  string                   `json:"method"`
	Params  *spec.SendMessageRequest `json:"params,omitempty"`
	ID      any                      `json:"id"`
}

// serveSend answers an authenticated JSON-RPC SendMessage (POST, body
// read) without a2a-go's JSON-RPC layer for the one answer it can write
// itself, a new task queued without waiting: a2a-go encodes its answer
// through nested MarshalJSON methods (the result, the task, every message,
// part, role and state), each of which is encoded and then compacted again
// by its parent, the largest cost of an A2A send after the database's
// (docs/a2a.md#benchmark). The request is decoded into a2a-go's own types,
// as its binding would, and everything else — a body it cannot decode,
// another method, an error, a blocking send, a resent messageId — is
// answered by a2a-go's binding (replaying the body, with the outcome
// already decided), so those answers stay a2a-go's. It reports whether it
// answered; false leaves the request, unread, to a2a-go.
func (s *Server) serveSend(w http.ResponseWriter, r *http.Request, body []byte, pr access.Principal) bool {
	if r.Method != http.MethodPost || !bytes.Contains(body, []byte(`"`+sendMethod+`"`)) {
		return false
	}
	var env rpcRequest
	if json.Unmarshal(body, &env) != nil || env.JSONRPC != "2.0" || env.Method != sendMethod || !validID(env.ID) || env.Params == nil {
		return false
	}
	res, quick, err := s.send(r.Context(), pr, env.Params)
	if err == nil && quick != nil {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(appendSubmitted(make([]byte, 0, 640+2*len(quick.text)), env.ID, quick))
		return true
	}
	// a2a-go writes the outcome: it decodes the body again and is handed
	// res or err by answered.
	r.Body = io.NopCloser(bytes.NewReader(body))
	a2asrv.NewJSONRPCHandler(answered{Server: s, res: res, err: err}).ServeHTTP(w, r)
	return true
}

// validID is a2a-go's check of a JSON-RPC id: absent, a string or a number.
func validID(id any) bool {
	switch id.(type) {
	case nil, string, float64:
		return true
	}
	return false
}

// answered is the Server with SendMessage's outcome decided already
// (serveSend ran it): a2a-go's binding, given it, writes that outcome.
type answered struct {
	*Server
	res spec.SendMessageResult
	err error
}

// SendMessage returns the outcome serveSend had.
func (a answered) SendMessage(context.Context, *spec.SendMessageRequest) (spec.SendMessageResult, error) {
	return a.res, a.err
}

// appendSubmitted appends the JSON-RPC answer to request id carrying
// q.view(), byte for byte as a2a-go's binding encodes it (json.Encoder,
// HTML-safe escaping, struct fields in declaration order, map keys
// sorted, a trailing newline; TestSubmittedEncoding compares the two).
func appendSubmitted(b []byte, id any, q *submitted) []byte {
	t := q.task
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = appendID(b, id)
	b = append(b, `,"result":{"task":{"id":`...)
	b = appendString(b, t.ID)
	b = append(b, `,"contextId":`...)
	b = appendString(b, t.ConversationID)
	if q.history != 0 {
		b = append(b, `,"history":[{"messageId":`...)
		b = appendString(b, messageID(t.ID, t.Turn, "user"))
		b = append(b, `,"contextId":`...)
		b = appendString(b, t.ConversationID)
		b = append(b, `,"parts":[{"text":`...)
		b = appendString(b, q.text)
		b = append(b, `}],"role":"`...)
		b = append(b, spec.MessageRoleUser...)
		b = append(b, `","taskId":`...)
		b = appendString(b, t.ID)
		b = append(b, `}]`...)
	}
	b = append(b, `,"metadata":{"conversation_id":`...)
	b = appendString(b, t.ConversationID)
	b = append(b, `,"cost_usd":`...)
	b = appendString(b, money.Micro(0).String())
	b = append(b, `,"status":`...)
	b = appendString(b, string(conversation.Queued))
	b = append(b, `,"turn":`...)
	b = strconv.AppendInt(b, int64(t.Turn), 10)
	b = append(b, `},"status":{"state":"`...)
	b = append(b, spec.TaskStateSubmitted...)
	b = append(b, `","timestamp":"`...)
	b = q.at.UTC().Truncate(time.Millisecond).AppendFormat(b, time.RFC3339Nano)
	return append(b, "\"}}}}\n"...)
}

// appendID appends a JSON-RPC id (validID) as encoding/json does.
func appendID(b []byte, id any) []byte {
	switch v := id.(type) {
	case string:
		return appendString(b, v)
	case float64:
		out, err := json.Marshal(v)
		if err == nil {
			return append(b, out...)
		}
	}
	return append(b, "null"...)
}

// appendString appends s as a JSON string exactly as encoding/json writes
// it with HTML escaping on, its default and a2a-go's (jsonstr.Append).
func appendString(b []byte, s string) []byte { return jsonstr.Append(b, s, true) }
