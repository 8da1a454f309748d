package cli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	spec "github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2asrv"

	"github.com/soisnode/soisnode/cli"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestPeersAddPlainA2A: `peers add` on a card without the soisnode
// extension shows and registers a plain A2A agent (its JSON-RPC
// interface, no keys), asks first, and `peers repin` refuses it.
func TestPeersAddPlainA2A(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	rpc := srv.URL + "/rpc"
	mux.Handle(a2asrv.WellKnownAgentCardPath, a2asrv.NewStaticAgentCardHandler(&spec.AgentCard{
		Name: "Helpdesk Bot", Description: "a third-party agent", Version: "2",
		SupportedInterfaces: []*spec.AgentInterface{spec.NewAgentInterface(rpc, spec.TransportProtocolJSONRPC)},
		DefaultInputModes:   []string{"text/plain"}, DefaultOutputModes: []string{"text/plain"},
	}))

	sh := newShell(t, storetest.SQLiteURL(t))
	sh.env["SOIS_PEER_ALLOW_HOSTS"] = "127.0.0.1"
	sh.workspace()

	sh.stdin = "n\n"
	r := sh.run("peers", "add", srv.URL)
	if r.code != 1 || !strings.Contains(r.stderr, "not added") || !strings.Contains(r.stdout, rpc) ||
		!strings.Contains(r.stdout, "plain A2A agent") || !strings.Contains(r.stdout, "Add this A2A agent as a peer? [y/N]") {
		t.Fatalf("answer n: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if out := sh.ok("peers", "list"); !strings.Contains(out, "No peers") {
		t.Fatalf("after n: %s", out)
	}
	var v cli.PeerView
	if err := json.Unmarshal([]byte(sh.ok("peers", "add", srv.URL, "--yes", "--max-turns", "4", "--json")), &v); err != nil {
		t.Fatal(err)
	}
	if v.A2AURL != rpc || v.NodeID != peers.PlainPrefix+rpc || len(v.KeyIDs) != 0 || v.Name != "helpdesk-bot" || v.MaxTurns != 4 {
		t.Fatalf("added: %+v", v)
	}
	sh.fails(1, "nothing to re-pin", "peers", "repin", "helpdesk-bot", "--yes")
}

// TestPeersPlainA2ACredential: a plain A2A agent whose card requires an
// HTTP bearer token is not added without one; `--credential-file` gives
// it (never on the command line), it is shown only masked, a credential
// of a scheme the card does not declare is refused, and `peers
// credential` replaces or clears it. On SQLite and PostgreSQL.
func TestPeersPlainA2ACredential(t *testing.T) {
	const token = "tok-9f8e7d6c5b4a"
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.Handle(a2asrv.WellKnownAgentCardPath, a2asrv.NewStaticAgentCardHandler(&spec.AgentCard{
		Name: "Locked Bot", Description: "a third-party agent that wants a token", Version: "2",
		SupportedInterfaces: []*spec.AgentInterface{spec.NewAgentInterface(srv.URL+"/rpc", spec.TransportProtocolJSONRPC)},
		DefaultInputModes:   []string{"text/plain"}, DefaultOutputModes: []string{"text/plain"},
		SecuritySchemes:      spec.NamedSecuritySchemes{"token": spec.HTTPAuthSecurityScheme{Scheme: "bearer"}},
		SecurityRequirements: spec.SecurityRequirementsOptions{{"token": {}}},
	}))
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			sh := newShell(t, storetest.URLTB(t, d))
			sh.env["SOIS_PEER_ALLOW_HOSTS"] = "127.0.0.1"
			sh.workspace()
			file := filepath.Join(t.TempDir(), "token")
			if err := os.WriteFile(file, []byte(token+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}

			sh.fails(1, "requires a credential (HTTP bearer)", "peers", "add", srv.URL, "--yes")
			sh.fails(2, "add --yes", "peers", "add", srv.URL, "--credential-file", "-")
			sh.fails(1, "cannot carry a credential", "peers", "add", srv.URL, "--yes", "--credential-file", file, "--credential-header", "Host")
			r := sh.run("peers", "add", srv.URL, "--yes", "--credential-file", file, "--json")
			if r.code != 0 {
				t.Fatalf("add: %d %s", r.code, r.stderr)
			}
			var v cli.PeerView
			if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
				t.Fatal(err)
			}
			if v.Credential != "Authorization: Bearer ********" || strings.Contains(r.stdout+r.stderr, token) {
				t.Fatalf("added: credential %q\n%s%s", v.Credential, r.stdout, r.stderr)
			}
			if out := sh.ok("peers", "list"); !strings.Contains(out, "Authorization: Bearer ********") || strings.Contains(out, token) {
				t.Fatalf("list: %s", out)
			}

			sh.stdin = "key-123\n"
			sh.fails(1, "declares HTTP bearer; the credential given is a header X-Api-Key", "peers", "credential", "locked-bot", "--credential-file", "-", "--credential-header", "X-Api-Key")
			sh.fails(2, "--clear takes no", "peers", "credential", "locked-bot", "--clear", "--credential-file", file)
			sh.stdin = "Bearer other-token\n"
			if out := sh.ok("peers", "credential", "locked-bot", "--credential-file", "-"); !strings.Contains(out, "credential set (Authorization: Bearer ********)") || strings.Contains(out, "other-token") {
				t.Fatalf("credential: %s", out)
			}
			if out := sh.ok("peers", "credential", "locked-bot", "--clear"); !strings.Contains(out, "credential removed") {
				t.Fatalf("clear: %s", out)
			}
			if out := sh.ok("peers", "list", "--json"); !strings.Contains(out, `"credential": ""`) {
				t.Fatalf("after clear: %s", out)
			}
		})
	}
}
