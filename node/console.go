package node

import (
	"os"

	"github.com/soisnode/soisnode/console"
	"github.com/soisnode/soisnode/oauth"
)

// assembleConsole builds the browser Settings (package console) from the
// node's parts; routes mounts it at console.Path.
func (n *Node) assembleConsole() error {
	getenv := n.cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	idle, maxAge, err := console.TimeoutsFromEnv(getenv)
	if err != nil {
		return err
	}
	n.console, err = console.New(console.Config{
		DB: n.db, Now: n.now, Log: n.log, BaseURL: func() string { return n.cfg.BaseURL() }, CheckURL: n.guard.CheckURL,
		Secrets: n.secrets, Deliveries: n.deliveries, Budgets: n.budgets, AuditKeys: n.keys.AuditKeys,
		NodeID: n.nodeID, PeerAllowHosts: n.cfg.PeerAllowHosts, Idle: idle, MaxAge: maxAge,
		Grants: consoleGrants{st: n.oauthStore()},
	})
	return err
}

// oauthStore is the OAuth grants and tokens of the node's database.
func (n *Node) oauthStore() *oauth.Store { return &oauth.Store{DB: n.db, Now: n.now} }

// consentSessions is the sign-in the OAuth consent page asks: the
// console's, unless Config.Sessions replaces it.
func (n *Node) consentSessions() oauth.Sessions {
	if n.cfg.Sessions != nil {
		return n.cfg.Sessions
	}
	return consoleSessions{c: n.console}
}

// Console is the node's browser Settings, for parts that render inside it
// (the OAuth consent page).
func (n *Node) Console() *console.Console { return n.console }
