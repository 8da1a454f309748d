package store

import "testing"

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"SELECT '?' , ? FROM t", "SELECT '?' , $1 FROM t"},
		{`SELECT "a?" FROM t WHERE x=?`, `SELECT "a?" FROM t WHERE x=$1`},
	}
	for _, tt := range tests {
		if got := Rebind(Postgres, tt.in); got != tt.want {
			t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Rebind(SQLite, tt.in); got != tt.in {
			t.Errorf("Rebind(SQLite, %q) changed the query", tt.in)
		}
	}
}
