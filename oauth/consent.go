package oauth

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/money"
)

// The consent and error pages: html/template, no script, rendered inside
// the console's layout by Sessions.Render.
var (
	consentTmpl = template.Must(template.New("consent").Parse(`<section class="consent">
<h1>Connect {{.ClientName}}</h1>
<p><strong>{{.ClientName}}</strong> asks to use this workspace's tools over MCP (<code>{{.Resource}}</code>).
If you allow it, you are sent back to <strong>{{.RedirectHost}}</strong>.</p>
<p>It will act as you, <strong>{{.MemberName}}</strong> ({{.Role}}), narrowed to the scopes of the integration key you choose;
anything it spends is charged to that key's budgets. You can disconnect it at any time under Keys.</p>
{{if .Error}}<p class="error" role="alert" id="consent-error">{{.Error}}</p>{{end}}
{{if not .MayConsent}}<p>Only a workspace owner or admin can connect an assistant.</p>
{{else if not .Keys}}<p>This workspace has no integration key yet. Create one under Keys, then connect again.</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="` + CSRFField + `" value="{{.CSRF}}">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}{{if and .MayConsent .Keys}}<fieldset>
<legend>Act under which integration key?</legend>
{{range .Keys}}<p><label><input type="radio" name="key_id" value="{{.ID}}" required{{if .Checked}} checked{{end}}>
<strong>{{.Name}}</strong></label><br>
<span>Scopes: {{.Scopes}}</span><br>
<span>Budgets: {{.Budgets}}</span></p>
{{end}}</fieldset>
<button type="submit" name="decision" value="allow">Allow</button>
{{end}}<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</form>
</section>`))
	errorTmpl = template.Must(template.New("error").Parse(`<section class="consent">
<h1>Cannot connect</h1>
<p class="error" role="alert">{{.}}</p>
</section>`))
)

type hidden struct{ Name, Value string }

type keyChoice struct {
	ID, Name, Scopes, Budgets string
	Checked                   bool
}

// consentPage shows the consent form of a; chosen is the key to preselect,
// msg an inline error.
func (s *Server) consentPage(w http.ResponseWriter, r *http.Request, status int, a authRequest, m Member, chosen, msg string) {
	keys, err := access.ListKeys(r.Context(), s.Store.DB, m.WorkspaceID)
	if err != nil {
		s.failRequest(w, r, a, err)
		return
	}
	var choices []keyChoice
	for _, k := range keys {
		if k.Revoked {
			continue
		}
		name := k.Name
		if name == "" {
			name = "Key " + k.ID
		}
		choices = append(choices, keyChoice{ID: k.ID, Name: name, Scopes: scopesText(k.Scopes), Budgets: budgetsText(k), Checked: k.ID == chosen})
	}
	if len(choices) == 1 {
		choices[0].Checked = true
	}
	host := a.RedirectURI
	if u, err := url.Parse(a.RedirectURI); err == nil {
		host = u.Host
	}
	data := map[string]any{
		"ClientName": a.client.Name, "Resource": s.Resource(), "RedirectHost": host,
		"MemberName": m.Name, "Role": m.Role, "MayConsent": mayConsent(m), "Keys": choices, "Error": msg,
		"Action": AuthorizePath, "CSRF": s.Sessions.CSRFToken(r),
		"Hidden": []hidden{{"response_type", a.ResponseType}, {"client_id", a.ClientID}, {"redirect_uri", a.givenRedirect()},
			{"state", a.State}, {"code_challenge", a.Challenge}, {"code_challenge_method", a.Method},
			{"resource", a.Resource}, {"scope", a.Scope}},
	}
	var b bytes.Buffer
	if err := consentTmpl.Execute(&b, data); err != nil {
		s.failRequest(w, r, a, err)
		return
	}
	s.page(w, r, status, "Connect "+a.client.Name, template.HTML(b.String()))
}

func scopesText(scopes []string) string {
	if len(scopes) == 0 {
		return "all (whatever your role allows)"
	}
	return strings.Join(scopes, ", ")
}

func budgetsText(k access.Key) string {
	var parts []string
	for _, b := range []struct {
		name  string
		limit money.Micro
	}{{"daily", k.BudgetDaily}, {"monthly", k.BudgetMonthly}, {"total", k.BudgetTotal}} {
		if b.limit != budget.None && b.limit >= 0 {
			parts = append(parts, b.name+" $"+b.limit.Short())
		}
	}
	if len(parts) == 0 {
		return "none set"
	}
	return strings.Join(parts, ", ")
}
