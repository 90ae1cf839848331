//! Portal session identifiers: random, sent as an HttpOnly cookie, stored
//! only as a hash.

use sha2::{Digest, Sha256};

pub const COOKIE: &str = "communityd_session";

pub fn new_id() -> String {
    super::password::generate_secret(32)
}

/// The store key of a session id.
pub fn key(id: &str) -> Vec<u8> {
    Sha256::digest(id.as_bytes()).to_vec()
}

pub fn new_csrf_token() -> String {
    super::password::generate_secret(24)
}
