-- The origin (scheme://host[:port]) of a delivery's URL, so the dispatcher
-- can skip origins whose concurrency limit is reached when it claims due
-- deliveries (a slow receiver delays only its own). Rows queued before this
-- migration have '' and get their origin when first claimed.
ALTER TABLE deliveries ADD COLUMN origin TEXT NOT NULL DEFAULT '';
