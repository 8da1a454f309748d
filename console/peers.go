package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/negotiation"
	"github.com/soisnode/soisnode/peers"
	"github.com/soisnode/soisnode/store"
)

type addPeerForm struct {
	URL, Name, Err string
}

type peersData struct {
	Peers        []peers.Peer
	Negotiations []negotiation.Negotiation
	Names        map[string]string // node id → local name
	Form         addPeerForm
}

func (c *Console) peersPage(w http.ResponseWriter, r *http.Request, m Member) {
	c.renderPeers(w, r, m, http.StatusOK, addPeerForm{})
}

func (c *Console) renderPeers(w http.ResponseWriter, r *http.Request, m Member, status int, f addPeerForm) {
	ctx := r.Context()
	ps, err := peers.List(ctx, c.cfg.DB, m.WorkspaceID)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "Peers", c.userError(r, err))
		return
	}
	ns, _, err := negotiation.List(ctx, c.cfg.DB, negotiation.ListParams{WorkspaceID: m.WorkspaceID, Limit: 20})
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "Peers", c.userError(r, err))
		return
	}
	c.page(w, r, status, "Peers", "peers", peersData{Peers: ps, Negotiations: ns, Names: names(ps), Form: f})
}

func names(ps []peers.Peer) map[string]string {
	out := map[string]string{}
	for _, p := range ps {
		out[p.NodeID] = p.Name
	}
	return out
}

// confirmData is the confirm step of adding a peer: what would be pinned.
type confirmData struct {
	Fetched *peers.Fetched
	Name    string
	KeyIDs  []string
	Err     string
}

// fetchPeer reads and checks the card at url, with the node's peer rules.
func (c *Console) fetchPeer(r *http.Request, url string) (*peers.Fetched, error) {
	client := peers.NewClient(c.cfg.PeerAllowHosts)
	client.Now = c.cfg.Now
	return peers.Fetch(r.Context(), client, url)
}

// checkPeer is step one of adding a peer: fetch its card, show the card
// and the keys' fingerprint; nothing is stored.
func (c *Console) checkPeer(w http.ResponseWriter, r *http.Request, m Member) {
	f := addPeerForm{URL: strings.TrimSpace(r.PostFormValue("url")), Name: strings.TrimSpace(r.PostFormValue("name"))}
	if f.URL == "" {
		f.Err = "Enter the peer node's base URL, e.g. https://crm.example.com."
		c.renderPeers(w, r, m, http.StatusUnprocessableEntity, f)
		return
	}
	if f.Name != "" {
		if err := peers.CheckName(f.Name); err != nil {
			f.Err = c.userError(r, err)
			c.renderPeers(w, r, m, http.StatusUnprocessableEntity, f)
			return
		}
	}
	fetched, err := c.fetchPeer(r, f.URL)
	if err != nil {
		f.Err = "The card could not be fetched or checked: " + err.Error()
		c.renderPeers(w, r, m, http.StatusUnprocessableEntity, f)
		return
	}
	local, err := peers.NameFor(r.Context(), c.cfg.DB, m.WorkspaceID, f.Name, fetched)
	if err != nil {
		f.Err = c.userError(r, err)
		c.renderPeers(w, r, m, http.StatusUnprocessableEntity, f)
		return
	}
	c.page(w, r, http.StatusOK, "Confirm the peer's keys", "peer-confirm", confirmData{Fetched: fetched, Name: local, KeyIDs: keyIDs(fetched)})
}

func keyIDs(f *peers.Fetched) []string {
	ids := []string{}
	for _, k := range f.Keys.Keys() {
		ids = append(ids, k.ID)
	}
	return ids
}

// pinPeer is the confirm step: the card is fetched again and pinned only
// when its keys still have the fingerprint the member was shown.
func (c *Console) pinPeer(w http.ResponseWriter, r *http.Request, m Member) {
	url, name, shown := r.PostFormValue("url"), r.PostFormValue("name"), r.PostFormValue("fingerprint")
	fetched, err := c.fetchPeer(r, url)
	if err != nil {
		c.renderPeers(w, r, m, http.StatusUnprocessableEntity, addPeerForm{URL: url, Name: name, Err: "The card could not be fetched or checked again: " + err.Error() + ". Nothing was pinned."})
		return
	}
	if fetched.Fingerprint != shown {
		c.page(w, r, http.StatusConflict, "Confirm the peer's keys", "peer-confirm", confirmData{Fetched: fetched, Name: name, KeyIDs: keyIDs(fetched),
			Err: "The peer now serves different keys than the ones you were shown (" + shown + "). Nothing was pinned; check the new fingerprint below."})
		return
	}
	p, err := peers.AddNamed(r.Context(), c.cfg.DB, m.WorkspaceID, name, fetched, peers.PolicyChange{}, c.now())
	if err != nil {
		c.page(w, r, http.StatusUnprocessableEntity, "Confirm the peer's keys", "peer-confirm", confirmData{Fetched: fetched, Name: name, KeyIDs: keyIDs(fetched), Err: c.userError(r, err)})
		return
	}
	http.Redirect(w, r, Path+"/peers/"+p.ID, http.StatusSeeOther)
}

type policyForm struct {
	Scopes, MaxUSD, MaxTurns, Err string
}

