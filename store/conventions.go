package store

import (
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/oklog/ulid/v2"
	"modernc.org/sqlite"
)

// NewID is how a row's id is made: a ULID (26 characters, time-ordered),
// stamped with the current time.
func NewID() string { return ulid.Make().String() }

// ValidID reports whether s could be an id NewID made (a ULID in its
// canonical form), so a cursor that is not one is refused instead of
// compared.
func ValidID(s string) bool {
	_, err := ulid.ParseStrict(s) // its length and every character
	return err == nil
}

// NewIDAt is NewID stamped with t (a tool's env.Now), so ids made in one
// call sort by that clock.
func NewIDAt(t time.Time) string {
	return ulid.MustNew(ulid.Timestamp(t), ulid.DefaultEntropy()).String()
}

// Micros is how a time is stored: unix microseconds; the zero time is
// stored as 0, the "none" of columns such as revoked_at and a window's
// start.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// Time reads a stored time (unix microseconds) as UTC.
func Time(us int64) time.Time { return time.UnixMicro(us).UTC() }

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Contains returns a LIKE pattern matching s anywhere, with s's own % and _
// taken literally; the query must say `LIKE ? ESCAPE '\'`.
func Contains(s string) string { return "%" + likeEscaper.Replace(s) + "%" }

// sqliteConstraintUnique is SQLITE_CONSTRAINT_UNIQUE; primary keys report
// SQLITE_CONSTRAINT_PRIMARYKEY.
const (
	sqliteConstraintUnique     = 2067
	sqliteConstraintPrimaryKey = 1555
)

// IsUniqueViolation reports whether err is a unique or primary-key
// constraint failure, on either dialect.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqliteConstraintUnique || lite.Code() == sqliteConstraintPrimaryKey
	}
	return false
}

// IsLockConflict reports whether err is PostgreSQL giving up a statement
// because of other transactions' locks: a deadlock (40P01) or a
// serialization failure (40001). Such a statement did nothing; run
// again in a transaction of its own, it normally succeeds. SQLite has one
// writer and never reports either.
func IsLockConflict(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40P01" || pg.Code == "40001"
	}
	return false
}
