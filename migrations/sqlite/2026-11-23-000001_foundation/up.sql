CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('front_line', 'back_office')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
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
    CHECK (manager_id IS NULL OR manager_id <> id)
);
CREATE INDEX users_department_idx ON users (department_id);
CREATE INDEX users_manager_idx ON users (manager_id);

-- Failed-login counters, keyed by the normalised email that was tried (whether or not such
-- an account exists, so that lockouts do not reveal which accounts exist).
CREATE TABLE login_throttle (
    email TEXT PRIMARY KEY,
    failed_count INTEGER NOT NULL,
    locked_until TIMESTAMP,
    last_failed_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    actor_id INTEGER REFERENCES users (id),
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    before_json TEXT,
    after_json TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id);

CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
