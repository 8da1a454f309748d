package node

import (
	"os"

	"github.com/soisnode/soisnode/console"
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
		Secrets: n.secrets, Deliveries: n.deliveries, Budgets: n.budgets, PublicKeys: n.keys.PublicKeys,
		NodeID: n.nodeID, PeerAllowHosts: n.cfg.PeerAllowHosts, Idle: idle, MaxAge: maxAge,
	})
	return err
}

// Console is the node's browser Settings, for parts that render inside it
// (the OAuth consent page).
func (n *Node) Console() *console.Console { return n.console }
