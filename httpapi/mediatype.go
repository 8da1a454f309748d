package httpapi

import (
	"net/http"
	"strings"
)

// MediaTypeCase lower-cases the media type of a request's Content-Type
// before h sees it: type and subtype are case-insensitive (RFC 9110
// §8.3.1), but the router, Huma and the MCP transport compare them as
// written, so "Application/JSON" was refused 415. Parameters keep their
// case (a multipart boundary is case-sensitive).
func MediaTypeCase(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "" {
			typ, params, hasParams := strings.Cut(ct, ";")
			if lower := strings.ToLower(typ); lower != typ {
				if hasParams {
					lower += ";" + params
				}
				r.Header.Set("Content-Type", lower)
			}
		}
		h.ServeHTTP(w, r)
	})
}
