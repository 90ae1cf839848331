//! Access tokens whose signature has already been checked, remembered per
//! worker thread. A script or SDK sends the same bearer token with every
//! request for an hour; checking it once (base64, JSON, HMAC) instead of on
//! every request is a large share of a small GET.
//!
//! Only a token that verified is remembered, together with its expiry, so
//! an expired token is still refused. Each entry names the verifier that
//! checked it: two servers in one process (as in the tests) never vouch for
//! each other's tokens. What the token grants is never cached here: roles
//! and tenant state are still read from the store on every request.

use crate::domain::identity::Caller;
use std::cell::RefCell;
use std::collections::HashMap;

/// Entries per worker thread; the map is emptied when it fills, which
/// costs each live token one more full check.
const CAPACITY: usize = 1024;

#[derive(Clone, Copy)]
pub struct Verified {
    pub caller: Caller,
    /// Expiry, in seconds since the epoch.
    pub expires: i64,
}

thread_local! {
    /// foldhash: SipHash over a 400-byte token cost more than the rest of
    /// the lookup. Only tokens that verified get in, so nobody can choose
    /// the keys to collide.
    static SEEN: RefCell<HashMap<Box<str>, (u64, Verified), foldhash::fast::RandomState>> =
        RefCell::new(HashMap::default());
}

/// The remembered result for `token` checked by `verifier`, if any.
pub fn recall(verifier: u64, token: &str) -> Option<Verified> {
    SEEN.with(|seen| {
        seen.borrow()
            .get(token)
            .filter(|(by, _)| *by == verifier)
            .map(|(_, v)| *v)
    })
}

/// Remembers that `verifier` found `token` genuine.
pub fn remember(verifier: u64, token: &str, verified: Verified) {
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        if seen.len() >= CAPACITY {
            seen.clear();
        }
        seen.insert(token.into(), (verifier, verified));
    })
}
