-- Notices for many people at once (an import's set-password links), written as one row in
-- the transaction that causes them and turned into one notice per recipient by the
-- delivery worker in a transaction of its own: the outbox stays all-or-nothing while the
-- request writes one row instead of one per person.
CREATE TABLE notice_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    -- A JSON array of user ids.
    recipients_json TEXT NOT NULL,
    -- Each notice's dedupe key is this, a colon and its recipient's id.
    dedupe_prefix TEXT NOT NULL UNIQUE,
    payload_json TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
