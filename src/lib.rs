//! Service Appraisal: weighted, explainable customer-service appraisals.
//!
//! Arrows (docs/ARCHITECTURE.md): the doors `api`, `web` and the CLI → `app` (the use
//! cases) → `store` → `db`; everything may use `domain` (rules and types, nothing of ours
//! below it) and `i18n` (the words); `app` never imports a door.

pub mod api;
pub mod app;
pub mod auth;
pub mod bulk;
pub mod db;
pub mod deadline;
pub mod domain;
pub mod error;
pub mod export;
pub mod i18n;
pub mod notify;
pub mod sample;
pub mod sample_complaints;
pub mod settings;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;
