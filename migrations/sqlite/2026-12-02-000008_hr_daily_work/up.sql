-- HR's daily work (issue 17): employee numbers, passwords set or reset by mailed link, and
-- checklists that can be retired.

-- The number HR's spreadsheets key people by (工号): unique when present.
ALTER TABLE users ADD COLUMN employee_number TEXT;
CREATE UNIQUE INDEX users_employee_number_idx ON users (employee_number)
    WHERE employee_number IS NOT NULL;

-- One-time links to set or reset a password: only a hash of the token is kept.
CREATE TABLE password_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL CHECK (purpose IN ('setup', 'reset')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX password_tokens_user_idx ON password_tokens (user_id);

-- A retired checklist is no longer offered to inspectors; its versions stay with the
-- inspections that used them.
ALTER TABLE checklists ADD COLUMN retired BOOLEAN NOT NULL DEFAULT FALSE;
