package signing

import (
	"crypto/rand"
	"fmt"
	"io"
)

// Box seals small secrets other than signing keys (integration keys'
// webhook secrets) under the same key-encryption key, AES-256-GCM, each
// bound to a label so a sealed value cannot be moved to another row.
type Box struct {
	kek  []byte
	rand io.Reader
}

// NewBox returns a Box sealing under kek (see LoadKEK).
func NewBox(kek []byte) (*Box, error) {
	if len(kek) != kekSize {
		return nil, fmt.Errorf("signing: key-encryption key must be %d bytes", kekSize)
	}
	return &Box{kek: kek, rand: rand.Reader}, nil
}

// Seal encrypts plain, binding it to label.
func (b *Box) Seal(label string, plain []byte) ([]byte, error) {
	return seal(b.kek, label, plain, b.rand)
}

// Open decrypts what Seal sealed under the same label. It fails when the
// key-encryption key or the label differs.
func (b *Box) Open(label string, sealed []byte) ([]byte, error) {
	return open(b.kek, label, sealed)
}
