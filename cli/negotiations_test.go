package cli_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/soisnode/soisnode/cli"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/node"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/signing"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// transcript stores, in workspace ws of db, a negotiation this node opened
// with node_crm (pinned as "crm" with the keys of crm): our open, the
// peer's message with data, our close. Our turns are signed with this
// node's own keys, as serve would sign them.
func transcript(t *testing.T, db *store.DB, dataDir, ws, id string, crm *signing.Keyring, now time.Time) {
	t.Helper()
	ctx := context.Background()
	kek, err := signing.LoadKEK("", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := signing.New(db, kek, signing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	self, err := node.StoredNodeID(ctx, db, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := peers.Resolve(ctx, db, ws, "crm"); err != nil {
		keys, _ := crm.PublicKeys(ctx)
		jwks, _ := crm.JWKS(ctx)
		fp, _ := peers.Fingerprint(keys)
		f := &peers.Fetched{Card: peers.Card{ID: "node_crm", Name: "Acme CRM"}, BaseURL: "https://crm.example.com", JWKS: jwks, Keys: keys, Fingerprint: fp}
		if _, err := peers.AddNamed(ctx, db, ws, "crm", f, peers.PolicyChange{}, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := negotiation.Create(ctx, db, ws, negotiation.CreateParams{ID: id, Peer: "node_crm", Goal: "contacts at Acme in London", MaxUSD: money.Dollar, MaxTurns: 10}, now); err != nil {
		t.Fatal(err)
	}
	turns := []struct {
		signer *signing.Keyring
		from   string
		to     string
		typ    negotiation.Type
		text   string
		data   string
	}{
		{ours, self, "node_crm", negotiation.TypeOpen, "contacts at Acme in London", ""},
		{crm, "node_crm", self, negotiation.TypeMessage, "Here they are.", `{"kind":"contacts","items":[{"name":"Jane Doe","email":"jane@acme.com"}]}`},
		{ours, self, "node_crm", negotiation.TypeClose, "Thanks.", ""},
	}
	for i, tt := range turns {
		env := negotiation.Envelope{V: negotiation.Version, NegotiationID: id, Seq: int64(i + 1), From: tt.from, To: tt.to,
			IssuedAt: now.Unix(), ExpiresAt: now.Add(5 * time.Minute).Unix(), Nonce: negotiation.NewNonce(), Type: tt.typ,
			Body: negotiation.Body{Text: tt.text}, Budget: negotiation.Budget{Cap: money.Dollar}}
		if tt.data != "" {
			env.Body.Data = json.RawMessage(tt.data)
		}
		jws, err := negotiation.Sign(ctx, tt.signer, env)
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx store.Tx) error {
			_, err := negotiation.AppendTurn(ctx, tx, ws, id, negotiation.TurnOf(env, jws, now))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := negotiation.Finish(ctx, db, ws, id, negotiation.StatusClosed, "closed: received 1 contact (Jane Doe), imported 1.", now); err != nil {
		t.Fatal(err)
	}
}

func TestNegotiationsListShowVerify(t *testing.T) {
	for name, url := range storetest.URLs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			sh := newShell(t, url)
			ws := sh.workspace()
			db := openStore(t, url)
			crm := signing.NewMemory(signing.Options{})
			if err := crm.Ensure(ctx); err != nil {
				t.Fatal(err)
			}
			now := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
			if out := sh.ok("negotiations", "list"); !strings.Contains(out, "No negotiations") {
				t.Fatalf("empty list: %s", out)
			}
			transcript(t, db, sh.env["SOIS_DATA_DIR"], ws, "neg_one", crm, now)
			if _, err := negotiation.Create(ctx, db, ws, negotiation.CreateParams{ID: "neg_two", Peer: "node_crm", Goal: "open tasks", MaxUSD: 0, MaxTurns: 4}, now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			self, _ := node.StoredNodeID(ctx, db, "")

			// list
			out := sh.ok("negotiations", "list")
			if !strings.Contains(out, "neg_one") || !strings.Contains(out, "crm (node_crm)") || !strings.Contains(out, "closed") ||
				!strings.Contains(out, "3/10") || strings.Index(out, "neg_two") > strings.Index(out, "neg_one") {
				t.Fatalf("list:\n%s", out)
			}
			var rows []cli.NegotiationRow
			if err := json.Unmarshal([]byte(sh.ok("negotiations", "list", "--status", "open", "--json")), &rows); err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].ID != "neg_two" || rows[0].PeerName != "crm" || rows[0].Turns != 0 || rows[0].FinishedAt != nil {
				t.Fatalf("list --status open: %+v", rows)
			}
			sh.fails(1, `unknown status "done"`, "negotiations", "list", "--status", "done")
			sh.fails(1, "limit must be", "negotiations", "list", "--limit", "0")

			// show
			out = sh.ok("negotiations", "show", "neg_one")
			for _, want := range []string{"Peer:        crm (node_crm)", "Status:      closed", "#1 open from us (" + self + ")",
				"#2 message from crm (node_crm)", "Here they are.", `"Jane Doe"`, "#3 close", "Summary:", "imported 1."} {
				if !strings.Contains(out, want) {
					t.Fatalf("show lacks %q:\n%s", want, out)
				}
			}
			var api map[string]any
			if err := json.Unmarshal([]byte(sh.ok("negotiations", "show", "neg_one", "--json")), &api); err != nil || api["status"] != "closed" || len(api["turns"].([]any)) != 3 {
				t.Fatalf("show --json: %v %v", api, err)
			}
			sh.fails(1, "no negotiation", "negotiations", "show", "nope")
			other := sh.workspace()
			sh.fails(1, "no negotiation", "negotiations", "show", "neg_one", "--workspace", other)

			// verify: every envelope checks out.
			out = sh.ok("negotiations", "verify", "neg_one", "--workspace", ws)
			if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || strings.Count(out, " OK") != 3 ||
				!strings.HasPrefix(lines[1], "2 ") || !strings.Contains(lines[1], "crm (node_crm)") || !strings.Contains(lines[1], "message") {
				t.Fatalf("verify:\n%s", out)
			}
			if out := sh.ok("negotiations", "verify", "neg_two", "--workspace", ws); !strings.Contains(out, "No envelopes") {
				t.Fatalf("verify without turns: %s", out)
			}

			// Our old envelopes stay verifiable after their key has left
			// the JWKS, if they were signed before it retired, and never
			// once the key is revoked (rotated with no grace).
			sh.ok("signing", "rotate")
			retired := func(retireAt time.Time, grace int64) {
				t.Helper()
				if _, err := db.Exec(ctx, `UPDATE signing_keys SET retire_at = ?, expires_at = ? WHERE retire_at <> 0`,
					store.Micros(retireAt), store.Micros(retireAt)+grace); err != nil {
					t.Fatal(err)
				}
			}
			retired(time.Now().Add(-time.Second), 1) // expired: out of the JWKS
			if out := sh.ok("signing", "list"); !strings.Contains(out, "expired") {
				t.Fatalf("signing list after expiry:\n%s", out)
			}
			if out := sh.ok("negotiations", "verify", "neg_one", "--workspace", ws); strings.Count(out, " OK") != 3 {
				t.Fatalf("verify after our key left the JWKS:\n%s", out)
			}
			retired(now.Add(-10*time.Minute), 1) // retired before it signed them
			if r := sh.run("negotiations", "verify", "neg_one", "--workspace", ws); r.code != 1 || strings.Count(r.stdout, "signed after its key was retired") != 2 || strings.Count(r.stdout, " OK") != 1 {
				t.Fatalf("signed after retiring: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			retired(time.Now(), 0) // revoked
			if r := sh.run("negotiations", "verify", "neg_one", "--workspace", ws); r.code != 1 || strings.Count(r.stdout, "key revoked as compromised") != 2 {
				t.Fatalf("revoked key: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			retired(time.Now(), 1)

			// A stored turn that differs from what was signed fails, alone.
			if _, err := db.Exec(ctx, `UPDATE negotiation_turns SET data = ? WHERE negotiation_id = ? AND seq = 2`,
				`{"kind":"contacts","items":[]}`, "neg_one"); err != nil {
				t.Fatal(err)
			}
			r := sh.run("negotiations", "verify", "neg_one", "--workspace", ws)
			if r.code != 1 || !strings.Contains(r.stdout, "FAILED: negotiation: stored turn differs from its signed envelope: data") ||
				strings.Count(r.stdout, " OK") != 2 || !strings.Contains(r.stderr, "1 of 3 envelopes of negotiation neg_one failed") {
				t.Fatalf("tampered data: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			var checks []cli.EnvelopeCheck
			r = sh.run("negotiations", "verify", "neg_one", "--workspace", ws, "--json")
			if err := json.Unmarshal([]byte(r.stdout), &checks); err != nil || r.code != 1 || len(checks) != 3 || checks[1].OK || !checks[0].OK || checks[1].From != "node_crm" {
				t.Fatalf("verify --json: exit %d %+v %v", r.code, checks, err)
			}

			// A turn of ours whose signature is not ours fails.
			forged, err := negotiation.Sign(ctx, crm, negotiation.Envelope{V: 1, NegotiationID: "neg_one", Seq: 3, From: self, To: "node_crm",
				IssuedAt: now.Unix(), ExpiresAt: now.Add(time.Minute).Unix(), Nonce: "n", Type: negotiation.TypeClose, Body: negotiation.Body{Text: "Thanks."}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(ctx, `UPDATE negotiation_turns SET jws = ? WHERE negotiation_id = ? AND seq = 3`, forged, "neg_one"); err != nil {
				t.Fatal(err)
			}
			if r := sh.run("negotiations", "verify", "neg_one", "--workspace", ws); r.code != 1 || !strings.Contains(r.stdout, "unknown key id") || strings.Count(r.stdout, " OK") != 1 {
				t.Fatalf("forged turn of ours: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}

			// Once the peer is removed, its envelopes cannot be checked.
			sh.ok("peers", "remove", "crm", "--workspace", ws)
			if r := sh.run("negotiations", "verify", "neg_one", "--workspace", ws); r.code != 1 || !strings.Contains(r.stdout, "no longer a pinned peer") {
				t.Fatalf("after peer removed: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}

			sh.fails(2, "negotiations list", "negotiations", "verify")
			sh.fails(2, "unknown negotiations command", "negotiations", "delete", "neg_one")
		})
	}
}
