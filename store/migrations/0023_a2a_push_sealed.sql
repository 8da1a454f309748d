-- A2A push-notification secrets sealed at rest (package a2a, pushseal.go).
-- secrets_enc is {"token", "credentials"} of a push config, and headers_enc
-- the headers a queued push delivery adds (the same token and
-- Authorization), each sealed with AES-256-GCM under the key-encryption
-- key (SOIS_MASTER_KEY or the data folder's master.key), as webhook
-- secrets are (0013), bound to the row ("a2apush:<task_id>:<id>",
-- "a2apush-headers:<delivery_id>"). The plaintext columns token,
-- auth_credentials and headers stay empty for new rows; rows written
-- before this migration are sealed, and their plaintext emptied, when a
-- node starts (a2a.Server.SealLegacy). Dialect-neutral: BLOB becomes
-- BYTEA on PostgreSQL.
ALTER TABLE a2a_push_configs ADD COLUMN secrets_enc BLOB;
ALTER TABLE a2a_push_headers ADD COLUMN headers_enc BLOB;
