//! The `RoleIds` a user or client body carries, checked against the
//! tenant: each id names one of its built-in tenant roles, one of its
//! custom roles, or a community role the identity already holds (a client
//! that read the identity sends its `RoleIds` back unchanged; community
//! roles are granted through the community, so those ids are left alone).

use super::error::AppError;
use crate::domain::ids::{CustomRoleId, TenantId};
use crate::domain::role::{Role, RoleSet};
use crate::store::{custom_roles, Readable};
use uuid::Uuid;

/// Most role ids one body may carry.
pub const MAX_ROLE_IDS: usize = 100;

const FIELD: &str = "RoleIds";

/// The tenant roles, built-in and custom, that a list of ids names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamedRoles {
    pub tenant_roles: RoleSet,
    pub custom_roles: Vec<CustomRoleId>,
}

/// The ids as GUIDs, bounded; a bad one is a 400 naming `RoleIds`.
pub fn parse(ids: &[String]) -> Result<Vec<Uuid>, AppError> {
    if ids.len() > MAX_ROLE_IDS {
        return Err(AppError::invalid(
            FIELD,
            format!(
                "holds {} ids; at most {MAX_ROLE_IDS} are allowed",
                ids.len()
            ),
        ));
    }
    ids.iter()
        .map(|raw| {
            Uuid::try_parse(raw.trim()).map_err(|_| {
                let shown: String = raw.chars().take(64).collect();
                AppError::invalid(FIELD, format!("'{shown}' is not a valid GUID"))
            })
        })
        .collect()
}

/// The tenant roles `ids` name; `kept` are the community role ids the
/// identity holds. Anything else is a 400 naming `RoleIds`.
pub fn resolve(
    tx: &impl Readable,
    tenant: TenantId,
    ids: &[Uuid],
    kept: &[Uuid],
) -> Result<NamedRoles, AppError> {
    let custom = custom_roles::of_tenant(tx, tenant)?;
    let mut named = NamedRoles::default();
    for id in ids {
        if let Some(r) = Role::TENANT.iter().find(|r| r.instance_id(tenant.0) == *id) {
            named.tenant_roles = named.tenant_roles.with(*r);
        } else if let Some(c) = custom.iter().find(|c| c.id.0 == *id) {
            if !named.custom_roles.contains(&c.id) {
                named.custom_roles.push(c.id);
            }
        } else if !kept.contains(id) {
            return Err(AppError::invalid(
                FIELD,
                format!("{id} is not a role of your tenant (community roles are granted through the community)"),
            ));
        }
    }
    Ok(named)
}

/// Each id must be one of the tenant's custom roles (the portal's ticks).
pub fn check_custom(
    tx: &impl Readable,
    tenant: TenantId,
    ids: &[CustomRoleId],
) -> Result<(), AppError> {
    let custom = custom_roles::of_tenant(tx, tenant)?;
    match ids.iter().find(|id| !custom.iter().any(|c| c.id == **id)) {
        Some(id) => Err(AppError::invalid(
            FIELD,
            format!("{id} is not a custom role of your tenant"),
        )),
        None => Ok(()),
    }
}

/// Every role of the tenant an access list may name: its built-in tenant
/// roles and its custom roles.
pub fn of_tenant(tx: &impl Readable, tenant: TenantId) -> Result<Vec<Uuid>, AppError> {
    let mut out: Vec<Uuid> = Role::TENANT
        .iter()
        .map(|r| r.instance_id(tenant.0))
        .collect();
    out.extend(custom_roles::of_tenant(tx, tenant)?.iter().map(|c| c.id.0));
    Ok(out)
}
