-- budget_holds keeps only the calls in flight: a hold is written before
-- its model call and deleted when the call settles, so the table is as
-- small as the calls running at once (plus the rare hold of a call lost
-- in a crash, until it is settled). Every paid call inserts and deletes
-- a row, and each index is one more b-tree written twice per call (on
-- SQLite, one more page in each of two commits). Two indexes served
-- only rare readers, which now scan the small table: the periodic sweep
-- of expired holds (expires_at, at most once a minute) and the
-- settlement of an earlier run's holds (conversation_id, turn), looked
-- for only when a turn is run again (docs/benchmarks.md, "Session 7").
-- budget_holds_key (a reservation's own reads) and budget_holds_scope
-- (a cap's) stay.
DROP INDEX budget_holds_expiry;
DROP INDEX budget_holds_turn;
