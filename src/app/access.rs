//! Who the caller is right now and what they may do: re-read from the store
//! inside each use case's transaction, so revoked roles and deactivated
//! tenants take effect at once.

use super::error::AppError;
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, CustomRoleId};
use crate::domain::permission::Operation;
use crate::domain::role::RoleSet;
use crate::domain::tenant::Tenant;
use crate::store::{grants, identities, tenants, Readable};

/// The caller, with its tenant and tenant roles as stored now.
#[derive(Clone)]
pub struct Acting {
    pub caller: Caller,
    pub tenant: Tenant,
    pub tenant_roles: RoleSet,
    /// The tenant's custom roles the caller holds: they grant nothing by
    /// themselves, only what access lists naming them give.
    pub custom_roles: Vec<CustomRoleId>,
}

pub fn acting(tx: &impl Readable, caller: Caller) -> Result<Acting, AppError> {
    let holder = identities::principal(tx, caller.principal)?
        .filter(|h| h.tenant == caller.tenant)
        .ok_or_else(|| {
            AppError::Unauthorized("the identity in the access token no longer exists".into())
        })?;
    let tenant = tenants::get(tx, holder.tenant)?.ok_or_else(|| {
        AppError::Unauthorized("the tenant in the access token no longer exists".into())
    })?;
    if !tenant.state.is_active() {
        return Err(AppError::forbidden(format!(
            "tenant '{}' is not Active (state {:?}); it cannot use the service",
            tenant.company_name, tenant.state
        )));
    }
    Ok(Acting {
        caller,
        tenant,
        tenant_roles: holder.tenant_roles,
        custom_roles: holder.custom_roles,
    })
}

impl Acting {
    /// Tenant roles plus the community roles granted in `community`.
    pub fn roles_in(
        &self,
        tx: &impl Readable,
        community: CommunityId,
    ) -> Result<RoleSet, AppError> {
        let granted = grants::get(tx, community, self.caller.tenant, self.caller.principal)?;
        Ok(self.tenant_roles.union(granted))
    }

    pub fn require(&self, op: Operation, held: RoleSet) -> Result<(), AppError> {
        require(op, held)
    }

    pub fn require_tenant_role(&self, op: Operation) -> Result<(), AppError> {
        require(op, self.tenant_roles)
    }
}

pub fn require(op: Operation, held: RoleSet) -> Result<(), AppError> {
    if op.allows(held) {
        Ok(())
    } else {
        Err(AppError::forbidden(format!(
            "this requires the role {}",
            op.describe_roles()
        )))
    }
}
