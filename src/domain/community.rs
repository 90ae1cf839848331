//! Communities: a named group of tenants, owned by the tenant that created it.

use super::ids::{CommunityId, TenantId};
use super::shown_name;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 1000;
pub const ALIAS_MAX: usize = 100;

/// A community name: 1..100 characters after trimming, with nothing that
/// hides or reorders text (invitation emails and the Join page show it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommunityName(String);

impl CommunityName {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let name = text.trim();
        match name.chars().count() {
            0 => Err("must not be empty"),
            n if n > NAME_MAX => Err("must be at most 100 characters"),
            _ => shown_name::check(name).map(|()| Self(name.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key that makes names unique per owning tenant, whatever the case.
    pub fn unique_key(&self) -> String {
        self.0.to_lowercase()
    }
}

pub fn validate_description(text: &str) -> Result<String, &'static str> {
    if text.chars().count() > DESCRIPTION_MAX {
        return Err("must be at most 1000 characters");
    }
    Ok(text.trim().to_string())
}

pub fn validate_alias(text: &str) -> Result<Option<String>, &'static str> {
    let alias = text.trim();
    match alias.chars().count() {
        0 => Ok(None),
        n if n > ALIAS_MAX => Err("must be at most 100 characters"),
        _ => shown_name::check(alias).map(|()| Some(alias.to_string())),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Community {
    pub id: CommunityId,
    pub owner: TenantId,
    pub name: CommunityName,
    pub description: String,
    pub created: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            CommunityName::parse("  Plant data ").unwrap().as_str(),
            "Plant data"
        );
        assert!(CommunityName::parse("  ").is_err());
        assert!(CommunityName::parse(&"é".repeat(100)).is_ok());
        assert!(CommunityName::parse(&"é".repeat(101)).is_err());
        assert_eq!(CommunityName::parse("ABC").unwrap().unique_key(), "abc");
        assert!(CommunityName::parse("Plant\u{202E}atad").is_err());
        assert!(CommunityName::parse("Plant\u{0}").is_err());
        assert!(validate_alias("x\u{2066}y").is_err());
    }
}
