DROP INDEX inspections_day_idx;
DROP INDEX satisfaction_day_idx;
DROP INDEX sales_records_day_idx;
ALTER TABLE cycles DROP CONSTRAINT cycles_periods_do_not_overlap;
ALTER TABLE cycles ADD CONSTRAINT cycles_periods_do_not_overlap
    EXCLUDE USING gist (daterange(period_start, period_end, '[]') WITH &&);
ALTER TABLE cycles DROP COLUMN series;
