-- Complaints (docs/PRODUCT.md, "Service recovery"): one row per complaint with where it
-- stands, its history in complaint_events, and what each limit charged to whom in
-- complaint_charges (rewritten whenever the complaint moves or the check sees a limit
-- pass; the responsiveness component sums it). next_check_at is when the escalation check
-- must look at it again (NULL: nothing can come due until someone acts); the check reads
-- only the due rows through complaints_due_idx.
CREATE TABLE complaints (
    id SERIAL PRIMARY KEY,
    external_ref TEXT UNIQUE,
    received_at TIMESTAMP NOT NULL,
    -- The company's date of received_at (a cycle counts the complaints of its period).
    received_on DATE NOT NULL,
    channel TEXT NOT NULL,
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    summary TEXT NOT NULL,
    customer_ref TEXT,
    customer_locale TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    employee_id INTEGER REFERENCES users (id),
    logged_by INTEGER REFERENCES users (id),
    state TEXT NOT NULL CHECK (state IN ('open', 'waiting_customer', 'resolved', 'closed')),
    first_response_at TIMESTAMP,
    resolved_at TIMESTAMP,
    escalation_level INTEGER NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 2),
    escalated_at TIMESTAMP,
    follow_up_rating INTEGER CHECK (follow_up_rating BETWEEN 1 AND 5),
    -- SHA-256 of the customer's status link's secret; the secret itself is never stored.
    status_token_hash TEXT NOT NULL UNIQUE,
    next_check_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX complaints_due_idx ON complaints (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX complaints_department_idx ON complaints (department_id);
CREATE INDEX complaints_employee_idx ON complaints (employee_id);
CREATE INDEX complaints_logged_by_idx ON complaints (logged_by);
CREATE INDEX complaints_received_idx ON complaints (received_on);

CREATE TABLE complaint_events (
    id BIGSERIAL PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    kind TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id INTEGER REFERENCES users (id),
    to_department_id INTEGER REFERENCES departments (id),
    to_employee_id INTEGER REFERENCES users (id),
    priority TEXT,
    rating INTEGER,
    level INTEGER,
    note TEXT
);
CREATE INDEX complaint_events_complaint_idx ON complaint_events (complaint_id, at, id);

CREATE TABLE complaint_charges (
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    employee_id INTEGER NOT NULL REFERENCES users (id),
    -- first_response | resolution | follow_up
    item TEXT NOT NULL,
    earned BOOLEAN NOT NULL,
    PRIMARY KEY (complaint_id, employee_id, item)
);
CREATE INDEX complaint_charges_employee_idx ON complaint_charges (employee_id);
