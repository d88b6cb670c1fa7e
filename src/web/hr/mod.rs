//! HR's pages, one module per resource: cycles (list, create, the cycle page with its state
//! and compute), the scheme form, evidence uploads, the cycle report, people and
//! departments, checklists, appeals and notice delivery. Every handler takes the `Hr`
//! extractor, as the API's routes take the `Hr` tier, and every form goes to the same use
//! case as the API's (`crate::app`).

pub mod appeals;
pub mod checklists;
pub mod complaint_report;
pub mod cycle_page;
pub mod cycles;
pub mod evidence;
pub mod notices;
pub mod people;
pub mod person;
pub mod report;
pub mod scheme;
pub mod service;

use crate::domain::problem::Problem;
use crate::error::FieldErrors;

/// A whole number typed into a form field; empty is `None`, anything else not a number is
/// recorded under `field`.
pub fn number(value: &str, field: &str, errors: &mut FieldErrors) -> Option<i64> {
    match value.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add(field, Problem::NotWholeNumber);
                None
            }
        },
    }
}
