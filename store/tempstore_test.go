package store_test

import (
	"context"
	"testing"

	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/store/storetest"
)

// TestSQLiteWriterKeepsTempInMemory: the SQLite writer connection runs
// with temp_store MEMORY (2), so the statement journal of a savepoint (a
// group-commit accept) never spills to a temporary file.
func TestSQLiteWriterKeepsTempInMemory(t *testing.T) {
	db := storetest.SQLite(t)
	err := db.InTx(context.Background(), func(tx store.Tx) error {
		var mode int
		if err := tx.QueryRow(context.Background(), `PRAGMA temp_store`).Scan(&mode); err != nil {
			return err
		}
		if mode != 2 {
			t.Errorf("temp_store = %d on the writer, want 2 (MEMORY)", mode)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
