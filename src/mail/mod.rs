//! Email: rendering from Tera templates, transports, and the outbox worker.

pub mod compose;
pub mod render;
pub mod send_error;
pub mod smtp;
pub mod transport;
pub mod worker;
