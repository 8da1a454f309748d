package a2a

import (
	"bytes"
	"encoding/json"
	"time"
)

// listTasksMethod is the JSON-RPC method precheckRPC looks into.
const listTasksMethod = "ListTasks"

// precheckRPC finds, in a JSON-RPC ListTasks request, the invalid
// parameters a2a-go's decoding cannot tell apart or reports as a parse
// error: an explicit pageSize of 0 (its field is a plain int, so 0 reads
// as "absent") and a statusTimestampAfter that is not an RFC 3339 time
// (a parse error, -32700, where the request is valid JSON with an invalid
// parameter, -32602). It returns the request id and a message, or an
// empty message when the request is for a2a-go to handle.
func precheckRPC(body []byte) (json.RawMessage, string) {
	if !bytes.Contains(body, []byte(`"`+listTasksMethod+`"`)) {
		return nil, ""
	}
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			PageSize             *json.Number     `json:"pageSize"`
			StatusTimestampAfter *json.RawMessage `json:"statusTimestampAfter"`
		} `json:"params"`
	}
	if json.Unmarshal(body, &req) != nil || req.Method != listTasksMethod {
		return nil, "" // a2a-go answers malformed requests itself
	}
	if req.Params.PageSize != nil && req.Params.PageSize.String() == "0" {
		return req.ID, "pageSize must be 1 to 100"
	}
	if raw := req.Params.StatusTimestampAfter; raw != nil && string(*raw) != "null" {
		var s string
		if json.Unmarshal(*raw, &s) != nil {
			return req.ID, "statusTimestampAfter must be an RFC 3339 time string"
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return req.ID, "statusTimestampAfter must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z"
		}
	}
	return nil, ""
}
