package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/httpapi/httpapitest"
	"github.com/soisnode/soisnode/workspace"
)

// TestBearerSchemeIsCaseInsensitive: the access token travels in an
// Authorization header of the Bearer scheme, whose name any client may
// spell in any case (RFC 9110 §11.1); a bare token or another scheme
// authenticates no one.
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	api := httpapitest.New(t, httpapitest.Options{})
	c := api.Workspace(t, workspace.Member, access.KeyParams{BudgetDaily: budget.None, BudgetMonthly: budget.None, BudgetTotal: budget.None})
	for _, tc := range []struct {
		authz string
		want  int
	}{
		{"Bearer " + c.Token, http.StatusOK},
		{"bearer " + c.Token, http.StatusOK},
		{"BEARER " + c.Token, http.StatusOK},
		{"  Bearer   " + c.Token + " ", http.StatusOK},
		{c.Token, http.StatusUnauthorized},
		{"Basic " + c.Token, http.StatusUnauthorized},
		{"Bearer" + c.Token, http.StatusUnauthorized},
		{"Token " + c.Token, http.StatusUnauthorized},
	} {
		r := api.Get("/api/agent/budget", "Authorization: "+tc.authz, "X-Api-Key: "+c.APIKey)
		if r.Code != tc.want {
			t.Errorf("Authorization %q: got %d, want %d: %s", tc.authz, r.Code, tc.want, r.Body)
		}
	}
}
