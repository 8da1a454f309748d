package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/agent/openai/openaifake"
	"github.com/soisnode/soisnode/cli"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
	"github.com/soisnode/soisnode/testbed/poll"
	"github.com/soisnode/soisnode/webhook"
	"github.com/soisnode/soisnode/workspace"
)

// chromium is the Debian package's browser (.ci/run installs it).
const chromium = "/usr/bin/chromium"

// receiver is a webhook endpoint that can be broken: it answers 410 Gone
// (which stops deliveries to it) until fixed, then 200.
type receiver struct {
	broken atomic.Bool
	mu     sync.Mutex
	ids    []string
}

func (h *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.ids = append(h.ids, r.Header.Get("webhook-id"))
	h.mu.Unlock()
	if h.broken.Load() {
		http.Error(w, "receiver is down", http.StatusGone)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// TestBrowser drives the console in headless Chromium as an owner would:
// sign in with the link `soisnode console` prints, create a key with a $1
// daily budget and read its secret, send a message with it through POST
// /api/agent (a priced model answers, so it costs money), read the
// conversation, its receipts and verified signed reply, see the spend on
// the Budgets page, redeliver a webhook the broken receiver refused, and
// pin a second node as a peer after checking its fingerprint. Every page
// is kept as a screenshot at 375 px and desktop width.
func TestBrowser(t *testing.T) {
	t.Parallel() // its own nodes and Chromium profile
	if _, err := exec.LookPath(chromium); err != nil {
		t.Fatalf("%s is missing: apt-get install chromium (.ci/run does it)", chromium)
	}
	model := openaifake.Start(t)
	model.APIKey = "sk-test-key"
	model.Enqueue(
		openaifake.Calls(openaifake.Call{Name: "contacts_create", Args: map[string]any{"name": "Jane Doe", "email": "jane@acme.example", "company": "Acme Corp", "title": "CEO"}}),
		openaifake.Text("Created the contact Jane Doe (CEO, Acme Corp)."),
	)
	hook := &receiver{}
	hook.broken.Store(true)
	hooks := httptest.NewServer(hook)
	t.Cleanup(hooks.Close)

	dbURL := storetest.SQLiteURL(t)
	n := testbed.Start(t, node.Config{DatabaseURL: dbURL, Model: "gpt-4.1-mini", LLMBaseURL: model.BaseURL(), LLMAPIKey: model.APIKey,
		WebhookAllowHosts: []string{"127.0.0.1"}, PeerAllowHosts: []string{"127.0.0.1"}})
	other := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t)})
	owner := testbed.Workspace(t, n.DB(), workspace.Owner, access.KeyParams{})
	origin := n.URL()

	// The link, as the operator gets it.
	var out, errOut bytes.Buffer
	env := map[string]string{"SOIS_DATABASE_URL": dbURL, "SOIS_PUBLIC_URL": origin, "SOIS_WORKSPACE": owner.WorkspaceID}
	if code := cli.Main(context.Background(), []string{"console", "--json"}, &cli.Env{Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return env[k] }, Now: time.Now}); code != 0 {
		t.Fatalf("soisnode console: exit %d: %s", code, errOut.String())
	}
	var link struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
		MemberID  string    `json:"member_id"`
	}
	if err := json.Unmarshal(out.Bytes(), &link); err != nil || !strings.HasPrefix(link.URL, origin+"/console/link?t=") || link.MemberID != owner.MemberID {
		t.Fatalf("soisnode console --json: %s (%v)", out.String(), err)
	}

	b := newChrome(t, origin)
	b.open(link.URL)
	b.shoot("signin-link")
	b.click("#link-signin", "Create a key")

	// Keys: create one with a $1 daily budget and read its secret.
	b.shoot("keys")
	b.set("#key-name", "CRM webhook")
	b.set("#key-daily", "1")
	// Checked as it is typed, before the form is sent…
	if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS("#key-url"), "https://10.0.0.1/hook")); err != nil {
		t.Fatal(err)
	}
	b.waitText("This response URL is not allowed")
	if inv, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("#key-url").getAttribute("aria-invalid")`)); err != nil || inv != "true" {
		t.Fatalf("aria-invalid of the typed private URL: %q %v", inv, err)
	}
	// …and refused when it is sent anyway.
	b.click("#create-key button[type=submit]", "This response URL is not allowed")
	b.waitJS(`document.querySelector("#key-error") !== null`)
	if n, _ := access.ListKeys(context.Background(), n.DB(), owner.WorkspaceID); len(n) != 1 {
		t.Fatalf("keys after the refused form: %d", len(n))
	}
	b.shoot("keys-private-url")
	b.set("#key-url", hooks.URL+"/hook")
	b.click("#create-key button[type=submit]", "shown once")
	b.shoot("key-created")
	apiKey := b.text("#api-key")
	if !access.LooksLikeKey(apiKey) {
		t.Fatalf("the page shows %q as the key", apiKey)
	}
	if curl := b.text("#curl"); !strings.Contains(curl, apiKey) || !strings.Contains(curl, origin+"/api/agent") {
		t.Fatalf("curl: %s", curl)
	}

	// A message through the API with the new key.
	resp := n.Do("POST", "/api/agent?wait=30", testbed.Creds{Token: owner.Token, APIKey: apiKey},
		map[string]any{"message": "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.example"})
	var conv struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Cost   string `json:"cost_usd"`
	}
	resp.JSON(t, &conv)
	if resp.Status != 200 || conv.Status != "completed" {
		t.Fatalf("POST /api/agent: %d %s", resp.Status, resp.Body)
	}

	// The conversation, its receipt and its verified signed reply.
	b.open(origin + "/console/conversations")
	b.waitText("Created the contact Jane Doe")
	b.shoot("conversations")
	b.click(`a[href="/console/conversations/`+conv.ID+`"]`, "Receipts")
	b.waitText("Verified: signed by this node's key")
	if cost := b.text("#conv-cost"); cost == "$0" || !strings.HasPrefix(cost, "$0.") {
		t.Fatalf("conversation cost on the page: %q (API says %s)", cost, conv.Cost)
	}
	b.shoot("conversation")
	b.click(`ul.receipts a`, "Acme Corp")
	b.waitJS(`location.pathname.startsWith("/console/records/contact/") && document.body.innerText.includes("jane@acme.example")`)
	b.shoot("record-contact")

	// Budgets: the day's spend, as the ledger has it.
	keyID := b.keyID(n)
	var spent int64
	if err := n.DB().QueryRow(context.Background(), `SELECT CAST(COALESCE(SUM(cost), 0) AS BIGINT) FROM ledger WHERE key_id = ?`, keyID).Scan(&spent); err != nil || spent <= 0 {
		t.Fatalf("ledger spend of the key: %d %v", spent, err)
	}
	b.open(origin + "/console/budgets")
	want := "$" + money.Micro(spent).Short()
	b.waitText(want)
	if got := b.text(`#budget-` + keyID + ` td.spent`); got != want {
		t.Fatalf("daily spent on the Budgets page: %q, want %q", got, want)
	}
	if n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#budget-`+keyID+` svg rect.bar[height]:not([height='0.0'])").length`)); err != nil || n != 1 {
		t.Fatalf("bars with spend in the chart: %d %v", n, err)
	}
	b.shoot("budgets")

	// Deliveries: the broken receiver refused with 410; fix it, redeliver.
	q := webhook.NewQueue(n.DB(), time.Now)
	var delivery webhook.Delivery
	waitFor(t, "the delivery to be refused", func() bool {
		ds, err := q.List(context.Background(), webhook.Filter{WorkspaceID: owner.WorkspaceID, KeyID: keyID})
		if err != nil || len(ds) == 0 {
			return false
		}
		delivery = ds[0]
		return delivery.Status == webhook.StatusDisabled
	})
	b.open(origin + "/console/deliveries?key=" + keyID)
	b.shoot("deliveries")
	b.click(`a[href="/console/deliveries/`+delivery.ID+`"]`, "Attempts")
	if code := b.text("#attempts td.code"); code != "410" {
		t.Fatalf("first attempt's response code on the page: %q", code)
	}
	hook.broken.Store(false)
	b.click("#redeliver", "Queued for redelivery")
	waitFor(t, "the redelivery", func() bool {
		d, _, err := q.Get(context.Background(), owner.WorkspaceID, delivery.ID)
		return err == nil && d.Status == webhook.StatusDelivered
	})
	b.open(origin + "/console/deliveries/" + delivery.ID)
	if st := b.text("#delivery-status"); st != "delivered" {
		t.Fatalf("status after redelivery: %q", st)
	}
	b.waitText("200")
	b.shoot("delivery")

	// Peers: fetch the other node's card, check the fingerprint, pin.
	client := peers.NewClient([]string{"127.0.0.1"})
	card, err := peers.Fetch(context.Background(), client, other.URL())
	if err != nil {
		t.Fatal(err)
	}
	b.open(origin + "/console/peers")
	b.shoot("peers")
	b.set("#peer-url", other.URL())
	b.set("#peer-name", "crm")
	b.click("#add-peer button[type=submit]", "Check this fingerprint")
	if fp := b.text("#fingerprint"); fp != card.Fingerprint {
		t.Fatalf("fingerprint on the page %q, the card's %q", fp, card.Fingerprint)
	}
	if ps, _ := peers.List(context.Background(), n.DB(), owner.WorkspaceID); len(ps) != 0 {
		t.Fatal("a peer was pinned before the confirmation")
	}
	b.shoot("peer-confirm")
	b.click("#pin-peer button[type=submit]", "Pinned keys")
	b.shoot("peer")
	ps, err := peers.List(context.Background(), n.DB(), owner.WorkspaceID)
	if err != nil || len(ps) != 1 || ps[0].Name != "crm" || ps[0].Fingerprint != card.Fingerprint || ps[0].NodeID != other.NodeID() {
		t.Fatalf("pinned peers: %+v %v", ps, err)
	}

	// Its policy: a bad turn limit is refused inline, a good one saved.
	b.set("#policy-turns", "0")
	b.click("#policy button[type=submit]", "max_turns must be 1 to 100")
	b.shoot("peer-policy-error")
	b.set("#policy-scopes", "contacts:read")
	b.set("#policy-cap", "0.50")
	b.set("#policy-turns", "4")
	b.click("#policy button[type=submit]", "Policy saved")
	if p, err := peers.Get(context.Background(), n.DB(), owner.WorkspaceID, ps[0].ID); err != nil || p.MaxTurns != 4 || p.MaxUSD != 500_000 || len(p.Scopes) != 1 {
		t.Fatalf("policy after saving: %+v %v", p.Policy, err)
	}

	// Sent here from another site (as an assistant's connector sends a
	// member to the consent page): the browser withholds the Strict
	// cookie, the sign-in page reloads itself, and the member is in.
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<a id="go" href="%s/console/signin?next=%%2Fconsole%%2Fmembers">Settings</a>`, origin)
	}))
	t.Cleanup(elsewhere.Close)
	b.open(strings.Replace(elsewhere.URL, "127.0.0.1", "localhost", 1))
	b.click("#go", "Add a member")
	b.waitJS(`location.pathname === "/console/members"`)
	b.shoot("members")
	b.checkCSP()
}

// waitFor polls cond until it holds or 30 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	poll.Wait(t, 30*time.Second, what, cond)
}

// chrome is a headless Chromium tab on the node.
type chrome struct {
	t      *testing.T
	ctx    context.Context
	origin string
}

func newChrome(t *testing.T, origin string) *chrome {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelTimeout)
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", e => window.__csp.push(location.pathname + ": " + e.violatedDirective + " " + e.blockedURI));`,
	}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &chrome{t: t, ctx: ctx, origin: origin}
}

