package signing

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadKEKFromEnv(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	tests := []struct {
		name, value string
		wantErr     string
	}{
		{"std", base64.StdEncoding.EncodeToString(key), ""},
		{"raw url", base64.RawURLEncoding.EncodeToString(key), ""},
		{"spaces", "  " + base64.StdEncoding.EncodeToString(key) + "\n", ""},
		{"short", base64.StdEncoding.EncodeToString(key[:16]), "32 bytes"},
		{"not base64", "not base64 at all!", "not valid base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadKEK(tt.value, "")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, key) {
				t.Fatalf("got %x, %v", got, err)
			}
		})
	}
}

func TestLoadKEKFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, err := LoadKEK("", dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KEKFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
	}
	k2, err := LoadKEK("", dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load: %x %v, want the same key", k2, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("data folder holds %d files, want only %s", len(entries), KEKFile)
	}
	if err := os.Chmod(filepath.Join(dir, KEKFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKEK("", dir); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key file: err = %v", err)
	}
	if _, err := LoadKEK("", ""); err == nil {
		t.Fatal("no env and no folder: want an error")
	}
}

func TestSealOpen(t *testing.T) {
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	sealed, err := seal(kek, "kid-1", []byte("seed"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := open(kek, "kid-1", sealed); err != nil || string(got) != "seed" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := open(kek, "kid-2", sealed); err == nil {
		t.Fatal("open under another kid succeeded: the ciphertext must be bound to its kid")
	}
	other := bytes.Clone(kek)
	other[0] ^= 1
	if _, err := open(other, "kid-1", sealed); err == nil || !strings.Contains(err.Error(), "SOIS_MASTER_KEY") {
		t.Fatalf("open under another KEK: err = %v", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := open(kek, "kid-1", sealed); err == nil {
		t.Fatal("tampered ciphertext opened")
	}
}
