package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/soisnode/soisnode/money"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// pages are the parsed templates: "layout" and one per page.
type pages struct{ t *template.Template }

var funcs = template.FuncMap{
	"usd": func(m money.Micro) string {
		if m < 0 {
			return "none"
		}
		return "$" + m.Short()
	},
	"when": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return "—"
			}
			return v.UTC().Format("2006-01-02 15:04 UTC")
		case *time.Time:
			if v == nil || v.IsZero() {
				return "—"
			}
			return v.UTC().Format("2006-01-02 15:04 UTC")
		}
		return "—"
	},
	"join": strings.Join,
	"query": func(kv ...string) template.URL {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				v.Set(kv[i], kv[i+1])
			}
		}
		if len(v) == 0 {
			return ""
		}
		return template.URL("?" + v.Encode())
	},
}

func parsePages() (*pages, error) {
	t, err := template.New("console").Funcs(funcs).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	return &pages{t: t}, nil
}

// layoutData is what the chrome around every page shows.
type layoutData struct {
	Title    string
	Member   Member
	SignedIn bool
	CSRF     string
	Body     template.HTML
}

// view is what a page template gets: the member, the session's CSRF token
// and the page's own data.
type view struct {
	Member Member
	CSRF   string
	D      any
}

// Render writes body inside the console's chrome (navigation, sign-out),
// for pages other packages serve (the OAuth consent page). body must be
// safe HTML: build it with html/template.
func (c *Console) Render(w http.ResponseWriter, r *http.Request, title string, body template.HTML) {
	c.renderBody(w, r, http.StatusOK, title, body)
}

// RenderConsent is Render for the OAuth consent page, under ConsentCSP:
// its form's answer is a redirect to the assistant's redirect URI, which a
// browser checks against form-action.
func (c *Console) RenderConsent(w http.ResponseWriter, r *http.Request, title string, body template.HTML) {
	c.renderWith(w, r, http.StatusOK, ConsentCSP, title, body)
}

func (c *Console) renderBody(w http.ResponseWriter, r *http.Request, status int, title string, body template.HTML) {
	c.renderWith(w, r, status, CSP, title, body)
}

func (c *Console) renderWith(w http.ResponseWriter, r *http.Request, status int, csp, title string, body template.HTML) {
	s, ok := c.lookup(r)
	var buf bytes.Buffer
	if err := c.pages.t.ExecuteTemplate(&buf, "layout", layoutData{Title: title, Member: s.member, SignedIn: ok, CSRF: s.csrf, Body: body}); err != nil {
		c.cfg.Log.Error("console: render layout", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// page renders the page template name with data, with status.
func (c *Console) page(w http.ResponseWriter, r *http.Request, status int, title, name string, data any) {
	s, _ := c.lookup(r)
	var buf bytes.Buffer
	if err := c.pages.t.ExecuteTemplate(&buf, name, view{Member: s.member, CSRF: s.csrf, D: data}); err != nil {
		c.cfg.Log.Error("console: render page", "page", name, "err", err)
		c.fail(w, r, http.StatusInternalServerError, "Something went wrong", "The page could not be shown; the error is in the node's log.")
		return
	}
	c.renderBody(w, r, status, title, template.HTML(buf.String())) // #nosec: produced by html/template
}

// fail renders an error page: 403, 404, 500… with a plain message.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	var buf bytes.Buffer
	_ = c.pages.t.ExecuteTemplate(&buf, "error", map[string]any{"Status": status, "Message": msg})
	c.renderBody(w, r, status, title, template.HTML(buf.String())) // #nosec: produced by html/template
}

func (c *Console) forbidden(w http.ResponseWriter, r *http.Request) {
	c.fail(w, r, http.StatusForbidden, "Not allowed", "Your role does not allow this page or action. Nothing was changed. Ask a workspace owner or admin.")
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.fail(w, r, http.StatusNotFound, "Not found", "There is no such record in your workspace. Nothing was changed.")
}

// serveAsset serves an embedded file under /console/assets/.
func (c *Console) serveAsset() http.Handler {
	sub, err := fs.Sub(assetFiles, "assets")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	files := http.StripPrefix(Path+"/assets/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
