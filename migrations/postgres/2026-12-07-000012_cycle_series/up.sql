-- Cycles in series (a monthly store cycle inside the quarterly company cycle): periods never
-- overlap within a series and may across series. Dated evidence counts in every cycle whose
-- period holds its date (docs/DECISIONS.md, "Cycles in series").
ALTER TABLE cycles ADD COLUMN series TEXT NOT NULL DEFAULT 'main';

-- Equality on text inside a GiST exclusion needs btree_gist (a trusted extension since
-- PostgreSQL 13: the database owner may create it).
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE cycles DROP CONSTRAINT cycles_periods_do_not_overlap;
ALTER TABLE cycles ADD CONSTRAINT cycles_periods_do_not_overlap
    EXCLUDE USING gist (series WITH =, daterange(period_start, period_end, '[]') WITH &&);

-- A cycle counts evidence by date: its computation reads each table by date range (holding
-- the summed value, so the range is read from the index alone).
CREATE INDEX sales_records_day_idx ON sales_records (occurred_on, employee_id) INCLUDE (amount_minor);
CREATE INDEX satisfaction_day_idx ON satisfaction_responses (occurred_on, employee_id) INCLUDE (rating);
CREATE INDEX inspections_day_idx ON inspections (occurred_on, employee_id);
