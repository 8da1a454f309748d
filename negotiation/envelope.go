package negotiation

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/strictjson"
)

// Version is the only envelope version this package reads or writes.
const Version = 1

// Limits on an envelope's fields.
const (
	// DefaultSkew is how far in the future an envelope's iat may be when
	// Expect.MaxSkew is zero.
	DefaultSkew = time.Minute
	// DefaultLifetime is the longest exp − iat accepted when
	// Expect.MaxLifetime is zero. It bounds how long a nonce must be
	// remembered.
	DefaultLifetime = 10 * time.Minute
	// MaxNonce is the longest nonce accepted, in bytes.
	MaxNonce = 128
	// MaxID is the longest negotiation id or node id accepted, in bytes.
	MaxID = 128
)

// Type is an envelope's "type".
type Type string

// The envelope types of DESIGN §7.
const (
	TypeOpen    Type = "open"    // first envelope of an exchange
	TypeMessage Type = "message" // free text and data
	TypePropose Type = "propose" // a proposal the other side may accept
	TypeAccept  Type = "accept"  // accepts the pending proposal; ends the exchange
	TypeReject  Type = "reject"  // refuses; ends the exchange
	TypeClose   Type = "close"   // ends the exchange without agreement
)

// Known reports whether t is one of the six wire types.
func (t Type) Known() bool {
	switch t {
	case TypeOpen, TypeMessage, TypePropose, TypeAccept, TypeReject, TypeClose:
		return true
	}
	return false
}

// Envelope is one federation message, the payload of a compact JWS with
// typ JWSType (DESIGN §7). Times are unix seconds, like a JWT's.
type Envelope struct {
	V             int    `json:"v"`
	NegotiationID string `json:"negotiation_id"`
	Seq           int64  `json:"seq"`  // 1 for open, then +1 per envelope from either side
	From          string `json:"from"` // sender's node id
	To            string `json:"to"`   // receiver's node id
	IssuedAt      int64  `json:"iat"`
	ExpiresAt     int64  `json:"exp"`
	Nonce         string `json:"nonce"` // unique per sender while the envelope is live
	Type          Type   `json:"type"`
	Body          Body   `json:"body"`
	Budget        Budget `json:"budget"`
}

