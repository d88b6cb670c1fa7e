ALTER TABLE appraisals DROP COLUMN basis_revision;
ALTER TABLE cycles DROP COLUMN computed_at;
ALTER TABLE cycles DROP COLUMN inputs_revision;
ALTER TABLE cycles DROP CONSTRAINT cycles_periods_do_not_overlap;
DROP INDEX appeals_appraisal_idx;
DROP INDEX appeals_one_open_idx;
ALTER TABLE appeals ADD CONSTRAINT appeals_appraisal_id_key UNIQUE (appraisal_id);
