DROP INDEX inspections_day_idx;
DROP INDEX satisfaction_day_idx;
DROP INDEX sales_records_day_idx;
DROP TRIGGER cycles_periods_do_not_overlap_insert;
DROP TRIGGER cycles_periods_do_not_overlap_update;
CREATE TRIGGER cycles_periods_do_not_overlap_insert BEFORE INSERT ON cycles
WHEN EXISTS (SELECT 1 FROM cycles c
             WHERE c.period_start <= NEW.period_end AND NEW.period_start <= c.period_end)
BEGIN
    SELECT RAISE(ABORT, 'cycle periods overlap');
END;
CREATE TRIGGER cycles_periods_do_not_overlap_update BEFORE UPDATE OF period_start, period_end ON cycles
WHEN EXISTS (SELECT 1 FROM cycles c
             WHERE c.id <> NEW.id
               AND c.period_start <= NEW.period_end AND NEW.period_start <= c.period_end)
BEGIN
    SELECT RAISE(ABORT, 'cycle periods overlap');
END;
ALTER TABLE cycles DROP COLUMN series;
