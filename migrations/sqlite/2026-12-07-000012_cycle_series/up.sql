-- Cycles in series (a monthly store cycle inside the quarterly company cycle): periods never
-- overlap within a series and may across series. Dated evidence counts in every cycle whose
-- period holds its date (docs/DECISIONS.md, "Cycles in series").
ALTER TABLE cycles ADD COLUMN series TEXT NOT NULL DEFAULT 'main';

DROP TRIGGER cycles_periods_do_not_overlap_insert;
DROP TRIGGER cycles_periods_do_not_overlap_update;
CREATE TRIGGER cycles_periods_do_not_overlap_insert BEFORE INSERT ON cycles
WHEN EXISTS (SELECT 1 FROM cycles c
             WHERE c.series = NEW.series
               AND c.period_start <= NEW.period_end AND NEW.period_start <= c.period_end)
BEGIN
    SELECT RAISE(ABORT, 'cycle periods overlap');
END;
CREATE TRIGGER cycles_periods_do_not_overlap_update
BEFORE UPDATE OF period_start, period_end, series ON cycles
WHEN EXISTS (SELECT 1 FROM cycles c
             WHERE c.id <> NEW.id AND c.series = NEW.series
               AND c.period_start <= NEW.period_end AND NEW.period_start <= c.period_end)
BEGIN
    SELECT RAISE(ABORT, 'cycle periods overlap');
END;

-- A cycle counts evidence by date: its computation reads each table by date range, grouped
-- by employee. Led by the employee, SQLite reads these in group order without a sort, and
-- holding the summed value, without visiting the table (compute reads them after
-- `PRAGMA optimize`, so the planner knows their shape).
CREATE INDEX sales_records_day_idx ON sales_records (employee_id, occurred_on, amount_minor);
CREATE INDEX satisfaction_day_idx ON satisfaction_responses (employee_id, occurred_on, rating);
CREATE INDEX inspections_day_idx ON inspections (employee_id, occurred_on);