type peerData struct {
	Peer         peers.Peer
	KeyIDs       []string
	Form         policyForm
	Negotiations []negotiation.Negotiation
	Saved        bool
}

func formOfPolicy(p peers.Peer) policyForm {
	return policyForm{Scopes: strings.Join(p.Scopes, ", "), MaxUSD: p.MaxUSD.Short(), MaxTurns: strconv.Itoa(p.MaxTurns)}
}

func (c *Console) peerPage(w http.ResponseWriter, r *http.Request, m Member) {
	p, ok := c.workspacePeer(w, r, m)
	if !ok {
		return
	}
	c.renderPeer(w, r, m, http.StatusOK, p, formOfPolicy(p))
}

func (c *Console) workspacePeer(w http.ResponseWriter, r *http.Request, m Member) (peers.Peer, bool) {
	p, err := peers.Get(r.Context(), c.cfg.DB, m.WorkspaceID, r.PathValue("id"))
	if err != nil {
		if isNotFound(err) {
			c.notFound(w, r)
		} else {
			c.fail(w, r, http.StatusInternalServerError, "Peer", c.userError(r, err))
		}
		return peers.Peer{}, false
	}
	return p, true
}

func (c *Console) renderPeer(w http.ResponseWriter, r *http.Request, m Member, status int, p peers.Peer, f policyForm) {
	ns, _, err := negotiation.List(r.Context(), c.cfg.DB, negotiation.ListParams{WorkspaceID: m.WorkspaceID, Limit: 100})
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "Peer", c.userError(r, err))
		return
	}
	var mine []negotiation.Negotiation
	for _, n := range ns {
		if n.Peer == p.NodeID {
			mine = append(mine, n)
		}
	}
	c.page(w, r, status, "Peer "+p.Name, "peer", peerData{Peer: p, KeyIDs: p.KeyIDs(), Form: f, Negotiations: mine, Saved: r.URL.Query().Get("saved") == "1"})
}

func (c *Console) setPolicy(w http.ResponseWriter, r *http.Request, m Member) {
	p, ok := c.workspacePeer(w, r, m)
	if !ok {
		return
	}
	f := policyForm{Scopes: r.PostFormValue("scopes"), MaxUSD: strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("max_usd")), "$")), MaxTurns: strings.TrimSpace(r.PostFormValue("max_turns"))}
	scopes := splitList(f.Scopes)
	turns, err := strconv.Atoi(f.MaxTurns)
	if err != nil {
		f.Err = "The turn limit must be a whole number from 1 to " + strconv.Itoa(peers.MaxTurnsLimit) + "."
		c.renderPeer(w, r, m, http.StatusUnprocessableEntity, p, f)
		return
	}
	change := peers.PolicyChange{Scopes: &scopes, MaxUSD: &f.MaxUSD, MaxTurns: &turns}
	if _, err := change.Apply(p.Policy); err != nil {
		f.Err = c.userError(r, err)
		c.renderPeer(w, r, m, http.StatusUnprocessableEntity, p, f)
		return
	}
	err = c.cfg.DB.InTx(r.Context(), func(tx store.Tx) error {
		_, err := peers.SetPolicy(r.Context(), tx, m.WorkspaceID, p.ID, change, c.now())
		return err
	})
	if err != nil {
		f.Err = c.userError(r, err)
		c.renderPeer(w, r, m, http.StatusUnprocessableEntity, p, f)
		return
	}
	http.Redirect(w, r, Path+"/peers/"+p.ID+"?saved=1", http.StatusSeeOther)
}

type negotiationData struct {
	N        negotiation.Negotiation
	PeerName string
	Self     string
	Checks   map[int64]negotiation.EnvelopeCheck
	Failed   int
	Err      string
}

// negotiationPage shows a transcript with each envelope's signature
// re-checked (negotiation.VerifyTranscript, as `negotiations verify`).
func (c *Console) negotiationPage(w http.ResponseWriter, r *http.Request, m Member) {
	ctx := r.Context()
	n, err := negotiation.Get(ctx, c.cfg.DB, m.WorkspaceID, r.PathValue("id"))
	if err != nil {
		if isNotFound(err) {
			c.notFound(w, r)
			return
		}
		c.fail(w, r, http.StatusInternalServerError, "Negotiation", c.userError(r, err))
		return
	}
	d := negotiationData{N: n, Self: c.cfg.NodeID, Checks: map[int64]negotiation.EnvelopeCheck{}}
	if p, err := peers.Get(ctx, c.cfg.DB, m.WorkspaceID, n.Peer); err == nil {
		d.PeerName = p.Name
	} else if !errs.Is(err, errs.NotFound) {
		c.cfg.Log.Error("console: negotiation peer", "err", err)
	}
	ours, err := c.cfg.AuditKeys(ctx)
	if err != nil {
		d.Err = c.userError(r, err)
	} else {
		checks, failed, err := negotiation.VerifyTranscript(ctx, c.cfg.DB, n, c.cfg.NodeID, ours, c.now())
		if err != nil {
			d.Err = c.userError(r, err)
		}
		for _, ch := range checks {
			d.Checks[ch.Seq] = ch
		}
		d.Failed = failed
	}
	c.page(w, r, http.StatusOK, "Negotiation", "negotiation", d)
}
