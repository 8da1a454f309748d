package console

import (
	"net/http"
	"strings"
	"time"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// keyForm is the create/update form of a key, as typed.
type keyForm struct {
	Name, Scopes, ResponseURL, Daily, Monthly, Total string
	Err                                              string
	Field                                            string // the field the error is about, for aria-invalid
}

func formOfKey(k access.Key) keyForm {
	return keyForm{Name: k.Name, Scopes: strings.Join(k.Scopes, ", "), ResponseURL: k.ResponseURL,
		Daily: dollarsField(k.BudgetDaily), Monthly: dollarsField(k.BudgetMonthly), Total: dollarsField(k.BudgetTotal)}
}

func readKeyForm(r *http.Request) keyForm {
	return keyForm{Name: strings.TrimSpace(r.PostFormValue("name")), Scopes: r.PostFormValue("scopes"),
		ResponseURL: strings.TrimSpace(r.PostFormValue("response_url")), Daily: r.PostFormValue("daily"),
		Monthly: r.PostFormValue("monthly"), Total: r.PostFormValue("total")}
}

// params turns the form into key params over base (which keeps fields the
// form does not show, such as the threshold); the error names its field.
func (f *keyForm) params(base access.KeyParams, check func(string) error) (access.KeyParams, bool) {
	p := base
	p.Name, p.Scopes, p.ResponseURL = f.Name, splitList(f.Scopes), f.ResponseURL
	var err error
	if p.BudgetDaily, err = dollars("daily", f.Daily); err != nil {
		f.Err, f.Field = errs.Message(err), "daily"
		return p, false
	}
	if p.BudgetMonthly, err = dollars("monthly", f.Monthly); err != nil {
		f.Err, f.Field = errs.Message(err), "monthly"
		return p, false
	}
	if p.BudgetTotal, err = dollars("total", f.Total); err != nil {
		f.Err, f.Field = errs.Message(err), "total"
		return p, false
	}
	if p.ResponseURL != "" && check != nil {
		if err := check(p.ResponseURL); err != nil {
			f.Err, f.Field = "This response URL is not allowed: "+err.Error(), "response_url"
			return p, false
		}
	}
	if err := p.Validate(nil); err != nil {
		f.Err, f.Field = errs.Message(err), "scopes"
		if strings.Contains(f.Err, "name") {
			f.Field = "name"
		}
		return p, false
	}
	return p, true
}

// keyRow is a key on the Keys page with its connected assistants.
type keyRow struct {
	access.Key
	Grants []Grant
}

type keysData struct {
	Keys      []keyRow
	Form      keyForm
	HasGrants bool
	GrantsErr string
}

func (c *Console) keysData(r *http.Request, m Member, form keyForm) (keysData, error) {
	keys, err := access.ListKeys(r.Context(), c.cfg.DB, m.WorkspaceID)
	if err != nil {
		return keysData{}, err
	}
	d := keysData{Form: form, HasGrants: c.cfg.Grants != nil}
	byKey := map[string][]Grant{}
	if c.cfg.Grants != nil {
		gs, err := c.cfg.Grants.ListGrants(r.Context(), m.WorkspaceID)
		if err != nil {
			c.cfg.Log.Error("console: list grants", "err", err)
			d.GrantsErr = "The connected assistants could not be read; the error is in the node's log."
		}
		for _, g := range gs {
			byKey[g.KeyID] = append(byKey[g.KeyID], g)
		}
	}
	for _, k := range keys {
		d.Keys = append(d.Keys, keyRow{Key: k, Grants: byKey[k.ID]})
	}
	return d, nil
}

func (c *Console) keysPage(w http.ResponseWriter, r *http.Request, m Member) {
	c.renderKeys(w, r, m, http.StatusOK, keyForm{})
}

func (c *Console) renderKeys(w http.ResponseWriter, r *http.Request, m Member, status int, form keyForm) {
	d, err := c.keysData(r, m, form)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "Keys", c.userError(r, err))
		return
	}
	c.page(w, r, status, "Keys", "keys", d)
}

// createdData is the page that shows a new key's secrets, once.
type createdData struct {
	Key           access.Key
	APIKey        string
	WebhookSecret string
	Curl          string
	Rotated       bool
	PreviousUntil time.Time
}

