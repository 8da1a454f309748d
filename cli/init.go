package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// Credentials is what init prints with --json.
type Credentials struct {
	WorkspaceID string `json:"workspace_id"`
	Token       string `json:"token"`
	APIKey      string `json:"api_key"`
	BaseURL     string `json:"base_url"`
	MemberID    string `json:"member_id"`
	KeyID       string `json:"key_id"`
	// WebhookSecret verifies the key's deliveries (Standard Webhooks v1);
	// nil when the key-encryption key was not available (see stderr).
	WebhookSecret *string `json:"webhook_secret"`
}

func runInit(ctx context.Context, e *Env, args []string) error {
	fs := newFlags("init", e)
	asJSON := fs.Bool("json", false, "print {workspace_id, token, api_key, base_url} as JSON")
	name := fs.String("name", "My Workspace", "workspace name")
	owner := fs.String("owner", "Owner", "owner's name")
	email := fs.String("email", "owner@example.com", "owner's email")
	if _, err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, e)
	if err != nil {
		return err
	}
	defer db.Close()
	creds, err := createWorkspace(ctx, e, db, *name, *owner, *email)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.Stdout, creds)
	}
	printCredentials(e.Stdout, creds)
	return nil
}

// createWorkspace makes a workspace with an owner, a token and a key.
func createWorkspace(ctx context.Context, e *Env, db *store.DB, name, owner, email string) (Credentials, error) {
	cfg, err := config(e)
	if err != nil {
		return Credentials{}, err
	}
	secrets := optionalWebhookSecrets(ctx, e, db)
	var c Credentials
	now := e.Now()
	err = db.InTx(ctx, func(tx store.Tx) error {
		ws, err := access.CreateWorkspace(ctx, tx, name, now)
		if err != nil {
			return err
		}
		m, err := access.AddMember(ctx, tx, ws.ID, owner, email, workspace.Owner, now)
		if err != nil {
			return err
		}
		_, token, err := access.CreateToken(ctx, tx, ws.ID, m.ID, "init", now)
		if err != nil {
			return err
		}
		k, key, err := access.CreateKey(ctx, tx, ws.ID, access.KeyParams{Name: "default",
			BudgetDaily: budget.None, BudgetMonthly: budget.None, BudgetTotal: budget.None}, nil, now)
		if err != nil {
			return err
		}
		whsec, err := createSecret(ctx, tx, secrets, k.ID)
		if err != nil {
			return err
		}
		c = Credentials{WorkspaceID: ws.ID, Token: token, APIKey: key, BaseURL: cfg.BaseURL(), MemberID: m.ID, KeyID: k.ID, WebhookSecret: whsec}
		return nil
	})
	return c, err
}

func printCredentials(w io.Writer, c Credentials) {
	fmt.Fprintf(w, `Workspace created: %s

  Access token (the member the agent acts as):  %s
  Integration key (scopes, budgets, webhooks):   %s
  Webhook secret (verifies its deliveries):      %s

These secrets are shown once. Try it:

curl -s -X POST '%s/api/agent?wait=10' \
  -H 'Authorization: Bearer %s' \
  -H 'X-Api-Key: %s' \
  -H 'Content-Type: application/json' \
  -d '{"message": "Create a contact for Jane Doe, CEO of Acme Corp, jane@acme.com"}'

`, c.WorkspaceID, c.Token, c.APIKey, orNone(c.WebhookSecret), strings.TrimRight(c.BaseURL, "/"), c.Token, c.APIKey)
}

// pickWorkspace resolves --workspace: an id, or the newest workspace.
func pickWorkspace(ctx context.Context, e *Env, q store.Querier, flagValue string) (string, error) {
	id := flagValue
	if id == "" {
		id = e.Getenv("SOIS_WORKSPACE")
	}
	if id != "" {
		ws, err := access.GetWorkspace(ctx, q, id)
		return ws.ID, err
	}
	all, err := access.ListWorkspaces(ctx, q)
	if err != nil {
		return "", err
	}
	if len(all) == 0 {
		return "", fmt.Errorf("no workspace yet: run `soisnode init` first")
	}
	return all[len(all)-1].ID, nil
}

// openWorkspace opens the configured database and resolves --workspace
// (see pickWorkspace). The caller closes the database.
func openWorkspace(ctx context.Context, e *Env, flagValue string) (*store.DB, string, error) {
	db, err := openDB(ctx, e)
	if err != nil {
		return nil, "", err
	}
	ws, err := pickWorkspace(ctx, e, db, flagValue)
	if err != nil {
		db.Close()
		return nil, "", err
	}
	return db, ws, nil
}

func orNone(s *string) string {
	if s == nil {
		return "(none: see the warning above)"
	}
	return *s
}
