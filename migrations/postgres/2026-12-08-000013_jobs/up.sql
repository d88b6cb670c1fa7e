-- One job queue for all timed and background work (docs/ARCHITECTURE.md, "Jobs"): a
-- notice's delivery, the expansion of a batch of notices, a "forgot password" request, the
-- periodic review-reminder check. A worker claims due rows with a lease (FOR UPDATE SKIP
-- LOCKED here), and records the outcome only while it still holds the lease. Done jobs are
-- deleted; a periodic job is one row that moves its own run_at forward. dedupe_key makes
-- queueing idempotent (`notice:42`, `review_reminders`).
CREATE TABLE jobs (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    payload_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'failed')),
    run_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- The last failure's code (domain::delivery::Failure), never a sentence.
    last_failure TEXT,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
-- What a claim reads: the due pending jobs in order, nothing else.
CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE status = 'pending';

-- The work already waiting becomes jobs; a notice's lease comes with it (a worker of the
-- previous build still sending it keeps it until the lease ends).
INSERT INTO jobs (kind, dedupe_key, payload_json, status, run_at, attempts, created_at,
                  lease_owner, lease_until)
SELECT 'notice', 'notice:' || id, '{"notice_id":' || id || '}', 'pending', next_attempt_at,
       attempts, created_at, lease_owner, lease_until
FROM notices WHERE status = 'pending';
INSERT INTO jobs (kind, dedupe_key, payload_json, status, run_at, attempts, created_at)
SELECT 'notice_batch', 'notice_batch:' || id, '{"batch_id":' || id || '}', 'pending',
       created_at, 0, created_at
FROM notice_batches;
INSERT INTO jobs (kind, dedupe_key, payload_json, status, run_at, attempts, created_at)
SELECT 'reset_request', 'reset_request:' || id, '{"request_id":' || id || '}', 'pending',
       requested_at, 0, requested_at
FROM reset_requests;

-- Leases are the queue's now.
ALTER TABLE notices DROP COLUMN lease_until;
ALTER TABLE notices DROP COLUMN lease_owner;
