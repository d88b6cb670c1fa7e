CREATE TABLE appeals (
    id INTEGER PRIMARY KEY,
    appraisal_id INTEGER NOT NULL UNIQUE REFERENCES appraisals (id),
    reason TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'upheld', 'rejected')),
    decision_note TEXT,
    decided_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP
);
