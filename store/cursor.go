package store

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/soisnode/soisnode/errs"
)

// EncodeCursor makes an opaque paging token (a list's next_cursor) of v,
// the sort key of a page's last row: v as JSON in unpadded base64url.
func EncodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a token made by EncodeCursor into v. A token it
// cannot read is errs.Invalid.
func DecodeCursor(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return errs.E(errs.Invalid, "cursor is not valid; pass next_cursor from a previous result unchanged")
	}
	return nil
}

// After is the position of a page's last row in a (created_at, id) order,
// the order of most lists; its cursor (EncodeCursor) asks for the rows
// after it.
type After struct {
	At int64  `json:"t"` // created_at, unix microseconds (Micros)
	ID string `json:"i"`
}

// AfterRow is the position of a row created at t with id.
func AfterRow(t time.Time, id string) After { return After{At: Micros(t), ID: id} }

// Cursor is a's paging token.
func (a After) Cursor() string { return EncodeCursor(a) }

// DecodeAfter reads a token made by After.Cursor; one without an id is
// errs.Invalid.
func DecodeAfter(s string) (After, error) {
	var a After
	if err := DecodeCursor(s, &a); err != nil {
		return After{}, err
	}
	if a.ID == "" {
		return After{}, errs.E(errs.Invalid, "cursor is not valid; pass next_cursor from a previous result unchanged")
	}
	return a, nil
}
