package cli

import (
	"context"

	"github.com/soisnode/soisnode/store"
)

// seedDemo fills a demo workspace with sample data.
func seedDemo(ctx context.Context, e *Env, db *store.DB, c Credentials) error {
	return nil
}
