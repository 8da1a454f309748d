package fakeserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Post sends body to url with the header fields of header and returns the
// status and the JSON answer decoded (nil when it is not JSON). It is for
// the fakes' own tests, which speak to them without a client SDK.
func Post(tb testing.TB, url string, header http.Header, body string) (int, map[string]any) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}
