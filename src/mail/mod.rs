//! Email: rendering from Tera templates, transports, and the outbox worker.

pub mod render;
pub mod transport;
pub mod worker;
