//! Users and clients: the identities of a tenant, and the caller of a request.

use super::client_secret::{ClientSecret, MAX_SECRETS_PER_CLIENT};
use super::email::EmailAddress;
use super::ids::{ClientId, CustomRoleId, PrincipalId, TenantId, UserId};
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
    /// Deactivated by a Tenant Administrator: no sign-in, no set-password
    /// link, no session, until reactivated. The user and its roles stay.
    pub deactivated: bool,
    /// The tenant's custom roles the user holds.
    pub custom_roles: Vec<CustomRoleId>,
}

impl User {
    /// A new, active user holding `tenant_roles` and no custom role.
    /// `password_hash` is empty for a user who sets a password through a
    /// link.
    pub fn new(
        id: UserId,
        tenant: TenantId,
        email: EmailAddress,
        password_hash: String,
        tenant_roles: RoleSet,
        created: DateTime<Utc>,
    ) -> Self {
        User {
            id,
            tenant,
            email,
            password_hash,
            tenant_roles,
            created,
            password_generation: 0,
            deactivated: false,
            custom_roles: Vec::new(),
        }
    }

    /// A new password (already hashed): every session and link made under
    /// the old one stops working.
    pub fn set_password_hash(&mut self, hash: String) {
        self.password_hash = hash;
        self.end_sessions_and_links();
    }

    /// Every portal session and emailed link made so far stops working,
    /// on every instance: they carry the generation this moves past.
    pub fn end_sessions_and_links(&mut self) {
        self.password_generation = self.password_generation.wrapping_add(1);
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    pub tenant: TenantId,
    pub name: String,
    /// Any live one of these buys a token (see `client_secret`).
    pub secrets: Vec<ClientSecret>,
    pub tenant_roles: RoleSet,
    pub created: DateTime<Utc>,
    /// A disabled client gets no tokens; its secrets are kept.
    pub enabled: bool,
    pub tags: Vec<String>,
    /// The id the next secret gets: ids are never reused, so a revoked
    /// secret's id never names another.
    pub next_secret_id: u32,
    /// The tenant's custom roles the client holds.
    pub custom_roles: Vec<CustomRoleId>,
}

/// The client holds as many secrets as it may.
#[derive(Debug, PartialEq, Eq)]
pub struct TooManySecrets;

impl Client {
    /// A new client with one secret (already hashed).
    pub fn new(
        id: ClientId,
        tenant: TenantId,
        name: String,
        tenant_roles: RoleSet,
        first: NewSecret,
        now: DateTime<Utc>,
    ) -> Self {
        let mut client = Client {
            id,
            tenant,
            name,
            secrets: Vec::new(),
            tenant_roles,
            created: now,
            enabled: true,
            tags: Vec::new(),
            next_secret_id: 1,
            custom_roles: Vec::new(),
        };
        let secret = client.take_secret(first, now);
        client.secrets.push(secret);
        client
    }

    /// Adds a secret; refused when the client holds the most it may.
    pub fn add_secret(
        &mut self,
        new: NewSecret,
        now: DateTime<Utc>,
    ) -> Result<&ClientSecret, TooManySecrets> {
        if self.secrets.len() >= MAX_SECRETS_PER_CLIENT {
            return Err(TooManySecrets);
        }
        let secret = self.take_secret(new, now);
        self.secrets.push(secret);
        Ok(&self.secrets[self.secrets.len() - 1])
    }

    /// Replaces every secret with one new one (the operator's rotation).
    pub fn replace_secrets(&mut self, new: NewSecret, now: DateTime<Utc>) {
        self.secrets.clear();
        let secret = self.take_secret(new, now);
        self.secrets.push(secret);
    }

    pub fn secret(&self, id: u32) -> Option<&ClientSecret> {
        self.secrets.iter().find(|s| s.id == id)
    }

    pub fn secret_mut(&mut self, id: u32) -> Option<&mut ClientSecret> {
        self.secrets.iter_mut().find(|s| s.id == id)
    }

    /// Removes a secret; false when there was none with that id.
    pub fn remove_secret(&mut self, id: u32) -> bool {
        let before = self.secrets.len();
        self.secrets.retain(|s| s.id != id);
        self.secrets.len() != before
    }

    fn take_secret(&mut self, new: NewSecret, now: DateTime<Utc>) -> ClientSecret {
        let id = self.next_secret_id;
        self.next_secret_id = self.next_secret_id.saturating_add(1);
        ClientSecret {
            id,
            description: new.description,
            hash: new.hash,
            fingerprint: Some(new.fingerprint),
            created: now,
            expires: new.expires,
        }
    }
}

/// A secret about to be added: its hash and fingerprint are made before
/// the write (hashing is slow), the plain secret never reaches here.
#[derive(Clone, Debug)]
pub struct NewSecret {
    pub hash: String,
    pub fingerprint: u64,
    pub description: String,
    pub expires: Option<DateTime<Utc>>,
}

/// A user or client as its rights see it: its tenant, the built-in tenant
/// roles it holds and the tenant's custom roles it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub tenant: TenantId,
    pub tenant_roles: RoleSet,
    pub custom_roles: Vec<CustomRoleId>,
}

impl User {
    pub fn holder(&self) -> Holder {
        Holder {
            tenant: self.tenant,
            tenant_roles: self.tenant_roles,
            custom_roles: self.custom_roles.clone(),
        }
    }
}

impl Client {
    pub fn holder(&self) -> Holder {
        Holder {
            tenant: self.tenant,
            tenant_roles: self.tenant_roles,
            custom_roles: self.custom_roles.clone(),
        }
    }
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
