-- "Forgot password" requests, written as they arrive and turned into reset mails by the
-- delivery worker: the request itself does the same one write whether or not the email
-- belongs to an account, so neither its answer nor its time tells which.
CREATE TABLE reset_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL
);
