package negotiation

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/soisnode/soisnode/clip"
	"io"
	"net/http"
	"strings"
)

// Federation transport: one envelope per POST, as a compact JWS.
const (
	MessagesPath = "/federation/v1/messages"
	ContentType  = "application/jose"
	MaxEnvelope  = 64 << 10 // bytes of one POSTed envelope
)

// HTTPTransport POSTs envelopes to peers' MessagesPath. Client must be
// the SSRF-guarded peer client (webhook.Guard): https and public
// addresses only, except the allow-listed hosts; no redirects.
type HTTPTransport struct{ Client *http.Client }

var _ Transport = HTTPTransport{}

// Send implements Transport: 2xx is delivered; a 4xx other than 408, 425
// and 429 is a *Refused; anything else may be retried.
func (h HTTPTransport) Send(ctx context.Context, baseURL, token string) error {
	target := strings.TrimRight(baseURL, "/") + MessagesPath
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(token))
	if err != nil {
		return &Refused{Detail: "bad peer URL " + target}
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("Accept", "application/problem+json")
	resp, err := h.Client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		return nil
	case s >= 400 && s < 500 && s != 408 && s != 425 && s != 429:
		var p struct {
			Detail string `json:"detail"`
		}
		_ = json.Unmarshal(body, &p)
		return &Refused{Status: s, Detail: fmt.Sprintf("%s: %s", resp.Status, clip.Bytes(p.Detail, 500))}
	default:
		return fmt.Errorf("POST %s: %s", target, resp.Status)
	}
}
