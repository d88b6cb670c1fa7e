-- Appraisal cycles. Periods never overlap (checked by the application), so every date
-- belongs to at most one cycle. The scheme is stored as validated JSON (see docs/DECISIONS.md).
CREATE TABLE cycles (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'open', 'review', 'published', 'archived')),
    appeal_window_days INTEGER NOT NULL,
    scheme_json TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (period_start <= period_end)
);

-- Checklists are versioned: a version used by an inspection never changes; an edit then
-- makes a new version (previous_id) and the old one stops being current.
CREATE TABLE checklists (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    previous_id INTEGER REFERENCES checklists (id),
    current BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE checklist_items (
    id SERIAL PRIMARY KEY,
    checklist_id INTEGER NOT NULL REFERENCES checklists (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    max_points INTEGER NOT NULL CHECK (max_points > 0),
    critical BOOLEAN NOT NULL
);
CREATE INDEX checklist_items_checklist_idx ON checklist_items (checklist_id);

CREATE TABLE inspections (
    id SERIAL PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    employee_id INTEGER NOT NULL REFERENCES users (id),
    inspector_id INTEGER NOT NULL REFERENCES users (id),
    checklist_id INTEGER NOT NULL REFERENCES checklists (id),
    occurred_on DATE NOT NULL,
    comment TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX inspections_cycle_employee_idx ON inspections (cycle_id, employee_id);

CREATE TABLE inspection_scores (
    inspection_id INTEGER NOT NULL REFERENCES inspections (id),
    item_id INTEGER NOT NULL REFERENCES checklist_items (id),
    points INTEGER NOT NULL CHECK (points >= 0),
    note TEXT,
    PRIMARY KEY (inspection_id, item_id)
);

CREATE TABLE sales_targets (
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    employee_id INTEGER NOT NULL REFERENCES users (id),
    target_minor BIGINT NOT NULL CHECK (target_minor > 0),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (cycle_id, employee_id)
);

CREATE TABLE sales_records (
    id BIGSERIAL PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    employee_id INTEGER NOT NULL REFERENCES users (id),
    occurred_on DATE NOT NULL,
    amount_minor BIGINT NOT NULL,
    external_ref TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sales_records_cycle_employee_idx ON sales_records (cycle_id, employee_id);

CREATE TABLE satisfaction_responses (
    id BIGSERIAL PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    employee_id INTEGER NOT NULL REFERENCES users (id),
    occurred_on DATE NOT NULL,
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    channel TEXT NOT NULL,
    external_ref TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX satisfaction_cycle_employee_idx ON satisfaction_responses (cycle_id, employee_id);

CREATE TABLE collaboration_ratings (
    id SERIAL PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    rater_id INTEGER NOT NULL REFERENCES users (id),
    ratee_id INTEGER NOT NULL REFERENCES users (id),
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (cycle_id, rater_id, ratee_id),
    CHECK (rater_id <> ratee_id)
);
CREATE INDEX collaboration_cycle_ratee_idx ON collaboration_ratings (cycle_id, ratee_id);
