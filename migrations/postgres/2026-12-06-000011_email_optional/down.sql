DROP INDEX notices_recipient_idx;
ALTER TABLE notices DROP CONSTRAINT notices_status_check;
ALTER TABLE notices ADD CONSTRAINT notices_status_check
    CHECK (status IN ('pending', 'sent', 'failed'));
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
