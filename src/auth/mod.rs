//! Secrets and proofs: password hashes, access tokens, link tokens, sessions, throttling.

pub mod access_token;
pub mod link_token;
pub mod password;
pub mod session;
pub mod throttle;
