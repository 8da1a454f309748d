package apidocs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/soisnode/soisnode/apidocs"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/store/storetest"
	"github.com/soisnode/soisnode/testbed"
)

// chromium is the Debian package's browser (.ci/run installs it).
const chromium = "/usr/bin/chromium"

// TestDocsRenderOffline: headless Chromium, with every host name but the
// node's address made unresolvable, opens /docs; Stoplight Elements renders
// the operations from the embedded bundle (the sidebar lists the tags and
// an operation's page shows its summary), every request the page makes goes to the node, the CSP is
// 'self' and nothing breaks it, and a screenshot (kept as an artefact)
// shows content.
func TestDocsRenderOffline(t *testing.T) {
	if _, err := exec.LookPath(chromium); err != nil {
		t.Fatalf("%s is missing: apt-get install chromium (.ci/run does it)", chromium)
	}
	n := testbed.Start(t, node.Config{DatabaseURL: storetest.SQLiteURL(t)})
	origin := n.URL()

	resp, err := http.Get(origin + "/docs")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); resp.StatusCode != 200 || csp != apidocs.CSP || !strings.HasPrefix(csp, "default-src 'self'") ||
		strings.Contains(csp, "http") || strings.Contains(csp, "unsafe-eval") {
		t.Fatalf("GET /docs: %d, CSP %q", resp.StatusCode, csp)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// No route out: every name but the node's address fails to resolve.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()

	var mu sync.Mutex
	var foreign, failed []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			u := e.Request.URL
			if !strings.HasPrefix(u, origin+"/") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
				foreign = append(foreign, u)
			}
		case *network.EventLoadingFailed:
			failed = append(failed, e.ErrorText)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	// Record every CSP violation the page meets (scripts added this way are
	// not subject to the page's CSP).
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`,
	}); err != nil {
		t.Fatal(err)
	}

	const summary = "Send a plain-English message to the agent"
	rctx, cancelRender := context.WithTimeout(ctx, 90*time.Second)
	defer cancelRender()
	// The operation's page (Elements' hash router): its summary is the heading.
	if err := chromedp.Do(rctx, chromedp.Navigate(origin+"/docs#/operations/send-message")); err != nil {
		t.Fatalf("open /docs: %v", err)
	}
	if _, err := chromedp.Run(rctx, chromedp.Poll[bool](`document.body.innerText.includes(`+jsString(summary)+`)`,
		chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		text, _ := chromedp.Run(rctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 2000)`))
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("the rendered page does not show %q: %v\npage text: %s\nfailed loads: %v; requests off the node: %v", summary, err, text, failed, foreign)
	}
	for _, tag := range []string{"Agent", "Admin", "Files", "Negotiations", "Webhooks"} {
		ok, err := chromedp.Run(rctx, chromedp.Evaluate[bool](`document.body.innerText.includes(`+jsString(tag)+`)`))
		if err != nil || !ok {
			t.Errorf("the sidebar does not list the tag %s (%v)", tag, err)
		}
	}
	violations, err := chromedp.Run(rctx, chromedp.Evaluate[[]string](`window.__csp`))
	if err != nil {
		t.Fatal(err)
	}
	if len(violations) > 0 {
		t.Errorf("the page broke its CSP: %v", violations)
	}
	shot, err := chromedp.Run(rctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(foreign) > 0 {
		t.Errorf("the page asked for resources off the node: %v", foreign)
	}
	checkScreenshot(t, shot)
}

// checkScreenshot keeps the screenshot as a test artefact and checks that
// it shows content: a blank page is one colour.
func checkScreenshot(t *testing.T, shot []byte) {
	t.Helper()
	path := filepath.Join(t.ArtifactDir(), "docs.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	colours := map[uint32]int{}
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[(r>>11)<<10|(g>>11)<<5|bl>>11]++
			if r+g+bl < 3*0x8000 {
				dark++
			}
		}
	}
	if len(colours) < 20 || dark < 500 {
		t.Fatalf("screenshot looks blank: %d colours, %d dark samples (%s)", len(colours), dark, path)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
