package local

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/soisnode/soisnode/agent"
	"github.com/soisnode/soisnode/agent/local/negotiate"
)

// negotiateTool is the agent tool that opens an exchange with a peer node.
const negotiateTool = "peers_negotiate"

// peerStep handles "Ask the CRM for every contact at Acme in London and
// add them here": a request for another node's records becomes one
// peers_negotiate call, and its result (the exchange's summary) the
// reply. ok is false for any other request.
func peerStep(req agent.Request, tools map[string]bool) (agent.Message, bool) {
	if !tools[negotiateTool] {
		return agent.Message{}, false
	}
	i := len(req.Messages) - 1
	for i >= 0 && req.Messages[i].Role != agent.RoleUser {
		i--
	}
	if i < 0 {
		return agent.Message{}, false
	}
	peer, goal, ok := negotiate.ParseAskPeer(req.Messages[i].Text)
	if !ok {
		return agent.Message{}, false
	}
	for _, m := range req.Messages[i+1:] {
		if m.Role != agent.RoleTool {
			continue
		}
		for _, r := range m.Results {
			if r.Name == negotiateTool {
				return textMessage(negotiationReply(peer, r)), true
			}
		}
	}
	args, _ := json.Marshal(map[string]string{"peer": peer, "goal": goal})
	return agent.Message{Role: agent.RoleModel, Calls: []agent.ToolCall{{Name: negotiateTool, Args: args}}}, true
}

// negotiationReply says how the exchange went, from the tool's result.
func negotiationReply(peer string, r agent.ToolResult) string {
	var out struct {
		Error     string `json:"error"`
		Status    string `json:"status"`
		Summary   string `json:"summary"`
		Untrusted *struct {
			Status  string `json:"status"`
			Summary string `json:"summary"`
		} `json:"untrusted_data"`
	}
	_ = json.Unmarshal(r.Content, &out)
	if out.Untrusted != nil {
		out.Status, out.Summary = out.Untrusted.Status, out.Untrusted.Summary
	}
	if r.IsError || out.Error != "" {
		return fmt.Sprintf("I could not negotiate with %s: %s.", peer, strings.TrimSuffix(out.Error, "."))
	}
	return fmt.Sprintf("The negotiation with %s ended %s.\n%s", peer, out.Status, out.Summary)
}
