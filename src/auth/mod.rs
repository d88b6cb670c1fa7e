//! Password hashing, access tokens and the role-tier extractors.

pub mod extract;
pub mod password;
pub mod token;

pub use extract::{Access, AuthUser, Caller, Hr, Supervisor};
pub use token::TokenKeys;