func (c *chrome) open(url string) {
	c.t.Helper()
	c.checkCSP()
	if err := chromedp.Do(c.ctx, chromedp.Navigate(url)); err != nil {
		c.t.Fatalf("open %s: %v", url, err)
	}
}

func (c *chrome) set(sel, value string) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, chromedp.SetValue(chromedp.CSS(sel), value)); err != nil {
		c.t.Fatalf("fill %s: %v", sel, err)
	}
}

// click clicks sel and waits for the page to show text.
func (c *chrome) click(sel, text string) {
	c.t.Helper()
	c.checkCSP()
	if err := chromedp.Do(c.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		c.t.Fatalf("click %s: %v", sel, err)
	}
	c.waitText(text)
}

func (c *chrome) waitText(text string) {
	c.t.Helper()
	js, _ := json.Marshal(text)
	c.waitJS(`document.body.innerText.includes(` + string(js) + `)`)
}

// waitJS waits for the loaded page to make the expression true.
func (c *chrome) waitJS(expr string) {
	c.t.Helper()
	cond := `document.readyState === "complete" && (` + expr + `)`
	var err error
	if !poll.Until(30*time.Second, func() bool {
		// A navigation in progress interrupts an evaluation: ask again.
		var ok bool
		ok, err = chromedp.Run(c.ctx, chromedp.Evaluate[bool](cond))
		return err == nil && ok
	}) {
		body, _ := chromedp.Run(c.ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText.slice(0, 3000)`))
		c.t.Fatalf("the page does not make %s true (%v)\n%s", expr, err, body)
	}
}

func (c *chrome) text(sel string) string {
	c.t.Helper()
	s, err := chromedp.Run(c.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		c.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// keyID is the id of the key the test created on the Keys page.
func (c *chrome) keyID(n *testbed.Node) string {
	c.t.Helper()
	var id string
	if err := n.DB().QueryRow(context.Background(), `SELECT id FROM api_keys WHERE name = 'CRM webhook'`).Scan(&id); err != nil {
		c.t.Fatal(err)
	}
	return id
}

// checkLabels fails on a form control of the page without a label (a
// <label>, aria-label or aria-labelledby) or a button without a name, so
// a screen reader can name every control.
func (c *chrome) checkLabels(name string) {
	c.t.Helper()
	bad, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("input:not([type=hidden]), select, textarea, button")]
		.filter(e => e.tagName === "BUTTON" ? !(e.textContent.trim() || e.getAttribute("aria-label"))
			: !((e.labels && e.labels.length) || e.getAttribute("aria-label") || e.getAttribute("aria-labelledby")))
		.map(e => e.outerHTML.slice(0, 120))`))
	if err != nil || len(bad) > 0 {
		c.t.Errorf("%s: controls without a label (%v): %v", name, err, bad)
	}
}

