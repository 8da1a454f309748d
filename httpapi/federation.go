package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/negotiation"
)

// serveMessage receives a peer's envelope: 202 once it is verified and
// recorded (the answer comes later, as this node's own POST).
func (n *Server) serveMessage(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), negotiation.ContentType) {
		n.rejected("content_type")
		n.writeProblem(w, errs.E(errs.Malformed, "Content-Type must be %s", negotiation.ContentType))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, negotiation.MaxEnvelope+1))
	if err != nil || len(body) > negotiation.MaxEnvelope {
		n.rejected("size")
		n.writeProblem(w, errs.E(errs.TooLarge, "the body must be one compact JWS of at most %d bytes", negotiation.MaxEnvelope))
		return
	}
	answer, err := n.negotiations.Accept(r.Context(), strings.TrimSpace(string(body)))
	if err != nil {
		n.writeProblem(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	_ = http.NewResponseController(w).Flush() // the 202 first, then this side's answer
	answer()
}

// writeProblem answers a plain handler's error as problem+json.
func (n *Server) writeProblem(w http.ResponseWriter, err error) {
	p := problemFor(n.log, err)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
