-- Computed appraisals. Scores are stored in hundredths (integers), rounded half away from
-- zero once, so both backends hold exactly the same numbers. The scheme, evidence counts and
-- component inputs used are kept as JSON so that later configuration never rewrites history.
CREATE TABLE appraisals (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    employee_id INTEGER NOT NULL REFERENCES users (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    sales_centi INTEGER,
    satisfaction_centi INTEGER,
    etiquette_centi INTEGER,
    collaboration_centi INTEGER,
    total_centi INTEGER,
    grade TEXT,
    department_rank INTEGER,
    inputs_json TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'reviewed', 'published', 'acknowledged', 'appealed')),
    supervisor_comment TEXT,
    reviewed_by INTEGER REFERENCES users (id),
    computed_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    version INTEGER NOT NULL,
    UNIQUE (cycle_id, employee_id)
);
CREATE INDEX appraisals_employee_idx ON appraisals (employee_id);