// checkCSP fails on any CSP violation the pages met so far.
func (c *chrome) checkCSP() {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`window.__csp || []`))
	if err == nil && len(v) > 0 {
		c.t.Fatalf("the console broke its CSP: %v", v)
	}
}

// shoot keeps the page as screenshots at 375 px and 1280 px wide, and
// checks the narrow one needs no sideways scrolling.
func (c *chrome) shoot(name string) {
	c.t.Helper()
	c.checkLabels(name)
	for _, width := range []int64{375, 1280} {
		if err := chromedp.Do(c.ctx, chromedp.EmulateViewport(width, 800)); err != nil {
			c.t.Fatal(err)
		}
		if width == 375 {
			over, err := chromedp.Run(c.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
			if err != nil || over > 0 {
				wide, _ := chromedp.Run(c.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth).slice(0, 5).map(e => e.outerHTML.slice(0, 120) + " right=" + e.getBoundingClientRect().right)`))
				c.t.Errorf("%s at 375 px: the page is %d px wider than the screen (%v): %v", name, over, err, wide)
			}
		}
		shot, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			c.t.Fatal(err)
		}
		path := filepath.Join(c.t.ArtifactDir(), fmt.Sprintf("console-%s-%d.png", name, width))
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			c.t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(shot)); err != nil {
			c.t.Fatalf("screenshot %s is not a PNG: %v", path, err)
		}
	}
}