// Body is an envelope's content: text for the other side's agent and
// optional structured data (any JSON value).
type Body struct {
	Text string          `json:"text"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Budget is the sender's own cap for the exchange and what it has spent so
// far; on the wire both are decimal dollar strings.
type Budget struct {
	Cap   money.Micro
	Spent money.Micro
}

type wireBudget struct {
	Cap   string `json:"cap_usd"`
	Spent string `json:"spent_usd"`
}

// MarshalJSON writes {"cap_usd", "spent_usd"} as decimal strings.
func (b Budget) MarshalJSON() ([]byte, error) {
	if b.Cap < 0 || b.Spent < 0 {
		return nil, fmt.Errorf("%w: negative amount", ErrBudget)
	}
	return json.Marshal(wireBudget{Cap: b.Cap.Short(), Spent: b.Spent.Short()})
}

// UnmarshalJSON reads {"cap_usd", "spent_usd"}; both are required.
func (b *Budget) UnmarshalJSON(data []byte) error {
	var w wireBudget
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("%w: %v", ErrBudget, err)
	}
	c, err := money.Parse(w.Cap)
	if err != nil {
		return fmt.Errorf("%w: cap_usd: %v", ErrBudget, err)
	}
	s, err := money.Parse(w.Spent)
	if err != nil {
		return fmt.Errorf("%w: spent_usd: %v", ErrBudget, err)
	}
	*b = Budget{Cap: c, Spent: s}
	return nil
}

// Errors callers branch on; every rejection by Check, Verify or Remember
// wraps exactly one of them (signature failures wrap verify's sentinels).
var (
	ErrMalformed = errors.New("negotiation: malformed envelope")
	ErrVersion   = errors.New("negotiation: unsupported envelope version")
	ErrAudience  = errors.New("negotiation: envelope addressed to another node")
	ErrSender    = errors.New("negotiation: sender is not the peer whose keys signed")
	ErrExpired   = errors.New("negotiation: envelope expired")
	ErrFuture    = errors.New("negotiation: envelope issued in the future")
	ErrLifetime  = errors.New("negotiation: envelope lifetime too long")
	ErrSequence  = errors.New("negotiation: envelope out of sequence")
	ErrType      = errors.New("negotiation: unknown envelope type")
	ErrState     = errors.New("negotiation: envelope type not allowed in this state")
	ErrBudget    = errors.New("negotiation: malformed budget")
	ErrReplayed  = errors.New("negotiation: envelope replayed")
)

// Expect is what the receiver knows before reading an envelope.
type Expect struct {
	Self        string        // this node's id; the envelope's "to" must match
	Peer        string        // node id of the pinned peer whose keys verify (Verify only)
	State       State         // the exchange's state; StateNew before open
	LastSeq     int64         // seq of the last envelope accepted; 0 before open
	Now         time.Time     // the receiver's clock
	MaxSkew     time.Duration // how far iat may be ahead of Now; DefaultSkew when zero
	MaxLifetime time.Duration // longest exp − iat; DefaultLifetime when zero
}

// Check applies the receiver's rules to an envelope whose signature was
// already verified (Verify does both). It does not check replay: the nonce
// store does (Remember).
func Check(env Envelope, x Expect) error {
	if err := env.validate(); err != nil {
		return err
	}
	if env.To != x.Self {
		return fmt.Errorf("%w: to %q, this node is %q", ErrAudience, env.To, x.Self)
	}
	skew, life := x.MaxSkew, x.MaxLifetime
	if skew == 0 {
		skew = DefaultSkew
	}
	if life == 0 {
		life = DefaultLifetime
	}
	now := x.Now.Unix()
	if env.ExpiresAt <= now {
		return fmt.Errorf("%w: exp %d, now %d", ErrExpired, env.ExpiresAt, now)
	}
	// Compared in seconds: a Duration of a hostile span could overflow.
	if env.IssuedAt-now > int64(skew/time.Second) {
		return fmt.Errorf("%w: iat %d, now %d", ErrFuture, env.IssuedAt, now)
	}
	if env.ExpiresAt-env.IssuedAt > int64(life/time.Second) {
		return fmt.Errorf("%w: %ds, limit %s", ErrLifetime, env.ExpiresAt-env.IssuedAt, life)
	}
	if env.Seq != x.LastSeq+1 {
		return fmt.Errorf("%w: seq %d, want %d", ErrSequence, env.Seq, x.LastSeq+1)
	}
	if !Allowed(x.State, env.Type) {
		return fmt.Errorf("%w: %s in state %s", ErrState, env.Type, x.State)
	}
	return nil
}

// validate checks what does not depend on the receiver: the shape of the
// envelope. Sign runs it too, so that nothing malformed is ever signed.
func (env Envelope) validate() error {
	if env.V != Version {
		return fmt.Errorf("%w: v %d", ErrVersion, env.V)
	}
	if !env.Type.Known() {
		return fmt.Errorf("%w: %q", ErrType, env.Type)
	}
	switch {
	case !validID(env.NegotiationID):
		return fmt.Errorf("%w: negotiation_id", ErrMalformed)
	case !validID(env.From):
		return fmt.Errorf("%w: from", ErrMalformed)
	case !validID(env.To):
		return fmt.Errorf("%w: to", ErrMalformed)
	case env.Nonce == "" || len(env.Nonce) > MaxNonce:
		return fmt.Errorf("%w: nonce", ErrMalformed)
	case env.Seq < 1:
		return fmt.Errorf("%w: seq %d", ErrMalformed, env.Seq)
	case env.IssuedAt <= 0 || env.ExpiresAt <= env.IssuedAt || env.ExpiresAt > maxTime:
		return fmt.Errorf("%w: iat %d, exp %d", ErrMalformed, env.IssuedAt, env.ExpiresAt)
	case env.Body.Data != nil && !json.Valid(env.Body.Data):
		return fmt.Errorf("%w: body.data is not JSON", ErrMalformed)
	}
	if b := env.Budget; b.Cap < 0 || b.Spent < 0 || b.Spent > b.Cap {
		return fmt.Errorf("%w: spent %s of cap %s", ErrBudget, b.Spent.Short(), b.Cap.Short())
	}
	return nil
}

// maxTime bounds iat and exp (unix seconds, about year 36 800), so that
// differences between them never overflow.
const maxTime = 1 << 40

func validID(s string) bool {
	if s == "" || len(s) > MaxID {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// decode parses a payload strictly: duplicate keys (at any depth, escapes
// decoded), invalid UTF-8, unknown fields and trailing data are malformed,
// a bad budget is ErrBudget.
func decode(payload []byte) (Envelope, error) {
	if err := strictjson.Check(payload); err != nil {
		return Envelope{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var env Envelope
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil {
		if errors.Is(err, ErrBudget) {
			return Envelope{}, err
		}
		return Envelope{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Envelope{}, fmt.Errorf("%w: trailing data", ErrMalformed)
	}
	return env, nil
}

// NewNonce returns a random nonce (128 bits, base64url).
func NewNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
