package oauth

import (
	"errors"
	"html/template"
	"net/http"
)

// noConsole stands in for Sessions on a node without a console: nobody is
// ever signed in, so no consent can be given, and pages are bare.
type noConsole struct{}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}}</title></head>
<body><main>{{.Body}}</main></body></html>`))

func (noConsole) Current(*http.Request) (Member, bool) { return Member{}, false }
func (noConsole) SignInURL(string) string              { return AuthorizePath + "/unavailable" }
func (noConsole) CSRFToken(*http.Request) string       { return "" }
func (noConsole) VerifyCSRF(*http.Request) error       { return errors.New("oauth: no console") }
func (noConsole) Render(w http.ResponseWriter, _ *http.Request, title string, body template.HTML) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	_ = pageTmpl.Execute(w, map[string]any{"Title": title, "Body": body})
}
