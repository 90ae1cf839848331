//! Authorization codes as sent: random, long enough not to be guessed in
//! their minute, and stored only as a hash (like session ids).

use sha2::{Digest, Sha256};

/// Longest code looked up; ours are 43 characters.
pub const MAX_CODE_CHARS: usize = 200;

pub fn new_code() -> String {
    super::password::generate_secret(32)
}

/// The store key of a code.
pub fn key(code: &str) -> Vec<u8> {
    Sha256::digest(code.as_bytes()).to_vec()
}
