//! Pure types and rules. Nothing here touches the database or HTTP; a rule that refuses says
//! why as a typed [`problem::Problem`] (never a sentence: the catalog words it), so that the
//! edge can attach it to the field it came from.

pub mod appraisal;
pub mod audit;
pub mod business_time;
pub mod checklist;
pub mod clock;
pub mod complaint;
pub mod component;
pub mod cycle;
pub mod delivery;
pub mod department;
pub mod evidence;
pub mod lockout;
pub mod problem;
pub mod robot;
pub mod scheme;
pub mod scoring;
pub mod sheet_time;
pub mod sla;
pub mod state;
pub mod text;
pub mod user;
