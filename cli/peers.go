package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/webhook"
)

// PeerView is how peers are printed (`peers … --json`).
type PeerView struct {
	ID          string   `json:"id"`
	NodeID      string   `json:"node_id"`
	Name        string   `json:"name"`      // the local name
	CardName    string   `json:"card_name"` // the name the peer's card gives itself
	BaseURL     string   `json:"base_url"`
	Fingerprint string   `json:"fingerprint"`
	KeyIDs      []string `json:"key_ids"`
	// A2AURL is the JSON-RPC interface of a plain A2A agent (no soisnode
	// extension, no keys: exchanges with it are A2A messages, unsigned);
	// "" for a soisnode node.
	A2AURL string `json:"a2a_url"`
	// Credential is how the credential a plain A2A agent demands is sent,
	// masked ("Authorization: Bearer ********"); "" when none is set. The
	// credential itself is never shown.
	Credential string    `json:"credential"`
	Scopes     []string  `json:"scopes"`
	MaxUSD     string    `json:"max_usd"`
	MaxTurns   int       `json:"max_turns"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func viewPeer(p peers.Peer) PeerView {
	return PeerView{ID: p.ID, NodeID: p.NodeID, Name: p.Name, CardName: p.CardName, BaseURL: p.BaseURL, Fingerprint: p.Fingerprint,
		KeyIDs: p.KeyIDs(), A2AURL: p.A2AURL, Credential: p.MaskedCredential(), Scopes: p.Scopes, MaxUSD: p.MaxUSD.Short(), MaxTurns: p.MaxTurns,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// policyFlags are a peer's policy as flags; only the flags given change it.
type policyFlags struct {
	scopes, maxUSD string
	maxTurns       int
}

func (f *policyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.scopes, "scopes", "", "comma-separated tool scopes the peer's requests may use here, e.g. contacts:read (default: none)")
	fs.StringVar(&f.maxUSD, "max-usd", "", "most one exchange with the peer may spend here, in USD (default 1.00)")
	fs.IntVar(&f.maxTurns, "max-turns", 0, "most turns of one exchange, 1 to 100 (default 10)")
}

func (f *policyFlags) change(fs *flag.FlagSet) peers.PolicyChange {
	var c peers.PolicyChange
	fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "scopes":
			s := splitComma(f.scopes)
			c.Scopes = &s
		case "max-usd":
			c.MaxUSD = &f.maxUSD
		case "max-turns":
			c.MaxTurns = &f.maxTurns
		}
	})
	return c
}

func runPeers(ctx context.Context, e *Env, args []string) error {
	const use = "peers add BASE_URL [--name N] [--yes] [--scopes a,b] [--max-usd 1.00] [--max-turns 10] [--credential-file PATH [--credential-header NAME]] | peers list | " +
		"peers remove PEER | peers policy PEER [--scopes a,b] [--max-usd USD] [--max-turns N] | peers repin PEER [--yes] | " +
		"peers credential PEER (--credential-file PATH [--credential-header NAME] | --clear) " +
		"(PEER: the peer's name, id or node id; a credential is for a plain A2A agent, read from PATH or, with -, from stdin)"
	if len(args) == 0 {
		return usagef(use)
	}
	sub, args := args[0], args[1:]
	want := map[string]int{"add": 1, "list": 0, "remove": 1, "policy": 1, "repin": 1, "credential": 1}
	n, ok := want[sub]
	if !ok {
		return usagef("unknown peers command %q (add, list, remove, policy, repin, credential)", sub)
	}
	c := e.workspaceCommand("peers " + sub)
	fs, asJSON := c.FlagSet, c.json
	var pol policyFlags
	var yes *bool
	var name *string
	if sub == "add" || sub == "policy" {
		pol.register(fs)
	}
	if sub == "add" {
		name = fs.String("name", "", "the peer's local name, unique in the workspace (default: from its card's name)")
	}
	if sub == "add" || sub == "repin" {
		yes = fs.Bool("yes", false, "pin the keys without asking")
	}
	var cf credentialFlags
	if sub == "add" || sub == "credential" {
		cf.register(fs, sub == "credential")
	}
	pos, err := c.parse(args, n, use)
	if err != nil {
		return err
	}
	// A bad credential fails before anything is fetched; it is read
	// before a confirmation could be.
	cred, err := cf.read(e, yes != nil && *yes)
	if err != nil {
		return err
	}
	change := pol.change(fs)
	if _, err := change.Apply(peers.DefaultPolicy()); err != nil {
		return err // a bad flag fails before anything is fetched
	}
	if name != nil && *name != "" {
		if err := peers.CheckName(*name); err != nil {
			return err
		}
	}
	cfg, err := config(e)
	if err != nil {
		return err
	}
	db, ws, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "add":
		return addPeer(ctx, e, db, ws, pos[0], *name, change, cred, cfg.PeerAllowHosts, *yes, *asJSON)
	case "credential":
		return setPeerCredential(ctx, e, db, ws, pos[0], cred, cfg.PeerAllowHosts, *asJSON)
	case "repin":
		return repinPeer(ctx, e, db, ws, pos[0], cfg.PeerAllowHosts, *yes, *asJSON)
	case "remove":
		var p peers.Peer
		err := db.InTx(ctx, func(tx store.Tx) error {
			var err error
			p, err = peers.Remove(ctx, tx, ws, pos[0])
			return err
		})
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.Stdout, viewPeer(p))
		}
		fmt.Fprintf(e.Stdout, "Peer %s (%s) removed; its keys are no longer pinned.\n", p.Name, p.NodeID)
		return nil
	case "policy":
		var p peers.Peer
		err := db.InTx(ctx, func(tx store.Tx) error {
			var err error
			p, err = peers.SetPolicy(ctx, tx, ws, pos[0], change, e.Now())
			return err
		})
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.Stdout, viewPeer(p))
		}
		fmt.Fprintf(e.Stdout, "Peer %s (%s): scopes %s, max %s USD and %d turns per exchange.\n",
			p.Name, p.NodeID, scopeList(p.Scopes), p.MaxUSD.Short(), p.MaxTurns)
		return nil
	}
	list, err := peers.List(ctx, db, ws)
	if err != nil {
		return err
	}
	return printList(e.Stdout, *asJSON, viewsOf(list, viewPeer), "No peers.", "NAME\tID\tNODE ID\tBASE URL\tFINGERPRINT\tSCOPES\tMAX USD\tMAX TURNS\tCREDENTIAL",
		func(v PeerView) []any {
			c := v.Credential
			if c == "" {
				c = "none"
			}
			return []any{v.Name, v.ID, v.NodeID, v.BaseURL, v.Fingerprint, scopeList(v.Scopes), v.MaxUSD, v.MaxTurns, c}
		})
}

// addPeer fetches and checks the card at baseURL, shows what would be
// pinned, and pins it once the operator agrees (or yes).
func addPeer(ctx context.Context, e *Env, db *store.DB, ws, baseURL, name string, change peers.PolicyChange, cred *peers.Credential, allow []string, yes, asJSON bool) error {
	client := peers.NewClient(allow)
	client.Now = e.Now
	f, err := peers.Fetch(ctx, client, baseURL)
	if err != nil {
		return err
	}
	var sealer webhook.Sealer
	if f.A2AURL == "" && cred != nil {
		return errs.E(errs.Invalid, "the card at %s is a soisnode node (%s): its envelopes are signed, it takes no credential", f.BaseURL, f.Card.ID)
	}
	if f.A2AURL != "" {
		if err := peers.CheckCredential(f.Card.A2A, cred); err != nil {
			return err
		}
		if cred != nil {
			secrets, err := webhookSecrets(ctx, e, db)
			if err != nil {
				return err
			}
			sealer = secrets.Sealer
		}
	}
	local, err := peers.NameFor(ctx, db, ws, name, f)
	if err != nil {
		return err
	}
	// With --json, stdout is for the result only.
	out := e.Stdout
	if asJSON {
		out = e.Stderr
	}
	if f.A2AURL != "" {
		fmt.Fprintf(out, "Name:        %s (its card: %s)\nA2A agent:   %s (a plain A2A agent: no soisnode extension, no keys; its answers are unsigned)\nBase URL:    %s\nCard:        %s\n",
			local, f.Card.Name, f.A2AURL, f.BaseURL, f.Fingerprint)
		if cred != nil {
			fmt.Fprintf(out, "Credential:  %s (stored sealed, sent only to this agent)\n", peers.Peer{CredentialKind: cred.Kind()}.MaskedCredential())
		}
	} else {
		fmt.Fprintf(out, "Name:        %s (its card: %s)\nNode id:     %s\nBase URL:    %s\nKeys:        %s\nFingerprint: %s\n",
			local, f.Card.Name, f.Card.ID, f.BaseURL, strings.Join(keyIDs(f), ", "), f.Fingerprint)
	}
	if !yes && f.A2AURL != "" {
		fmt.Fprint(out, "Add this A2A agent as a peer? [y/N] ")
		if !confirmed(e.Stdin) {
			fmt.Fprintln(out)
			return errors.New("not added: the A2A agent was not confirmed")
		}
	} else if !yes {
		fmt.Fprint(out, "Pin these keys? [y/N] ")
		if !confirmed(e.Stdin) {
			fmt.Fprintln(out)
			return errors.New("not pinned: the keys were not confirmed")
		}
	}
	var p peers.Peer
	err = db.InTx(ctx, func(tx store.Tx) error {
		var err error
		if p, err = peers.AddNamed(ctx, tx, ws, local, f, change, e.Now()); err != nil || cred == nil {
			return err
		}
		p, err = peers.SetCredential(ctx, tx, sealer, ws, p.ID, cred, e.Now())
		return err
	})
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.Stdout, viewPeer(p))
	}
	fmt.Fprintf(out, "Pinned %s as peer %s (%s): scopes %s, max %s USD and %d turns per exchange.\n",
		f.Card.Name, p.Name, p.ID, scopeList(p.Scopes), p.MaxUSD.Short(), p.MaxTurns)
	return nil
}

// repinPeer fetches the card of the peer ref names again, shows the keys
// it serves beside the pinned ones, and re-pins them once the operator
// agrees (or yes). Refusing changes nothing.
func repinPeer(ctx context.Context, e *Env, db *store.DB, ws, ref string, allow []string, yes, asJSON bool) error {
	p, err := peers.Resolve(ctx, db, ws, ref)
	if err != nil {
		return err
	}
	if p.Plain() {
		return errs.E(errs.Invalid, "peer %s is a plain A2A agent (%s): it pins no keys, so there is nothing to re-pin", p.Name, p.A2AURL)
	}
	client := peers.NewClient(allow)
	client.Now = e.Now
	f, err := peers.Fetch(ctx, client, p.BaseURL)
	if err != nil {
		return fmt.Errorf("peers repin %s: %w", p.Name, err)
	}
	if f.Card.ID != p.NodeID {
		return errs.E(errs.Invalid, "the card at %s is now node %s, not %s; nothing was changed (remove the peer and add the new node instead)", p.BaseURL, f.Card.ID, p.NodeID)
	}
	out := e.Stdout
	if asJSON {
		out = e.Stderr
	}
	fmt.Fprintf(out, "Peer:        %s (%s)\nNode id:     %s\nBase URL:    %s\n", p.Name, p.ID, p.NodeID, p.BaseURL)
	fmt.Fprintf(out, "Pinned:      %s  keys %s\nServed now:  %s  keys %s\n",
		p.Fingerprint, strings.Join(p.KeyIDs(), ", "), f.Fingerprint, strings.Join(keyIDs(f), ", "))
	if f.Fingerprint == p.Fingerprint {
		fmt.Fprintln(out, "The peer serves the keys already pinned; nothing to do.")
		if asJSON {
			return printJSON(e.Stdout, viewPeer(p))
		}
		return nil
	}
	if !yes {
		fmt.Fprint(out, "Replace the pinned keys with the ones served now? [y/N] ")
		if !confirmed(e.Stdin) {
			fmt.Fprintln(out)
			return errors.New("not re-pinned: the new keys were not confirmed; the pinned keys are unchanged")
		}
	}
	err = db.InTx(ctx, func(tx store.Tx) error {
		var err error
		p, err = peers.Repin(ctx, tx, ws, p.ID, f, p.Fingerprint, e.Now())
		return err
	})
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.Stdout, viewPeer(p))
	}
	fmt.Fprintf(out, "Re-pinned %s: fingerprint %s.\n", p.Name, p.Fingerprint)
	return nil
}

// confirmed reads one answer line; only y or yes agrees.
func confirmed(r io.Reader) bool {
	if r == nil {
		return false
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		return false
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes"
}

func keyIDs(f *peers.Fetched) []string {
	var ids []string
	for _, k := range f.Keys.Keys() {
		ids = append(ids, k.ID)
	}
	return ids
}

func scopeList(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}

// credentialFlags are a plain A2A peer's credential as flags: never its
// value on the command line, only where to read it.
type credentialFlags struct {
	file, header string
	clear        *bool
}

func (c *credentialFlags) register(fs *flag.FlagSet, canClear bool) {
	fs.StringVar(&c.file, "credential-file", "", "read the credential a plain A2A agent demands from this file (- reads stdin): a bearer token, or with --credential-header the API key")
	fs.StringVar(&c.header, "credential-header", "", "send the credential as an API key in this header (e.g. X-Api-Key) instead of Authorization: Bearer")
	if canClear {
		c.clear = fs.Bool("clear", false, "remove the peer's credential")
	}
}

// read returns the credential the flags give (nil: none, or --clear).
// Reading stdin needs yes: a confirmation would be read from it too.
func (c *credentialFlags) read(e *Env, yes bool) (*peers.Credential, error) {
	clearing := c.clear != nil && *c.clear
	switch {
	case clearing && (c.file != "" || c.header != ""):
		return nil, usagef("--clear takes no --credential-file or --credential-header")
	case c.clear != nil && !clearing && c.file == "":
		return nil, usagef("give --credential-file PATH (or --clear)")
	case c.file == "" && c.header != "":
		return nil, usagef("--credential-header needs --credential-file")
	case c.file == "":
		return nil, nil
	}
	var raw []byte
	var err error
	if c.file == "-" {
		if c.clear == nil && !yes {
			return nil, usagef("--credential-file - reads the credential from stdin; add --yes (the confirmation would be read from stdin too)")
		}
		if e.Stdin == nil {
			return nil, usagef("--credential-file -: no stdin")
		}
		raw, err = io.ReadAll(io.LimitReader(e.Stdin, peers.MaxCredential+2))
	} else {
		raw, err = readLimited(c.file, peers.MaxCredential+2)
	}
	if err != nil {
		return nil, errs.E(errs.Invalid, "read the credential: %v", err)
	}
	cred, err := peers.ParseCredential(raw, c.header)
	if err != nil {
		return nil, err
	}
	return &cred, nil
}

// readLimited reads at most limit bytes of the file at path.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit))
}

// setPeerCredential sets (cred) or removes (nil) the credential of the
// plain A2A peer ref names, matched against its card as served now.
func setPeerCredential(ctx context.Context, e *Env, db *store.DB, ws, ref string, cred *peers.Credential, allow []string, asJSON bool) error {
	p, err := peers.Resolve(ctx, db, ws, ref)
	if err != nil {
		return err
	}
	if !p.Plain() {
		return errs.E(errs.Invalid, "peer %s is a soisnode node: its envelopes are signed and it takes no credential", p.Name)
	}
	client := peers.NewClient(allow)
	client.Now = e.Now
	f, err := peers.Fetch(ctx, client, p.BaseURL)
	if err != nil {
		return fmt.Errorf("peers credential %s: %w", p.Name, err)
	}
	if cred != nil {
		if err := peers.CheckCredential(f.Card.A2A, cred); err != nil {
			return err
		}
	}
	secrets, err := webhookSecrets(ctx, e, db)
	if err != nil {
		return err
	}
	err = db.InTx(ctx, func(tx store.Tx) error {
		p, err = peers.SetCredential(ctx, tx, secrets.Sealer, ws, p.ID, cred, e.Now())
		return err
	})
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.Stdout, viewPeer(p))
	}
	if cred == nil {
		fmt.Fprintf(e.Stdout, "Peer %s: credential removed.\n", p.Name)
		return nil
	}
	fmt.Fprintf(e.Stdout, "Peer %s: credential set (%s), stored sealed.\n", p.Name, p.MaskedCredential())
	return nil
}
