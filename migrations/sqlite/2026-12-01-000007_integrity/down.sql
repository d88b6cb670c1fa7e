ALTER TABLE appraisals DROP COLUMN basis_revision;
ALTER TABLE cycles DROP COLUMN computed_at;
ALTER TABLE cycles DROP COLUMN inputs_revision;
DROP TRIGGER cycles_periods_do_not_overlap_update;
DROP TRIGGER cycles_periods_do_not_overlap_insert;
DROP INDEX appeals_appraisal_idx;
DROP INDEX appeals_one_open_idx;
CREATE UNIQUE INDEX appeals_appraisal_unique ON appeals (appraisal_id);
