package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// creds are a workspace's token and one integration key.
type creds struct {
	Token, APIKey string
}

// httpClient bounds every request the runner makes.
var httpClient = &http.Client{Timeout: 90 * time.Second}

// call sends a JSON request with creds and returns status, headers and body.
func call(ctx context.Context, method, url string, c creds, body any, headers ...string) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("X-Api-Key", c.APIKey)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// conversation is the API's conversation, as a caller reads it.
type conversation struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Reply   string `json:"reply"`
	Error   string `json:"error"`
	CostUSD string `json:"cost_usd"`
	Turns   []struct {
		Turn    int    `json:"turn"`
		Message string `json:"message"`
		Status  string `json:"status"`
		Actions []struct {
			Tool string `json:"tool"`
			OK   bool   `json:"ok"`
			Ref  string `json:"ref"`
		} `json:"actions"`
	} `json:"turns"`
}

// stopped reports whether the conversation's turn has stopped running.
func (c conversation) stopped() bool {
	return c.Status != "" && c.Status != "queued" && c.Status != "running"
}

// problem is the problem+json body of a refusal.
type problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Budget string `json:"budget"`
}
