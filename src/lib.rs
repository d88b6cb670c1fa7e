//! Service Appraisal: weighted, explainable customer-service appraisals.
//!
//! Arrows: `api` → `domain`, `store`; `store` → `db`, `domain`; `domain` → nothing of ours.

pub mod admin;
pub mod api;
pub mod auth;
pub mod bulk;
pub mod db;
pub mod deadline;
pub mod domain;
pub mod error;
pub mod notify;
pub mod sample;
pub mod settings;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod web;
