//! A new tenant and its first administrator, made together in one write:
//! by the operator (`tenant create`) or by the recipient of a community
//! invitation when sign-up is open to them (`signup`).

use super::error::AppError;
use crate::domain::email::EmailAddress;
use crate::domain::identity::User;
use crate::domain::ids::{TenantId, UserId};
use crate::domain::role::{Role, RoleSet};
use crate::domain::tenant::{validate_alias, validate_company_name, Tenant, TenantState};
use crate::store::{identities, tenants, Writable};
use chrono::{DateTime, Utc};

#[derive(Clone)]
pub struct Founding {
    pub tenant: Tenant,
    pub admin: User,
}

/// A tenant named `name`, Active from `now`; `field` is named when the
/// name is not a valid one. Checked before any password is hashed.
pub fn new_tenant(field: &'static str, name: &str, now: DateTime<Utc>) -> Result<Tenant, AppError> {
    let company_name = validate_company_name(name).map_err(|r| AppError::invalid(field, r))?;
    let alias = validate_alias(name).map_err(|r| AppError::invalid(field, r))?;
    Ok(Tenant {
        id: TenantId::generate(),
        company_name,
        alias,
        state: TenantState::Active,
        created: now,
        last_updated: now,
    })
}

impl Founding {
    /// `tenant` with `email` as its administrator (and member), whose
    /// password is already hashed.
    pub fn new(tenant: Tenant, email: EmailAddress, password_hash: String) -> Self {
        let admin = User::new(
            UserId::generate(),
            tenant.id,
            email,
            password_hash,
            RoleSet::of(&[Role::TenantAdministrator, Role::TenantMember]),
            tenant.created,
        );
        Self { tenant, admin }
    }

    /// Stores both, or neither: a name another tenant has is a conflict.
    pub fn record(&self, tx: &impl Writable) -> Result<(), AppError> {
        tenants::put(tx, &self.tenant)?.map_err(|_| name_taken(&self.tenant.company_name))?;
        identities::put_user(tx, &self.admin)?;
        Ok(())
    }
}

pub(super) fn name_taken(name: &str) -> AppError {
    AppError::conflict(format!(
        "a tenant named '{name}' already exists (names are compared without regard to case)"
    ))
}
