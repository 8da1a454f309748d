package signing

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// KEKFile is the name of the generated key-encryption key in the data folder.
const KEKFile = "master.key"

// kekSize is the size of the key-encryption key: AES-256.
const kekSize = 32

// LoadKEK returns the key-encryption key that protects signing keys at rest.
// masterKey is the value of SOIS_MASTER_KEY (base64 of 32 bytes); when it is
// empty the key is read from dataDir/master.key, which is generated (mode
// 0600) on first use. Several node processes sharing one database must share
// one key: set SOIS_MASTER_KEY on all of them.
func LoadKEK(masterKey, dataDir string) ([]byte, error) {
	if masterKey = strings.TrimSpace(masterKey); masterKey != "" {
		k, err := decodeKEK(masterKey)
		if err != nil {
			return nil, fmt.Errorf("signing: SOIS_MASTER_KEY: %w", err)
		}
		return k, nil
	}
	if dataDir == "" {
		return nil, errors.New("signing: no SOIS_MASTER_KEY and no data folder for a generated key")
	}
	path := filepath.Join(dataDir, KEKFile)
	k, err := readKEKFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := createKEKFile(dataDir, path); err != nil {
			return nil, err
		}
		k, err = readKEKFile(path)
	}
	return k, err
}

func decodeKEK(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != kekSize {
				return nil, fmt.Errorf("want base64 of %d bytes, got %d bytes", kekSize, len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("not valid base64")
}

func readKEKFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("signing: %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing: read key file: %w", err)
	}
	k, err := decodeKEK(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("signing: %s: %w", path, err)
	}
	return k, nil
}

// createKEKFile writes a fresh key without ever replacing an existing one:
// it is written to a temporary file and hard-linked into place, so two
// processes starting at once agree on the winner's key.
func createKEKFile(dir, path string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("signing: create data folder: %w", err)
	}
	k := make([]byte, kekSize)
	if _, err := io.ReadFull(rand.Reader, k); err != nil {
		return fmt.Errorf("signing: generate key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".master.key-*")
	if err != nil {
		return fmt.Errorf("signing: create key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("signing: create key file: %w", err)
	}
	if _, err := tmp.WriteString(base64.StdEncoding.EncodeToString(k) + "\n"); err != nil {
		tmp.Close()
		return fmt.Errorf("signing: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("signing: write key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("signing: write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("signing: install key file: %w", err)
	}
	return nil
}

// sealVersion prefixes sealed keys so the format can change later.
const sealVersion = 1

// seal encrypts plain under kek with AES-256-GCM, binding it to kid.
// Output: version byte ‖ nonce ‖ ciphertext+tag.
func seal(kek []byte, kid string, plain []byte, rnd io.Reader) ([]byte, error) {
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = sealVersion
	if _, err := io.ReadFull(rnd, out[1:]); err != nil {
		return nil, fmt.Errorf("signing: nonce: %w", err)
	}
	return aead.Seal(out, out[1:], plain, []byte(kid)), nil
}

// open reverses seal.
func open(kek []byte, kid string, sealed []byte) ([]byte, error) {
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	if len(sealed) < 1+aead.NonceSize()+aead.Overhead() || sealed[0] != sealVersion {
		return nil, fmt.Errorf("signing: key %s: unknown sealed format", kid)
	}
	n := 1 + aead.NonceSize()
	plain, err := aead.Open(nil, sealed[1:n], sealed[n:], []byte(kid))
	if err != nil {
		return nil, fmt.Errorf("signing: key %s cannot be decrypted (is SOIS_MASTER_KEY or %s the one it was created with?)", kid, KEKFile)
	}
	return plain, nil
}

func newAEAD(kek []byte) (cipher.AEAD, error) {
	if len(kek) != kekSize {
		return nil, fmt.Errorf("signing: key-encryption key must be %d bytes", kekSize)
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
