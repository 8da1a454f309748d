package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

func runSend(ctx context.Context, e *Env, args []string) error {
	fs := newFlags("send", e)
	url := fs.String("url", "", "node base URL (SOIS_URL, else SOIS_PUBLIC_URL, else http://127.0.0.1:8080)")
	token := fs.String("token", "", "access token (SOIS_TOKEN)")
	key := fs.String("key", "", "integration key (SOIS_API_KEY)")
	conv := fs.String("conversation", "", "continue this conversation")
	wait := fs.Int("wait", 30, "seconds to wait for the reply, 0 to 60 (0: return at once)")
	idem := fs.String("idempotency-key", "", "Idempotency-Key header")
	asJSON := fs.Bool("json", false, "print the response JSON")
	pos, err := e.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return usagef(`send "message" [--wait S] [--conversation ID]`)
	}
	if *wait < 0 || *wait > 60 {
		return usagef("--wait must be 0 to 60 seconds (the node holds a request at most 60 s), not %d", *wait)
	}
	base := first(*url, e.Getenv("SOIS_URL"), e.Getenv("SOIS_PUBLIC_URL"), "http://127.0.0.1:8080")
	tok, k := first(*token, e.Getenv("SOIS_TOKEN")), first(*key, e.Getenv("SOIS_API_KEY"))
	if tok == "" || k == "" {
		return usagef("need --token and --key (or SOIS_TOKEN and SOIS_API_KEY)")
	}
	body, _ := json.Marshal(map[string]any{"message": pos[0], "conversation_id": *conv})
	if *conv == "" {
		body, _ = json.Marshal(map[string]any{"message": pos[0]})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/api/agent?wait=%d", strings.TrimRight(base, "/"), *wait), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("X-Api-Key", k)
	req.Header.Set("Content-Type", "application/json")
	if *idem != "" {
		req.Header.Set("Idempotency-Key", *idem)
	}
	// A redirect is not followed: the client would resend both credentials
	// (X-Api-Key even to another host) to wherever it points.
	client := &http.Client{Timeout: time.Duration(*wait+15) * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if *asJSON || resp.StatusCode >= 300 {
		_, _ = e.Stdout.Write(out)
		if resp.StatusCode >= 300 {
			return fmt.Errorf("the node answered %s", resp.Status)
		}
		return nil
	}
	var r struct {
		ID             string `json:"id"`
		ConversationID string `json:"conversation_id"`
		Status         string `json:"status"`
		Reply          string `json:"reply"`
		PollURL        string `json:"poll_url"`
	}
	_ = json.Unmarshal(out, &r)
	if r.Reply != "" {
		fmt.Fprintf(e.Stdout, "%s\n\n[%s, conversation %s]\n", printable(r.Reply, true), printable(r.Status, false), printable(r.ID, false))
		return nil
	}
	fmt.Fprintf(e.Stdout, "Accepted (%s): conversation %s; poll %s%s\n", r.Status, r.ConversationID, strings.TrimRight(base, "/"), r.PollURL)
	return nil
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
