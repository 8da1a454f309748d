package openapi_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/soisnode/soisnode/testbed/npmtool"
)

// TestLinters: the document a live node serves passes Redocly's
// recommended-strict rules (@redocly/cli 2.77.0) and Spectral's
// spectral:oas ruleset (@stoplight/spectral-cli 6.16.3) with no error and
// no warning.
func TestLinters(t *testing.T) {
	_, _, doc := liveNode(t)
	js := jsDir(t)
	spec := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(spec, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REDOCLY_TELEMETRY", "off")
	t.Setenv("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
	out, errOut, err := npmtool.Try(js, 5*time.Minute, "node", "node_modules/@redocly/cli/bin/cli.js", "lint", spec,
		"--config", "redocly.yaml", "--format", "json")
	var redocly struct {
		Totals struct {
			Errors   int `json:"errors"`
			Warnings int `json:"warnings"`
		} `json:"totals"`
		Problems []json.RawMessage `json:"problems"`
	}
	if jerr := json.Unmarshal(out, &redocly); jerr != nil {
		t.Fatalf("redocly lint: %v (%v)\n%s\n%s", jerr, err, out, errOut)
	}
	if err != nil || redocly.Totals.Errors != 0 || redocly.Totals.Warnings != 0 || len(redocly.Problems) != 0 {
		t.Errorf("redocly recommended-strict: %d errors, %d warnings (%v):\n%s", redocly.Totals.Errors, redocly.Totals.Warnings, err, out)
	}

	out, errOut, err = npmtool.Try(js, 5*time.Minute, "node", "node_modules/@stoplight/spectral-cli/dist/index.js", "lint", spec,
		"--ruleset", ".spectral.yaml", "--format", "json", "--fail-severity", "hint", "--quiet")
	var spectral []struct {
		Code     string `json:"code"`
		Message  string `json:"message"`
		Severity int    `json:"severity"`
	}
	if jerr := json.Unmarshal(out, &spectral); jerr != nil {
		t.Fatalf("spectral lint: %v (%v)\n%s\n%s", jerr, err, out, errOut)
	}
	if err != nil || len(spectral) != 0 {
		t.Errorf("spectral:oas: %d results (%v): %+v", len(spectral), err, spectral)
	}
}
