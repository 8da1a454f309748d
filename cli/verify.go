package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/soisnode/soisnode/signing/verify"
)

// runVerify checks a webhook's Sois-Signature over a body file, or a
// compact JWS such as a signed_reply, against a JWKS (DESIGN §5). It needs
// no database: receivers can run it anywhere.
func runVerify(ctx context.Context, e *Env, args []string) error {
	fs := newFlags("verify", e)
	jwks := fs.String("jwks", "", "the node's JWKS: a URL (https://node/.well-known/jwks.json) or a file")
	sig := fs.String("signature", "", "the Sois-Signature header value, or a signed_reply (compact JWS)")
	bodyPath := fs.String("body", "", "file holding the exact webhook body bytes (- for standard input); without it, --signature is checked as a compact JWS and its payload printed")
	maxAge := fs.Duration("max-age", verify.MaxAge, "oldest signature accepted (signed replies: only when given)")
	pos, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 || *jwks == "" || *sig == "" {
		return usagef("verify --jwks URL|FILE --signature S [--body FILE] [--max-age 5m]")
	}
	if *maxAge <= 0 {
		return usagef("--max-age must be positive")
	}
	ageSet := false
	fs.Visit(func(f *flag.Flag) { ageSet = ageSet || f.Name == "max-age" })
	token := signatureValue(*sig)

	keys, err := verify.Load(ctx, *jwks, nil)
	if err != nil {
		return fmt.Errorf("cannot load the JWKS: %s", strings.TrimPrefix(err.Error(), "verify: "))
	}
	if len(keys.Keys()) == 0 {
		return fmt.Errorf("the JWKS %s holds no Ed25519 signing key", *jwks)
	}
	now := e.Now()

	if *bodyPath != "" {
		body, err := readBody(e, *bodyPath)
		if err != nil {
			return err
		}
		v, err := verify.Detached(ctx, keys, token, body, *maxAge, now)
		if err != nil {
			if errors.Is(err, verify.ErrSignature) && bytes.HasSuffix(body, []byte("\n")) {
				return invalid(fmt.Errorf("%w; the body file ends with a newline: is it the exact bytes received?", err))
			}
			return invalid(err)
		}
		fmt.Fprintf(e.Stdout, "valid: kid=%s iat=%s delivery_id=%s\n", v.KeyID, v.IssuedAt.UTC().Format(time.RFC3339), v.DeliveryID)
		return nil
	}

	if parts := strings.Split(token, "."); len(parts) == 3 && parts[1] == "" {
		return usagef("--signature is a detached webhook signature: pass the request body with --body FILE")
	}
	v, err := verify.Compact(ctx, keys, token, now)
	if err != nil {
		return invalid(err)
	}
	if age := now.Sub(v.IssuedAt); ageSet && age > *maxAge {
		return invalid(fmt.Errorf("%w: issued %s ago, limit %s", verify.ErrExpired, age.Round(time.Second), *maxAge))
	}
	fmt.Fprintf(e.Stdout, "valid: kid=%s iat=%s typ=%s\n", v.KeyID, v.IssuedAt.UTC().Format(time.RFC3339), v.Type)
	var pretty bytes.Buffer
	if json.Indent(&pretty, v.Payload, "", "  ") == nil {
		pretty.WriteByte('\n')
		_, err = e.Stdout.Write(pretty.Bytes())
		return err
	}
	_, err = fmt.Fprintf(e.Stdout, "%s\n", v.Payload)
	return err
}

// signatureValue accepts the header value with or without its name, as
// copied from a request dump.
func signatureValue(s string) string {
	s = strings.TrimSpace(s)
	if name, value, ok := strings.Cut(s, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Sois-Signature") {
		s = strings.TrimSpace(value)
	}
	return s
}

func readBody(e *Env, path string) ([]byte, error) {
	if path == "-" {
		if e.Stdin == nil {
			return nil, usagef("--body -: no standard input")
		}
		return io.ReadAll(e.Stdin)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the body: %w", err)
	}
	return b, nil
}

// invalid is a failed verification: exit code 1 with the reason.
func invalid(err error) error {
	return fmt.Errorf("invalid: %s", strings.TrimPrefix(err.Error(), "verify: "))
}
