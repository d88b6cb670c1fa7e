ALTER TABLE notices ADD COLUMN lease_until TIMESTAMP;
ALTER TABLE notices ADD COLUMN lease_owner TEXT;
DROP TABLE jobs;
