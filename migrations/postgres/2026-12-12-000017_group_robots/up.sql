-- Group robots (docs/PRODUCT.md, notices): a department's WeCom, DingTalk or Feishu custom
-- robot, and every post to one. The secret signs DingTalk's and Feishu's requests; it is
-- never shown, logged or exported. A post is delivered by a `robot_post` job; its row keeps
-- the outcome, with the platform's own error code, for HR's notices page.
CREATE TABLE department_robots (
    department_id INTEGER PRIMARY KEY REFERENCES departments (id),
    platform TEXT NOT NULL CHECK (platform IN ('wecom', 'dingtalk', 'feishu')),
    webhook_url TEXT NOT NULL,
    secret TEXT,
    updated_by INTEGER REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);
CREATE TABLE robot_posts (
    id BIGSERIAL PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    kind TEXT NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    payload_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX robot_posts_department_idx ON robot_posts (department_id, id);
