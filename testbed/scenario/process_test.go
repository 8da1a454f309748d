package scenario_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
)

// What the tests of the real binary share: a process's environment, its
// first workspace, and the database read beside it.

// processEnv is the environment of a soisnode process on dbURL, listening
// on addr, with its home and data folder in dir, and extra settings.
func processEnv(dir, dbURL, addr string, extra ...string) []string {
	return append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"SOIS_DATABASE_URL=" + dbURL, "SOIS_DATA_DIR=" + filepath.Join(dir, "data"), "SOIS_LISTEN=" + addr,
	}, extra...)
}

// env is the settings that point a process at the fake with the real
// provider client (what configure does for a node in this process).
func (f *fakeModel) env() []string {
	switch f.name {
	case "gemini":
		return []string{"GEMINI_API_KEY=" + f.gem.APIKey, "SOIS_GEMINI_BASE_URL=" + f.gem.URL(), "SOIS_MODEL=" + f.model}
	default:
		return []string{"SOIS_LLM_BASE_URL=" + f.oai.BaseURL(), "SOIS_LLM_API_KEY=" + f.oai.APIKey, "SOIS_MODEL=" + f.model}
	}
}

// initNode runs `soisnode init --json` with env and returns the first
// workspace's credentials.
func initNode(t *testing.T, bin string, env []string) initCreds {
	t.Helper()
	out, err := (&exec.Cmd{Path: bin, Args: []string{bin, "init", "--json"}, Env: env}).Output()
	if err != nil {
		t.Fatalf("soisnode init --json: %v", err)
	}
	var creds initCreds
	if err := json.Unmarshal(out, &creds); err != nil || creds.Token == "" || creds.APIKey == "" {
		t.Fatalf("init --json printed %s (%v)", out, err)
	}
	return creds
}

// openDB opens the database at dbURL beside the processes, closed when t
// ends.
func openDB(t *testing.T, dbURL string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// setTotalBudget gives the integration keys in db (the one init created,
// or the key keyID when given) a total budget of limit.
func setTotalBudget(t *testing.T, db *store.DB, limit money.Micro, keyID ...string) {
	t.Helper()
	q, args := `UPDATE api_keys SET budget_total = ?`, []any{int64(limit)}
	if len(keyID) > 0 {
		q, args = q+` WHERE id = ?`, append(args, keyID[0])
	}
	if _, err := db.Exec(t.Context(), q, args...); err != nil {
		t.Fatal(err)
	}
}
