//! A role a tenant makes for itself, such as a "Data Steward". It carries
//! no permission of its own: it is a name that users and clients hold and
//! that stream and type access lists name as a trustee, so a tenant can let
//! some of its people share streams without making them administrators.
//! The built-in roles stay as they are; a custom role never takes a
//! built-in name.

use super::ids::{CustomRoleId, TenantId};
use super::role::{Role, RoleInstance, RoleScope};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most custom roles one tenant may have.
pub const MAX_CUSTOM_ROLES_PER_TENANT: usize = 100;
const MAX_NAME_CHARS: usize = 100;
const MAX_DESCRIPTION_CHARS: usize = 500;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRole {
    pub id: CustomRoleId,
    pub tenant: TenantId,
    pub name: String,
    pub description: String,
    pub created: DateTime<Utc>,
}

impl CustomRole {
    /// The key that keeps names unique in a tenant, whatever their case.
    pub fn name_key(&self) -> String {
        name_key(&self.name)
    }

    /// The role as the Roles APIs list it: a tenant role with no type.
    pub fn instance(&self) -> RoleInstance {
        RoleInstance {
            id: self.id.0,
            name: self.name.clone(),
            description: self.description.clone(),
            scope: RoleScope::Tenant,
            tenant: Some(self.tenant),
            community: None,
            type_id: None,
        }
    }
}

pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// A role's name: 1..100 characters after trimming, and not the name of a
/// built-in role in any spacing or case (a "TenantAdministrator" custom
/// role would read as the real one in every list).
pub fn validate_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    match name.chars().count() {
        0 => Err("must not be empty"),
        n if n > MAX_NAME_CHARS => Err("must be at most 100 characters"),
        _ if name.chars().any(char::is_control) => Err("must not hold control characters"),
        _ if Role::parse(name).is_some() => Err("is the name of a built-in role"),
        _ => Ok(name.to_string()),
    }
}

/// A role's description: at most 500 characters after trimming.
pub fn validate_description(description: &str) -> Result<String, &'static str> {
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err("must be at most 500 characters");
    }
    Ok(description.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_never_built_in() {
        assert_eq!(validate_name("  Data Steward "), Ok("Data Steward".into()));
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"x".repeat(101)).is_err());
        assert!(validate_name("a\u{7}b").is_err());
        assert_eq!(
            validate_name("tenantadministrator"),
            Err("is the name of a built-in role")
        );
        assert_eq!(
            validate_name("Community Member"),
            Err("is the name of a built-in role")
        );
    }

    #[test]
    fn descriptions_are_bounded() {
        assert_eq!(validate_description(" Shares "), Ok("Shares".into()));
        assert!(validate_description(&"x".repeat(501)).is_err());
    }
}
