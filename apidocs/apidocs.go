// Package apidocs serves the node's API reference page (/docs): Stoplight
// Elements rendering the node's own OpenAPI document. The page's script and
// styles are embedded in the binary (elements/, a pinned release with its
// licence), so the page works on a node with no route to the internet, and
// its Content-Security-Policy allows nothing but the node itself.
package apidocs

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

// ElementsVersion is the vendored @stoplight/elements release.
const ElementsVersion = "9.0.25"

//go:embed elements/web-components.min.js elements/styles.min.css elements/LICENSE elements/web-components.min.js.LICENSE.txt
var assets embed.FS

// CSP is the page's Content-Security-Policy. Elements sets inline style
// attributes and injects <style> elements at run time, so styles also
// need 'unsafe-inline'; scripts, fonts, images and requests stay on 'self'
// (data: images for the icons Elements inlines).
const CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'"

var page = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{.Prefix}}/assets/styles.min.css">
<script src="{{.Prefix}}/assets/web-components.min.js"></script>
</head>
<body style="height: 100vh; margin: 0;">
<elements-api apiDescriptionUrl="{{.SpecURL}}" router="hash" layout="sidebar" tryItCredentialsPolicy="same-origin"></elements-api>
</body>
</html>
`))

// Handler serves the page at prefix (e.g. "/docs") and its assets under
// prefix+"/assets/", rendering the document at specURL (e.g.
// "/openapi.yaml"). Mount it for prefix and prefix+"/".
func Handler(prefix, title, specURL string) http.Handler {
	prefix = strings.TrimRight(prefix, "/")
	sub, err := fs.Sub(assets, "elements")
	if err != nil {
		panic(err) // the embedded folder is part of the build
	}
	files := http.StripPrefix(prefix+"/assets/", http.FileServer(http.FS(sub)))
	data := struct{ Title, Prefix, SpecURL string }{title, prefix, specURL}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Security-Policy", CSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		switch {
		case r.URL.Path == prefix || r.URL.Path == prefix+"/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			_ = page.Execute(w, data)
		case strings.HasPrefix(r.URL.Path, prefix+"/assets/"):
			w.Header().Set("Cache-Control", "public, max-age=86400")
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
