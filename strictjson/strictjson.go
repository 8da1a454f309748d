// Package strictjson holds JSON input from outside to one reading: a
// document must be valid UTF-8 (no unpaired surrogate escapes either),
// hold exactly one value with nothing but whitespace after it, and name
// every key of an object at most once, at any depth, comparing keys after
// their escapes are decoded ("a" and "\u0061" are the same key).
//
// encoding/json is lenient on all three: it keeps the last of two equal
// keys, replaces invalid UTF-8 with U+FFFD and, in a Decoder, stops after
// the first value. For signed documents that leniency lets a signer and a
// receiver read different values from the same bytes, so the federation
// envelope, the agent card and the JWKS pinned for a peer are checked here
// before they are decoded.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Errors callers branch on; every failure of Check wraps exactly one.
var (
	ErrSyntax       = errors.New("strictjson: not JSON")
	ErrInvalidUTF8  = errors.New("strictjson: invalid UTF-8")
	ErrDuplicateKey = errors.New("strictjson: duplicate object key")
	ErrTrailingData = errors.New("strictjson: trailing data after the JSON value")
	ErrTooDeep      = errors.New("strictjson: nested too deeply")
)

// MaxDepth is the deepest nesting of objects and arrays Check accepts.
const MaxDepth = 128

// Check reports whether data is one strict JSON value (see the package
// doc). The error names the first problem and where it is.
func Check(data []byte) error {
	if i := invalidUTF8(data); i >= 0 {
		return fmt.Errorf("%w at byte %d", ErrInvalidUTF8, i)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := walk(dec); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w at byte %d", ErrTrailingData, dec.InputOffset())
	}
	if i := loneSurrogate(data); i >= 0 {
		return fmt.Errorf("%w: unpaired surrogate escape at byte %d", ErrInvalidUTF8, i)
	}
	return nil
}

// Unmarshal checks data with Check, then decodes it into v with
// encoding/json.
func Unmarshal(data []byte, v any) error {
	if err := Check(data); err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%w: %v", ErrSyntax, err)
	}
	return nil
}

// frame is one open object or array.
type frame struct {
	object    bool
	expectKey bool                // object: the next token is a key
	keys      map[string]struct{} // object: the keys seen so far
	key       string              // object: the key of the value being read, for the path
}

// walk reads exactly one value from dec, refusing duplicate keys.
func walk(dec *json.Decoder) error {
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return fmt.Errorf("%w: unexpected end of input", ErrSyntax)
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrSyntax, err)
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
			top := stack[n-1]
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:n-1]
				if len(stack) == 0 {
					return nil
				}
				continue
			}
			key, _ := tok.(string) // the decoder yields only strings here
			if _, dup := top.keys[key]; dup {
				return fmt.Errorf("%w %q at %s", ErrDuplicateKey, key, path(stack))
			}
			top.keys[key] = struct{}{}
			top.key, top.expectKey = key, false
			continue
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expectKey = true // after this value, a key or '}'
		}
		d, ok := tok.(json.Delim)
		if !ok {
			if len(stack) == 0 {
				return nil // a lone scalar
			}
			continue
		}
		switch d {
		case '{', '[':
			if len(stack) >= MaxDepth {
				return fmt.Errorf("%w: more than %d levels", ErrTooDeep, MaxDepth)
			}
			stack = append(stack, &frame{object: d == '{', expectKey: d == '{', keys: map[string]struct{}{}})
		case ']':
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil
			}
		}
	}
}

// path describes where the innermost open object sits, e.g. $.body.data.
func path(stack []*frame) string {
	var b strings.Builder
	b.WriteString("$")
	for _, f := range stack[:len(stack)-1] {
		if f.object {
			fmt.Fprintf(&b, ".%s", f.key)
		} else {
			b.WriteString("[]")
		}
	}
	return b.String()
}

// invalidUTF8 returns the offset of the first byte that is not valid
// UTF-8, or -1.
func invalidUTF8(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// loneSurrogate returns the offset of the first \uD800–\uDFFF escape inside
// a string that is not half of a high-low pair, or -1. It runs on data the
// decoder has accepted, so strings and escapes are well formed.
func loneSurrogate(data []byte) int {
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !inString {
			if c == '"' {
				inString = true
			}
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 < len(data) && data[i+1] == 'u' {
				r := hex4(data, i+2)
				switch {
				case r >= 0xD800 && r <= 0xDBFF:
					if i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
						if lo := hex4(data, i+8); lo >= 0xDC00 && lo <= 0xDFFF {
							i += 11
							continue
						}
					}
					return i
				case r >= 0xDC00 && r <= 0xDFFF:
					return i
				}
				i += 5
				continue
			}
			i++ // the escaped character
		}
	}
	return -1
}

// hex4 reads four hex digits at data[i:], or returns -1.
func hex4(data []byte, i int) int {
	if i+4 > len(data) {
		return -1
	}
	v := 0
	for _, c := range data[i : i+4] {
		v <<= 4
		switch {
		case c >= '0' && c <= '9':
			v |= int(c - '0')
		case c >= 'a' && c <= 'f':
			v |= int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v |= int(c-'A') + 10
		default:
			return -1
		}
	}
	return v
}
