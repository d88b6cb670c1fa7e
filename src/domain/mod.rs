//! Pure types and rules. Nothing here touches the database or HTTP; parse functions return
//! the reason as text so that the edge can attach it to the field it came from.

pub mod checklist;
pub mod clock;
pub mod cycle;
pub mod department;
pub mod evidence;
pub mod lockout;
pub mod scheme;
pub mod scoring;
pub mod text;
pub mod user;