func (c *Console) createKey(w http.ResponseWriter, r *http.Request, m Member) {
	f := readKeyForm(r)
	p, ok := f.params(access.KeyParams{ThresholdPercent: 80}, c.cfg.CheckURL)
	if !ok {
		c.renderKeys(w, r, m, http.StatusUnprocessableEntity, f)
		return
	}
	ctx := r.Context()
	var k access.Key
	var secret, whsec string
	err := c.cfg.DB.InTx(ctx, func(tx store.Tx) error {
		var err error
		if k, secret, err = access.CreateKey(ctx, tx, m.WorkspaceID, p, c.cfg.CheckURL, c.now()); err != nil {
			return err
		}
		if c.cfg.Secrets != nil {
			whsec, err = c.cfg.Secrets.Create(ctx, tx, k.ID)
		}
		return err
	})
	if err != nil {
		f.Err = c.userError(r, err)
		c.renderKeys(w, r, m, http.StatusUnprocessableEntity, f)
		return
	}
	c.page(w, r, http.StatusCreated, "Key created", "key-created", createdData{Key: k, APIKey: secret, WebhookSecret: whsec, Curl: c.curl(secret)})
}

// curl is a ready-to-paste request with the new key; the access token is
// the member's own, which the node cannot show (it keeps only its hash).
func (c *Console) curl(apiKey string) string {
	return "curl -sS -X POST '" + strings.TrimRight(c.cfg.BaseURL(), "/") + "/api/agent?wait=30' \\\n" +
		"  -H \"Authorization: Bearer $SOIS_TOKEN\" \\\n" +
		"  -H 'X-Api-Key: " + apiKey + "' \\\n" +
		"  -H 'Content-Type: application/json' \\\n" +
		"  -d '{\"message\": \"List my open tasks\"}'"
}

type keyData struct {
	Key       access.Key
	Form      keyForm
	Grants    []Grant
	HasGrants bool
	Saved     bool
}

// workspaceKey reads a key of the member's workspace; another workspace's
// key is NotFound.
func (c *Console) workspaceKey(w http.ResponseWriter, r *http.Request, m Member) (access.Key, bool) {
	return pathRecord(c, w, r, m, "Key", access.GetKey)
}

func (c *Console) keyPage(w http.ResponseWriter, r *http.Request, m Member) {
	k, ok := c.workspaceKey(w, r, m)
	if !ok {
		return
	}
	c.renderKey(w, r, m, http.StatusOK, k, formOfKey(k), r.URL.Query().Get("saved") == "1")
}

func (c *Console) renderKey(w http.ResponseWriter, r *http.Request, m Member, status int, k access.Key, f keyForm, saved bool) {
	d := keyData{Key: k, Form: f, HasGrants: c.cfg.Grants != nil, Saved: saved}
	if c.cfg.Grants != nil {
		gs, err := c.cfg.Grants.ListGrants(r.Context(), m.WorkspaceID)
		if err != nil {
			c.cfg.Log.Error("console: list grants", "err", err)
		}
		for _, g := range gs {
			if g.KeyID == k.ID {
				d.Grants = append(d.Grants, g)
			}
		}
	}
	c.page(w, r, status, "Key "+keyLabel(k), "key", d)
}

func keyLabel(k access.Key) string {
	if k.Name != "" {
		return k.Name
	}
	return k.ID
}

func (c *Console) updateKey(w http.ResponseWriter, r *http.Request, m Member) {
	k, ok := c.workspaceKey(w, r, m)
	if !ok {
		return
	}
	f := readKeyForm(r)
	if k.Revoked {
		f.Err = "This key is revoked; it cannot be changed."
		c.renderKey(w, r, m, http.StatusUnprocessableEntity, k, f, false)
		return
	}
	p, ok := f.params(k.Params(), c.cfg.CheckURL)
	if !ok {
		c.renderKey(w, r, m, http.StatusUnprocessableEntity, k, f, false)
		return
	}
	ctx := r.Context()
	updated, err := access.UpdateKey(ctx, c.cfg.DB, m.WorkspaceID, k.ID, p, c.cfg.CheckURL)
	if err == nil && updated.ResponseURL != "" {
		// As `keys update` does: saving a URL re-enables deliveries a 410 stopped.
		err = c.cfg.Deliveries.EnableURL(ctx, m.WorkspaceID, updated.ResponseURL)
	}
	if err != nil {
		f.Err = c.userError(r, err)
		c.renderKey(w, r, m, http.StatusUnprocessableEntity, k, f, false)
		return
	}
	http.Redirect(w, r, Path+"/keys/"+k.ID+"?saved=1", http.StatusSeeOther)
}

