//! Operator commands: the same requests whether they travel over the
//! running server's operator socket or run against the database file when
//! no server holds it. The socket sits in the data dir, is readable only
//! by the server's own user, and accepts only peers of that user (or root):
//! whoever can reach it could read the database file anyway.

pub mod client;
pub mod commands;
#[cfg(unix)]
pub mod socket;

pub use commands::{execute, Request};

/// The socket's name inside the data dir.
pub const SOCKET_NAME: &str = "operator.sock";
