package files

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/soisnode/soisnode/errs"
)

// MaxNameBytes is the longest file or folder name, in bytes.
const MaxNameBytes = 255

// ValidateName checks a file or folder name: non-empty, at most 255 bytes
// of valid UTF-8, no '/' or '\', not "." or "..", no control characters and
// no leading or trailing spaces. A bad name is errs.Invalid.
func ValidateName(name string) error {
	switch {
	case name == "":
		return errs.E(errs.Invalid, "a name is required")
	case len(name) > MaxNameBytes:
		return errs.E(errs.Invalid, "name is longer than %d bytes", MaxNameBytes)
	case !utf8.ValidString(name):
		return errs.E(errs.Invalid, "name is not valid UTF-8")
	case name == "." || name == "..":
		return errs.E(errs.Invalid, "name %q is reserved", name)
	case strings.ContainsAny(name, `/\`):
		return errs.E(errs.Invalid, `name %q may not contain "/" or "\"`, name)
	case strings.ContainsFunc(name, unicode.IsControl):
		return errs.E(errs.Invalid, "name %q may not contain control characters", name)
	case strings.TrimSpace(name) != name:
		return errs.E(errs.Invalid, "name %q may not start or end with spaces", name)
	}
	return nil
}
