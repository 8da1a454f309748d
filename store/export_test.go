package store

import "context"

// MigrateTo applies the migrations up to and including version last, for
// tests of a migration on the rows an earlier schema held.
func (db *DB) MigrateTo(ctx context.Context, last string) error { return db.migrate(ctx, last) }

// Translate is translate, for its table test.
var Translate = translate
