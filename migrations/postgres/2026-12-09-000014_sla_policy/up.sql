-- The company's time-limit policy for complaints (docs/PRODUCT.md, service recovery): each
-- change is a row that applies from its effective_from on, so that a change never rewrites
-- what was counted before it. The current policy is the latest row; none means the default.
CREATE TABLE sla_policies (
    id BIGSERIAL PRIMARY KEY,
    policy_json TEXT NOT NULL,
    effective_from TIMESTAMP NOT NULL,
    set_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX sla_policies_effective_idx ON sla_policies (effective_from, id);
