package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestMediaTypeCase: the media type reaches the handler in lower case,
// its parameters as sent.
func TestMediaTypeCase(t *testing.T) {
	for sent, want := range map[string]string{
		"APPLICATION/JSON":                        "application/json",
		"Application/Json; charset=UTF-8":         "application/json; charset=UTF-8",
		"application/json":                        "application/json",
		"Multipart/Form-Data; boundary=AbC123xYz": "multipart/form-data; boundary=AbC123xYz",
		"application/jose":                        "application/jose",
		"":                                        "",
	} {
		var got string
		h := MediaTypeCase(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.Header.Get("Content-Type") }))
		r := httptest.NewRequest("POST", "/", nil)
		if sent != "" {
			r.Header.Set("Content-Type", sent)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != want {
			t.Errorf("Content-Type %q reached the handler as %q, want %q", sent, got, want)
		}
	}
}
