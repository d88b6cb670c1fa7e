-- The email outbox: written in the same transaction as the change that causes a notice;
-- delivered later by a worker. dedupe_key is unique per event and recipient, so an event is
-- never queued (or mailed) twice.
CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient_id INTEGER NOT NULL REFERENCES users (id),
    dedupe_key TEXT NOT NULL UNIQUE,
    payload_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX notices_due_idx ON notices (status, next_attempt_at);
