-- Rules that race (docs/DECISIONS.md, "Integrity"), stated in the database where they can be.

-- One appeal at a time: a decided appraisal may be appealed again (within its window), but
-- an appraisal never has two open appeals.
ALTER TABLE appeals DROP CONSTRAINT appeals_appraisal_id_key;
CREATE UNIQUE INDEX appeals_one_open_idx ON appeals (appraisal_id) WHERE state = 'open';
CREATE INDEX appeals_appraisal_idx ON appeals (appraisal_id);

-- Cycle periods never overlap (both ends inclusive), so every date belongs to one cycle.
ALTER TABLE cycles ADD CONSTRAINT cycles_periods_do_not_overlap
    EXCLUDE USING gist (daterange(period_start, period_end, '[]') WITH &&);

-- What a cycle's appraisals are computed from changes with its scheme and evidence:
-- inputs_revision counts those changes; each appraisal keeps the revision it was computed
-- from (basis_revision). An appraisal with an older basis is stale and is not published.
ALTER TABLE cycles ADD COLUMN inputs_revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cycles ADD COLUMN computed_at TIMESTAMP;
ALTER TABLE appraisals ADD COLUMN basis_revision BIGINT NOT NULL DEFAULT 0;