func (c *Console) revokeKey(w http.ResponseWriter, r *http.Request, m Member) {
	k, ok := c.workspaceKey(w, r, m)
	if !ok {
		return
	}
	if err := access.RevokeKey(r.Context(), c.cfg.DB, m.WorkspaceID, k.ID, c.now()); err != nil {
		c.fail(w, r, http.StatusInternalServerError, "Key", c.userError(r, err))
		return
	}
	http.Redirect(w, r, Path+"/keys/"+k.ID, http.StatusSeeOther)
}

func (c *Console) rotateSecret(w http.ResponseWriter, r *http.Request, m Member) {
	k, ok := c.workspaceKey(w, r, m)
	if !ok {
		return
	}
	f := formOfKey(k)
	if c.cfg.Secrets == nil {
		f.Err = "This node has no key-encryption key configured, so keys cannot have webhook secrets."
		c.renderKey(w, r, m, http.StatusUnprocessableEntity, k, f, false)
		return
	}
	ctx := r.Context()
	var secret string
	var until time.Time
	err := c.cfg.DB.InTx(ctx, func(tx store.Tx) error {
		cur, err := access.GetKey(ctx, tx, m.WorkspaceID, k.ID)
		if err != nil {
			return err
		}
		if cur.Revoked {
			return errs.E(errs.Invalid, "key %s is revoked: nothing to sign for", k.ID)
		}
		secret, until, err = c.cfg.Secrets.Rotate(ctx, tx, k.ID, webhook.SecretGrace)
		return err
	})
	if err != nil {
		f.Err = c.userError(r, err)
		c.renderKey(w, r, m, http.StatusUnprocessableEntity, k, f, false)
		return
	}
	c.page(w, r, http.StatusOK, "New webhook secret", "key-created", createdData{Key: k, WebhookSecret: secret, Rotated: true, PreviousUntil: until})
}

func (c *Console) revokeGrant(w http.ResponseWriter, r *http.Request, m Member) {
	k, ok := c.workspaceKey(w, r, m)
	if !ok {
		return
	}
	if c.cfg.Grants == nil {
		c.notFound(w, r)
		return
	}
	if !c.grantOfKey(w, r, m, k) {
		return
	}
	if err := c.cfg.Grants.RevokeGrant(r.Context(), m.WorkspaceID, r.PathValue("grant")); err != nil {
		if isNotFound(err) {
			c.notFound(w, r)
			return
		}
		f := formOfKey(k)
		f.Err = c.userError(r, err)
		c.renderKey(w, r, m, http.StatusUnprocessableEntity, k, f, false)
		return
	}
	http.Redirect(w, r, Path+"/keys/"+k.ID, http.StatusSeeOther)
}

// grantOfKey reports whether the URL's grant is a live one of key k,
// answering 404 when it is not (another key's, revoked, unknown).
func (c *Console) grantOfKey(w http.ResponseWriter, r *http.Request, m Member, k access.Key) bool {
	gs, err := c.cfg.Grants.ListGrants(r.Context(), m.WorkspaceID)
	if err != nil {
		c.cfg.Log.Error("console: list grants", "err", err)
		c.fail(w, r, http.StatusInternalServerError, "Connected assistants", "The connected assistants could not be read; the error is in the node's log.")
		return false
	}
	for _, g := range gs {
		if g.ID == r.PathValue("grant") && g.KeyID == k.ID {
			return true
		}
	}
	c.notFound(w, r)
	return false
}

// checkURL answers the key form's script as a response URL is typed:
// 204 when the SSRF guard allows it, 422 with the reason as plain text.
func (c *Console) checkURL(w http.ResponseWriter, r *http.Request, _ Member) {
	u := strings.TrimSpace(r.PostFormValue("response_url"))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if u == "" || c.cfg.CheckURL == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := c.cfg.CheckURL(u); err != nil {
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte("This response URL is not allowed: " + err.Error()))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
