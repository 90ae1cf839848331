//! How a tenant's people may sign in: with a password at all, and whether
//! a password must be followed by a one-time code. A tenant that never
//! chose has the defaults (passwords, no codes required).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInPolicy {
    /// Password sign-in is allowed.
    pub passwords: bool,
    /// A password sign-in also needs a code from an authenticator (TOTP);
    /// a user who has none enrols one before getting a session.
    pub totp_required: bool,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        SignInPolicy {
            passwords: true,
            totp_required: false,
        }
    }
}

impl SignInPolicy {
    /// Whether a password sign-in of a user (`enrolled`: holding an
    /// authenticator) must also give a code.
    pub fn code_needed(&self, enrolled: bool) -> bool {
        self.totp_required || enrolled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_that_never_chose_allows_passwords_without_codes() {
        let p = SignInPolicy::default();
        assert!(p.passwords && !p.totp_required);
        assert!(!p.code_needed(false));
        assert!(p.code_needed(true));
        let required = SignInPolicy {
            totp_required: true,
            ..p
        };
        assert!(required.code_needed(false));
    }
}
