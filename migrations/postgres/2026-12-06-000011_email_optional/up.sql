-- People without email (front-line staff often have none): they sign in with their employee
-- number, and HR gives them a one-time set-up code. Emails stay unique when present.
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;

-- Their notices are shown on their pages instead of mailed: a notice's fourth state.
ALTER TABLE notices DROP CONSTRAINT notices_status_check;
ALTER TABLE notices ADD CONSTRAINT notices_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'on_page'));

-- The notices a person reads on their page (someone without email), newest first.
CREATE INDEX notices_recipient_idx ON notices (recipient_id, status, created_at);
