package access

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/soisnode/soisnode/errs"
)

var scopePattern = regexp.MustCompile(`^(\*|[a-z]+:(read|write|send|use|\*))$`)

// knownFamilies are the scope families tools use (docs/tools.md).
var knownFamilies = map[string]bool{
	"contacts": true, "tasks": true, "email": true, "files": true,
	"org": true, "extensions": true, "peers": true, "negotiations": true,
}

// ValidateScopes checks scope strings such as "contacts:read" or "files:*".
func ValidateScopes(scopes []string) error {
	if len(scopes) > 50 {
		return errs.E(errs.Invalid, "too many scopes (max 50)")
	}
	for _, s := range scopes {
		if !scopePattern.MatchString(s) {
			return errs.E(errs.Invalid, "invalid scope %q (want family:action, e.g. contacts:read, tasks:write, email:send, files:*)", s)
		}
		family, _, _ := strings.Cut(s, ":")
		if s != "*" && !knownFamilies[family] {
			return errs.E(errs.Invalid, "unknown scope family %q in %q", family, s)
		}
	}
	return nil
}

// ValidateName checks a display name: 1–200 characters, no control characters.
func ValidateName(what, s string) error {
	if strings.TrimSpace(s) == "" {
		return errs.E(errs.Invalid, "%s is required", what)
	}
	return validateText(what, s, 200)
}

func validateText(what, s string, max int) error {
	if !utf8.ValidString(s) {
		return errs.E(errs.Invalid, "%s is not valid UTF-8", what)
	}
	if utf8.RuneCountInString(s) > max {
		return errs.E(errs.Invalid, "%s is longer than %d characters", what, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errs.E(errs.Invalid, "%s contains a control character", what)
		}
	}
	return nil
}

// ValidateEmail checks a bare email address.
func ValidateEmail(s string) error {
	if err := validateText("email", s, 254); err != nil {
		return err
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return errs.E(errs.Invalid, "invalid email address %q", s)
	}
	return nil
}
