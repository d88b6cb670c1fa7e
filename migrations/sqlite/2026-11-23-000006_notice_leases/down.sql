ALTER TABLE notices DROP COLUMN lease_owner;
