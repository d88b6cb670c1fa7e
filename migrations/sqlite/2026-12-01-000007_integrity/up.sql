-- Rules that race (docs/DECISIONS.md, "Integrity"), stated in the database where they can be.

-- One appeal at a time: a decided appraisal may be appealed again (within its window), but
-- an appraisal never has two open appeals. (SQLite cannot drop a column's UNIQUE: the table
-- is rebuilt.)
CREATE TABLE appeals_rebuilt (
    id INTEGER PRIMARY KEY,
    appraisal_id INTEGER NOT NULL REFERENCES appraisals (id),
    reason TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'upheld', 'rejected')),
    decision_note TEXT,
    decided_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP
);
INSERT INTO appeals_rebuilt SELECT id, appraisal_id, reason, state, decision_note, decided_by,
    created_at, decided_at FROM appeals;
DROP TABLE appeals;
ALTER TABLE appeals_rebuilt RENAME TO appeals;
CREATE UNIQUE INDEX appeals_one_open_idx ON appeals (appraisal_id) WHERE state = 'open';
CREATE INDEX appeals_appraisal_idx ON appeals (appraisal_id);

-- Item ids are never used twice. Without AUTOINCREMENT SQLite gives a deleted row's id to
-- the next row: an unused checklist edited in place got its old items' ids back, so an
-- inspection scored against the old items was accepted against the new ones. (Rebuilt;
-- inspection_scores refers to the table by name, checked at commit.)
PRAGMA defer_foreign_keys = ON;
CREATE TABLE checklist_items_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    checklist_id INTEGER NOT NULL REFERENCES checklists (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    max_points INTEGER NOT NULL CHECK (max_points > 0),
    critical BOOLEAN NOT NULL
);
INSERT INTO checklist_items_rebuilt SELECT id, checklist_id, position, title, max_points,
    critical FROM checklist_items;
DROP TABLE checklist_items;
ALTER TABLE checklist_items_rebuilt RENAME TO checklist_items;
CREATE INDEX checklist_items_checklist_idx ON checklist_items (checklist_id);

-- Cycle periods never overlap (both ends inclusive; dates are stored as YYYY-MM-DD text,
-- which compares in date order).
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

-- What a cycle's appraisals are computed from changes with its scheme and evidence:
-- inputs_revision counts those changes; each appraisal keeps the revision it was computed
-- from (basis_revision). An appraisal with an older basis is stale and is not published.
ALTER TABLE cycles ADD COLUMN inputs_revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cycles ADD COLUMN computed_at TIMESTAMP;
ALTER TABLE appraisals ADD COLUMN basis_revision BIGINT NOT NULL DEFAULT 0;
