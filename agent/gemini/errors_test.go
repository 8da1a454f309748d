package gemini

import (
	"testing"
	"time"
)

func TestRetryInfo(t *testing.T) {
	tests := []struct {
		details []map[string]any
		want    time.Duration
	}{
		{nil, 0},
		{[]map[string]any{{"@type": "type.googleapis.com/google.rpc.QuotaFailure"}}, 0},
		{[]map[string]any{{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}}, 37 * time.Second},
		{[]map[string]any{{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.250s"}}, 250 * time.Millisecond},
		{[]map[string]any{{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": 12}}, 0},
	}
	for _, tt := range tests {
		if got := retryInfo(tt.details); got != tt.want {
			t.Errorf("retryInfo(%v) = %v, want %v", tt.details, got, tt.want)
		}
	}
}

func TestNeedsSignature(t *testing.T) {
	for model, want := range map[string]bool{
		"gemini-3-pro-preview":    true,
		"gemini-3-flash-preview":  true,
		"models/gemini-3.5-pro":   true,
		"gemini-flash-latest":     true,
		"gemini-2.5-flash":        false,
		"models/gemini-2.0-flash": false,
		"gemini-1.5-pro":          false,
		"gemma-3-27b-it":          false,
	} {
		if got := needsSignature(model); got != want {
			t.Errorf("needsSignature(%q) = %v, want %v", model, got, want)
		}
	}
}
