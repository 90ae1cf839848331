//! Users and clients: the identities of a tenant, and the caller of a request.

use super::email::EmailAddress;
use super::ids::{ClientId, PrincipalId, TenantId, UserId};
use super::role::RoleSet;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub tenant: TenantId,
    pub email: EmailAddress,
    pub password_hash: String,
    pub tenant_roles: RoleSet,
    pub created: DateTime<Utc>,
    /// Bumped by every password change. Portal sessions and set-password
    /// links carry the generation they were made under, so a change ends
    /// the other sessions and kills every earlier link, on every instance,
    /// without a list of either.
    pub password_generation: u32,
}

impl User {
    /// A new password (already hashed): every session and link made under
    /// the old one stops working.
    pub fn set_password_hash(&mut self, hash: String) {
        self.password_hash = hash;
        self.password_generation = self.password_generation.wrapping_add(1);
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub tenant: TenantId,
    pub name: String,
    pub secret_hash: String,
    pub tenant_roles: RoleSet,
    pub created: DateTime<Utc>,
}

/// Who is calling: an authenticated user or client of one tenant. Roles are
/// not carried here; they are read from the store inside each use case so a
/// revoked role takes effect at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    pub principal: PrincipalId,
    pub tenant: TenantId,
}

/// A client's display name: 1..100 characters after trimming.
pub fn validate_client_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    match name.chars().count() {
        0 => Err("must not be empty"),
        n if n > 100 => Err("must be at most 100 characters"),
        _ => Ok(name.to_string()),
    }
}
