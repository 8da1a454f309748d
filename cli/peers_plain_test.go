package cli_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
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
