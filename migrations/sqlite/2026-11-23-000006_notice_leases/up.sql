-- Which worker holds a notice's lease. A worker marks a notice sent (or schedules its retry)
-- only while it still owns the lease, so a worker whose lease ran out cannot overwrite the
-- outcome of the worker that took the notice over.
ALTER TABLE notices ADD COLUMN lease_owner TEXT;
