package files

import (
	"mime"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/soisnode/soisnode/errs"
)

// contentTypeFor returns the media type to store: the given one, checked
// and normalised, or one guessed from the name's extension and the content.
func contentTypeFor(name, given string, data []byte) (string, error) {
	given = strings.TrimSpace(given)
	if given == "" {
		if t := mime.TypeByExtension(strings.ToLower(path.Ext(name))); t != "" {
			given = t
		} else {
			given = http.DetectContentType(data)
		}
	}
	if len(given) > 255 || strings.ContainsFunc(given, unicode.IsControl) {
		return "", errs.E(errs.Invalid, "content type %q is not valid", given)
	}
	mt, params, err := mime.ParseMediaType(given)
	if err != nil {
		return "", errs.E(errs.Invalid, "content type %q is not valid", given)
	}
	return mime.FormatMediaType(mt, params), nil
}

// inlineRefusal says why f's content may not be shown inline by files_get
// (only text/* and JSON files of at most MaxInlineContent bytes are), or ""
// when it may.
func inlineRefusal(f File) string {
	mt, _, err := mime.ParseMediaType(f.ContentType)
	if err != nil {
		mt = ""
	}
	text := strings.HasPrefix(mt, "text/") || mt == "application/json" || strings.HasSuffix(mt, "+json")
	switch {
	case f.Kind != KindFile:
		return "content not included: a folder has no content"
	case !text:
		return "content not included: only text and JSON files are shown inline"
	case f.Size > MaxInlineContent:
		return "content not included: the file is larger than 64 KiB"
	}
	return ""
}

// notUTF8 is the refusal for text files whose bytes are not UTF-8.
const notUTF8 = "content not included: the file is not valid UTF-8 text"

// validText reports whether data is UTF-8 text.
func validText(data []byte) bool { return utf8.Valid(data) }
