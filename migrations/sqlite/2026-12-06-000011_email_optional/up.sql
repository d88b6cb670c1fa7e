-- People without email (front-line staff often have none): they sign in with their employee
-- number, and HR gives them a one-time set-up code. Emails stay unique when present.
--
-- SQLite cannot drop a NOT NULL, so the table is rebuilt, the way SQLite's documentation
-- gives ("Making Other Kinds Of Table Schema Changes"): foreign keys off (outside the
-- transaction, where the pragma takes effect), the new table filled, the old one dropped, the
-- new one renamed, the indexes made again, then foreign keys on (the rows are the same, so
-- every reference still holds).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE users_rebuilt (
    id INTEGER PRIMARY KEY,
    email TEXT UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('staff', 'supervisor', 'hr')),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    manager_id INTEGER REFERENCES users (id),
    locale TEXT NOT NULL CHECK (locale IN ('zh-CN', 'en')),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    token_version INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    employee_number TEXT,
    CHECK (manager_id IS NULL OR manager_id <> id)
);
INSERT INTO users_rebuilt (id, email, display_name, role, department_id, manager_id, locale,
    password_hash, active, token_version, created_at, updated_at, employee_number)
SELECT id, email, display_name, role, department_id, manager_id, locale, password_hash,
    active, token_version, created_at, updated_at, employee_number FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE INDEX users_department_idx ON users (department_id);
CREATE INDEX users_manager_idx ON users (manager_id);
CREATE UNIQUE INDEX users_employee_number_idx ON users (employee_number)
    WHERE employee_number IS NOT NULL;

-- Their notices are shown on their pages instead of mailed: a notice's fourth state
-- (rebuilt for its CHECK; nothing refers to notices).
CREATE TABLE notices_rebuilt (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient_id INTEGER NOT NULL REFERENCES users (id),
    dedupe_key TEXT NOT NULL UNIQUE,
    payload_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'on_page')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    lease_owner TEXT
);
INSERT INTO notices_rebuilt (id, kind, recipient_id, dedupe_key, payload_json, status,
    attempts, next_attempt_at, lease_until, last_error, created_at, sent_at, lease_owner)
SELECT id, kind, recipient_id, dedupe_key, payload_json, status, attempts, next_attempt_at,
    lease_until, last_error, created_at, sent_at, lease_owner FROM notices;
DROP TABLE notices;
ALTER TABLE notices_rebuilt RENAME TO notices;
CREATE INDEX notices_due_idx ON notices (status, next_attempt_at);
-- The notices a person reads on their page (someone without email), newest first.
CREATE INDEX notices_recipient_idx ON notices (recipient_id, status, created_at);
COMMIT;
PRAGMA foreign_keys = ON;
