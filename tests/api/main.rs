//! API tests: every test drives the real server over HTTP, on SQLite and on PostgreSQL.

mod support;

mod accounts;
mod appraisals;
mod architecture;
mod auth;
mod binary;
mod complaint_import;
mod complaints;
mod errors;
mod escalation_processes;
mod evidence;
mod faults;
mod hostile;
mod hr_work;
mod instances;
mod integrity;
mod jobs;
mod mail;
mod matrix;
mod no_email;
mod notices;
mod office;
mod pages_http;
mod people_bulk;
mod races;
mod report;
mod responsiveness;
mod robots;
mod sample;
mod series;
mod sla;
mod uploads;
