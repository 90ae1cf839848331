//! Use cases. Each checks permission, loads, applies a domain rule and
//! writes in one transaction (queuing any email in that same transaction).

pub mod access;
pub mod admin;
pub mod context;
pub mod error;
pub mod identity;
pub mod tenants;

pub use context::Context;
pub use error::AppError;
