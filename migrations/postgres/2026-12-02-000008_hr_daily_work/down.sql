DROP TABLE password_tokens;
DROP INDEX users_employee_number_idx;
ALTER TABLE users DROP COLUMN employee_number;
ALTER TABLE checklists DROP COLUMN retired;
