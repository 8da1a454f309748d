package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/soisnode/soisnode/errs"
)

// Client ID metadata documents (MCP authorization, 2025-11-25; IETF
// draft-ietf-oauth-client-id-metadata-document): a client may use the
// https URL of a JSON document describing it as its client_id, instead of
// registering. The node fetches the document when such a client asks to
// authorize, through the SSRF guard, and keeps a copy for the token
// endpoint; each authorization request fetches it again, so a changed
// document takes effect at the next consent.

const (
	maxDocumentBytes = 16 << 10
	documentTimeout  = 5 * time.Second
)

// isDocumentURL reports whether a client_id names a metadata document: an
// https URL with a path.
func isDocumentURL(id string) bool {
	u, err := url.Parse(id)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.Path != "" && u.Path != "/" && u.Fragment == "" && u.User == nil
}

// documentClient fetches the metadata document at id and stores the
// client it describes. Its errors are pageErrors: the redirect URI of an
// unverified client cannot be trusted.
func (s *Server) documentClient(ctx context.Context, id string) (Client, error) {
	if s.CheckFetchURL != nil {
		if err := s.CheckFetchURL(id); err != nil {
			return Client{}, pageError("the client's metadata document cannot be fetched: " + errs.Message(err))
		}
	}
	meta, err := s.fetchDocument(ctx, id)
	if err != nil {
		s.Log.Info("oauth: client metadata document refused", "client_id", id, "err", err)
		return Client{}, pageError("the client's metadata document at " + id + " is not usable: " + err.Error())
	}
	c, _, err := clientFromMetadata(&meta.ClientRegistrationMetadata)
	if err != nil {
		return Client{}, pageError("the client's metadata document is not valid: " + err.Error())
	}
	if c.AuthMethod != "none" {
		return Client{}, pageError(`the client's metadata document must use token_endpoint_auth_method "none": this node holds no secret for it`)
	}
	c.ID, c.CreatedAt = id, s.Store.now()
	if err := s.Store.upsertClient(ctx, c); err != nil {
		return Client{}, err
	}
	return c, nil
}

// document is a client ID metadata document.
type document struct {
	ClientID string `json:"client_id"`
	oauthex.ClientRegistrationMetadata
}

func (s *Server) fetchDocument(ctx context.Context, id string) (document, error) {
	ctx, cancel := context.WithTimeout(ctx, documentTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
	if err != nil {
		return document{}, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := s.FetchClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return document{}, fmt.Errorf("fetch: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return document{}, fmt.Errorf("fetch: status %d", res.StatusCode)
	}
	if mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type")); mt != "application/json" {
		return document{}, fmt.Errorf("content type %q, want application/json", mt)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxDocumentBytes+1))
	if err != nil {
		return document{}, fmt.Errorf("read: %v", err)
	}
	if len(body) > maxDocumentBytes {
		return document{}, fmt.Errorf("larger than %d bytes", maxDocumentBytes)
	}
	var d document
	if err := json.Unmarshal(body, &d); err != nil {
		return document{}, fmt.Errorf("not a JSON object of client metadata: %v", err)
	}
	if d.ClientID != id {
		return document{}, fmt.Errorf("its client_id %q is not its URL", d.ClientID)
	}
	if d.TokenEndpointAuthMethod == "" {
		d.TokenEndpointAuthMethod = "none"
	}
	return d, nil
}

// noRedirects makes a fetch client stop at a redirect: the guard checked
// the document's URL, not wherever it points.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// NewFetchClient returns the client documents are fetched with, dialling
// through transport (the node's SSRF guard) and following no redirect.
func NewFetchClient(transport http.RoundTripper) *http.Client {
	return &http.Client{Transport: transport, Timeout: documentTimeout, CheckRedirect: noRedirects}
}
