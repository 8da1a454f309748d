package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/soisnode/soisnode/signing/jcs"
)

// TypeA2ACard is the "typ" of the A2A signatures[] entries a node puts in
// its agent card, as the A2A specification's examples use.
const TypeA2ACard = "JOSE"

// A2ACardPayload returns the bytes an A2A agent card's signatures[] sign
// (A2A 1.0 §8.4): the card without "signatures", with null, empty strings,
// empty arrays and empty objects left out, in RFC 8785 canonical form.
func A2ACardPayload(card []byte) ([]byte, error) {
	v, err := jcs.Decode(card)
	if err != nil {
		return nil, fmt.Errorf("%w: the card is not JSON: %v", ErrMalformed, err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: the card is not a JSON object", ErrMalformed)
	}
	delete(obj, "signatures")
	clean := jcs.Clean(obj)
	if clean == nil {
		return []byte("{}"), nil
	}
	return jcs.Marshal(clean)
}

// A2ASignature is one entry of an agent card's signatures[].
type A2ASignature struct {
	Protected string         `json:"protected"`
	Signature string         `json:"signature"`
	Header    map[string]any `json:"header,omitempty"`
}

// A2ACard verifies the signatures[] of an A2A agent card (the exact JSON
// served) against keys: at least one entry must be an EdDSA JWS, with an
// iat, by a kid of keys, over A2ACardPayload(card). The key is chosen only
// by kid among keys, never by a jku or jwk in a header, so a card cannot
// name the key that vouches for it.
func A2ACard(ctx context.Context, keys Source, card []byte, sigs []A2ASignature) (*Verified, error) {
	if len(sigs) == 0 {
		return nil, fmt.Errorf("%w: the card has no signatures", ErrNoSignature)
	}
	payload, err := A2ACardPayload(card)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, s := range sigs {
		v, err := detached(ctx, keys, s.Protected+".."+s.Signature, payload)
		if err == nil {
			return v, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}
