//! A user's second factor: the secret their authenticator app shares with
//! the service, the last time step a code was accepted for (so a code,
//! once used, is refused again, on every instance), and the hashes of the
//! recovery codes not yet used.

use super::ids::{TenantId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactor {
    pub user: UserId,
    pub tenant: TenantId,
    /// The shared secret (raw bytes; shown once as base32).
    pub secret: Vec<u8>,
    pub enrolled: DateTime<Utc>,
    /// The latest step a code was accepted for (0 before any).
    pub last_step: i64,
    /// SHA-256 of each recovery code not yet used.
    pub recovery: Vec<Vec<u8>>,
}

impl TwoFactor {
    /// Uses the recovery code with this hash: false (changing nothing)
    /// when no unused code has it.
    pub fn use_recovery(&mut self, hash: &[u8]) -> bool {
        let before = self.recovery.len();
        self.recovery.retain(|h| h.as_slice() != hash);
        self.recovery.len() != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recovery_code_works_once() {
        let mut f = TwoFactor {
            user: UserId::generate(),
            tenant: TenantId::generate(),
            secret: vec![1; 20],
            enrolled: Utc::now(),
            last_step: 0,
            recovery: vec![vec![1; 32], vec![2; 32]],
        };
        assert!(f.use_recovery(&[2; 32]));
        assert!(!f.use_recovery(&[2; 32]));
        assert_eq!(f.recovery, vec![vec![1; 32]]);
    }
}
