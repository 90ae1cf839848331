//! Tenants: organisations created by the operator.

use super::ids::TenantId;
use super::shown_name;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `TenantProvisioningState`, sent as an integer as in OCS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TenantState {
    Creating,
    Active,
    Deactivating,
    Deactivated,
    Reactivating,
    Deleting,
    Deleted,
    Purging,
    IsHomeTenant,
    Locking,
    Locked,
    Unlocking,
}

impl TenantState {
    const ALL: [TenantState; 12] = [
        TenantState::Creating,
        TenantState::Active,
        TenantState::Deactivating,
        TenantState::Deactivated,
        TenantState::Reactivating,
        TenantState::Deleting,
        TenantState::Deleted,
        TenantState::Purging,
        TenantState::IsHomeTenant,
        TenantState::Locking,
        TenantState::Locked,
        TenantState::Unlocking,
    ];

    pub fn code(self) -> u8 {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0) as u8
    }

    pub fn from_code(code: i64) -> Option<Self> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|s| format!("{s:?}").eq_ignore_ascii_case(name))
    }

    /// Only an Active tenant may log in, invite, accept or confirm.
    pub fn is_active(self) -> bool {
        self == TenantState::Active
    }
}

/// A tenant's company name (`CompanyName`): 1..100 characters after
/// trimming, nothing that hides or reorders text (it is what the Join and
/// Confirm pages and the emails show as the proof of who is joining), and
/// unique among tenants whatever the case (the store enforces that, keyed
/// by `name_key`).
pub fn validate_company_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    match name.chars().count() {
        0 => Err("must not be empty"),
        n if n > 100 => Err("must be at most 100 characters"),
        _ => shown_name::check(name).map(|()| name.to_string()),
    }
}

/// The key that makes company names unique among tenants.
pub fn name_key(company_name: &str) -> String {
    shown_name::unique_key(company_name)
}

/// A tenant's alias: what people type at the login page. Unique
/// (case-insensitively), 1..64 characters, no spaces at either end.
pub fn validate_alias(alias: &str) -> Result<String, &'static str> {
    let alias = alias.trim();
    match alias.chars().count() {
        0 => Err("must not be empty"),
        n if n > 64 => Err("must be at most 64 characters"),
        _ => shown_name::check(alias).map(|()| alias.to_string()),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: TenantId,
    pub company_name: String,
    pub alias: String,
    pub state: TenantState,
    pub created: DateTime<Utc>,
    pub last_updated: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_codes_match_ocs() {
        assert_eq!(TenantState::Creating.code(), 0);
        assert_eq!(TenantState::Active.code(), 1);
        assert_eq!(TenantState::IsHomeTenant.code(), 8);
        assert_eq!(TenantState::from_code(3), Some(TenantState::Deactivated));
        assert_eq!(TenantState::from_code(12), None);
        assert_eq!(TenantState::from_code(-1), None);
        assert_eq!(
            TenantState::from_name("deactivated"),
            Some(TenantState::Deactivated)
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(validate_company_name("  Contoso "), Ok("Contoso".into()));
        assert!(validate_company_name("   ").is_err());
        assert!(validate_company_name(&"x".repeat(101)).is_err());
        assert!(validate_alias("a\u{7}b").is_err());
        assert!(validate_company_name("Contoso\u{202E}").is_err());
        assert!(validate_company_name("Con\u{0}toso").is_err());
        assert_eq!(name_key("Contoso"), name_key(" CONTOSO"));
    }
}
