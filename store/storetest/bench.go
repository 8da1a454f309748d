package storetest

import "testing"

// Dialects is the order in which benchmarks visit the databases, so
// their output is stable (map order is not).
var Dialects = []string{"sqlite", "postgres"}

// URLTB returns a new, empty database URL of dialect ("sqlite" or
// "postgres").
func URLTB(tb testing.TB, dialect string) string {
	tb.Helper()
	switch dialect {
	case "sqlite":
		return SQLiteURL(tb)
	case "postgres":
		return PostgresURL(tb)
	}
	tb.Fatalf("storetest: unknown dialect %q", dialect)
	return ""
}
