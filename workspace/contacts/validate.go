package contacts

import (
	"net/mail"
	"regexp"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/workspace"
)

// Field limits, in characters. The tool schemas state the same numbers.
const (
	MaxName    = 200
	MaxEmail   = 254
	MaxPhone   = 50
	MaxText    = 200 // company, title, city
	MaxNotes   = 10000
	MaxTags    = 20
	MaxTagLen  = 50
	maxQuery   = 200
	maxIDChars = 64
)

// phonePattern allows digits, spaces, + ( ) - . / and an optional
// extension ("x12", "ext. 12").
var phonePattern = regexp.MustCompile(`^\+?[0-9 ()./-]+((?i:x|ext\.?) ?[0-9]{1,6})?$`)

// normalize trims f's fields and checks them all; it returns the cleaned
// fields or an errs.Invalid error naming the first bad one.
func normalize(f Fields) (Fields, error) {
	f.Name = strings.TrimSpace(f.Name)
	f.Email = strings.TrimSpace(f.Email)
	f.Phone = strings.TrimSpace(f.Phone)
	f.Company = strings.TrimSpace(f.Company)
	f.Title = strings.TrimSpace(f.Title)
	f.City = strings.TrimSpace(f.City)
	f.Notes = strings.TrimSpace(f.Notes)
	if f.Name == "" {
		return f, errs.E(errs.Invalid, "name is required")
	}
	checks := []struct {
		field, v  string
		max       int
		multiline bool
	}{
		{"name", f.Name, MaxName, false},
		{"email", f.Email, MaxEmail, false},
		{"phone", f.Phone, MaxPhone, false},
		{"company", f.Company, MaxText, false},
		{"title", f.Title, MaxText, false},
		{"city", f.City, MaxText, false},
		{"notes", f.Notes, MaxNotes, true},
	}
	for _, c := range checks {
		if err := workspace.CheckText(c.field, c.v, c.max, c.multiline); err != nil {
			return f, err
		}
	}
	if err := checkEmail(f.Email); err != nil {
		return f, err
	}
	if err := checkPhone(f.Phone); err != nil {
		return f, err
	}
	tags, err := normalizeTags(f.Tags)
	if err != nil {
		return f, err
	}
	f.Tags = tags
	return f, nil
}

// checkEmail accepts "" or one bare address such as jane@acme.com.
func checkEmail(email string) error {
	if email == "" {
		return nil
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" || !strings.Contains(email, "@") {
		return errs.E(errs.Invalid, "email %q is not a valid address (want a bare address like jane@acme.com)", email)
	}
	return nil
}

// checkPhone accepts "" or a phone number in the usual punctuation.
func checkPhone(phone string) error {
	if phone == "" {
		return nil
	}
	digits := 0
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if !phonePattern.MatchString(phone) || digits < 3 {
		return errs.E(errs.Invalid, "phone %q is not a phone number (digits, spaces, + ( ) - . / and an optional extension)", phone)
	}
	return nil
}

// normalizeTags trims tags, drops case-insensitive duplicates and checks
// count and length. It never returns nil.
func normalizeTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" {
			return nil, errs.E(errs.Invalid, "tags must not be empty strings")
		}
		if err := workspace.CheckText("tag "+quoteShort(t), t, MaxTagLen, false); err != nil {
			return nil, err
		}
		if k := strings.ToLower(t); !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	if len(out) > MaxTags {
		return nil, errs.E(errs.Invalid, "too many tags (%d, at most %d)", len(out), MaxTags)
	}
	return out, nil
}

// checkID rejects ids that cannot be real before they reach a message.
func checkID(field, id string) error {
	if strings.TrimSpace(id) == "" {
		return errs.E(errs.Invalid, "%s is required", field)
	}
	return workspace.CheckText(field, id, maxIDChars, false)
}

// quoteShort quotes s for a message, cut to a readable length.
func quoteShort(s string) string {
	if r := []rune(s); len(r) > 20 {
		s = string(r[:20]) + "…"
	}
	return `"` + strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s) + `"`
}
