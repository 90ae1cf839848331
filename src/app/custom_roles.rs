//! A tenant's administrators make, change and delete the tenant's own
//! roles (`custom_role`). The built-in roles, the tenant's and those of its
//! communities, are listed beside them and never change: writing one is a
//! 403. Deleting a role takes it from every user and client holding it in
//! the same transaction; access lists that name it keep the entry, which
//! nobody can hold any more, until their owners edit it away.

use super::access::Acting;
use super::audit;
use super::context::Context;
use super::directory::{all_roles, own_directory};
use super::error::AppError;
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::custom_role::{
    validate_description, validate_name, CustomRole, MAX_CUSTOM_ROLES_PER_TENANT,
};
use crate::domain::identity::Caller;
use crate::domain::ids::{CustomRoleId, TenantId};
use crate::domain::permission::Operation;
use crate::domain::role::{RoleInstance, RoleScope};
use crate::store::{custom_roles, identities, Readable, WriteTx};
use serde_json::Value;
use uuid::Uuid;

/// A role as a client sends one. `None` leaves a part as it is (on an
/// update) or takes its default (on a create).
#[derive(Clone, Debug, Default)]
pub struct RoleInput {
    pub id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Given: must be the tenant scope (1 or "Tenant"); a custom role is
    /// a tenant's.
    pub scope: Option<Value>,
    pub tenant: Option<String>,
    pub community: Option<String>,
    pub type_id: Option<String>,
}

/// The caller administers `tenant`, its own.
fn administrator(tx: &impl Readable, caller: Caller, tenant: TenantId) -> Result<Acting, AppError> {
    let me = own_directory(tx, caller, tenant)?;
    me.require_tenant_role(Operation::ManageRoles)?;
    Ok(me)
}

/// What a body may not say of a custom role: another scope, community,
/// tenant or a built-in type.
fn check_placement(input: &RoleInput, tenant: TenantId) -> Result<(), AppError> {
    if input.scope.as_ref().is_some_and(|s| !is_tenant_scope(s)) {
        return Err(AppError::invalid(
            "RoleScope",
            "must be 1 (Tenant): a custom role is a tenant role",
        ));
    }
    if input.community.is_some() {
        return Err(AppError::invalid(
            "CommunityId",
            "a custom role belongs to the tenant, not to a community",
        ));
    }
    if let Some(raw) = &input.tenant {
        if TenantId::parse(raw) != Some(tenant) {
            return Err(AppError::invalid(
                "TenantId",
                format!("must be {tenant}, the tenant in the path"),
            ));
        }
    }
    if input.type_id.is_some() {
        return Err(AppError::invalid(
            "RoleTypeId",
            "only built-in roles have a role type",
        ));
    }
    Ok(())
}

/// `RoleScope` as AVEVA sends it: the number, or its name.
fn is_tenant_scope(scope: &Value) -> bool {
    match scope {
        Value::Number(n) => n.as_u64() == Some(RoleScope::Tenant as u64),
        Value::String(s) => s.eq_ignore_ascii_case("tenant"),
        _ => false,
    }
}

fn body_id(input: &RoleInput) -> Result<Option<Uuid>, AppError> {
    input
        .id
        .as_deref()
        .map(|raw| {
            Uuid::try_parse(raw.trim()).map_err(|_| AppError::invalid("Id", "is not a valid GUID"))
        })
        .transpose()
}

fn name_taken(name: &str) -> AppError {
    AppError::conflict(format!("your tenant already has a role named '{name}'"))
}

/// The role `id` among those `me` sees: a custom one to change, or a 403
/// for a built-in one, or a 404.
fn own_custom(tx: &impl Readable, me: &Acting, id: Uuid) -> Result<CustomRole, AppError> {
    let tenant = me.caller.tenant;
    if let Some(found) = custom_roles::get(tx, tenant, CustomRoleId(id))? {
        return Ok(found);
    }
    match all_roles(tx, me)?.into_iter().find(|r| r.id == id) {
        Some(r) => Err(AppError::forbidden(format!(
            "'{}' is a built-in role; built-in roles cannot be changed or deleted",
            r.name
        ))),
        None => Err(AppError::not_found(format!("your tenant has no role {id}"))),
    }
}

/// The tenant's custom roles, oldest first, for anyone who may read its
/// directory (the portal's Roles page, and the tick boxes of its Users and
/// Clients pages).
pub async fn of_tenant(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
) -> Result<Vec<CustomRole>, AppError> {
    ctx.store
        .read(move |tx| {
            own_directory(tx, caller, tenant)?;
            Ok(custom_roles::of_tenant(tx, tenant)?)
        })
        .await
}

/// One custom role, for an administrator about to change it (a
/// confirmation step names it): 403 for a built-in role, else 404.
pub async fn managed(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: Uuid,
) -> Result<CustomRole, AppError> {
    ctx.store
        .read(move |tx| {
            let me = administrator(tx, caller, tenant)?;
            own_custom(tx, &me, id)
        })
        .await
}

/// `POST /Roles`: a new custom role; `Id` from the body or made here.
pub async fn create(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    input: RoleInput,
) -> Result<RoleInstance, AppError> {
    let now = ctx.clock.now();
    let fresh = CustomRoleId::generate();
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            let me = administrator(tx, caller, tenant)?;
            check_placement(&input, tenant)?;
            let name = validate_name(input.name.as_deref().unwrap_or_default())
                .map_err(|r| AppError::invalid("Name", r))?;
            let description = validate_description(input.description.as_deref().unwrap_or_default())
                .map_err(|r| AppError::invalid("Description", r))?;
            let id = body_id(&input)?.map(CustomRoleId).unwrap_or(fresh);
            if all_roles(tx, &me)?.iter().any(|r| r.id == id.0) {
                return Err(AppError::conflict(format!("role {id} already exists")));
            }
            if custom_roles::of_tenant(tx, tenant)?.len() >= MAX_CUSTOM_ROLES_PER_TENANT {
                return Err(AppError::conflict(format!(
                    "your tenant has {MAX_CUSTOM_ROLES_PER_TENANT} custom roles, the most it may have; delete one first"
                )));
            }
            let role = CustomRole {
                id,
                tenant,
                name,
                description,
                created: now,
            };
            if !custom_roles::put(tx, &role)? {
                return Err(name_taken(&role.name));
            }
            record(tx, &who, AuditKind::CustomRoleCreated, &role)?;
            Ok(role.instance())
        })
        .await
}

/// `PUT /Roles/{roleId}`: renames a custom role or changes its description.
pub async fn update(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: Uuid,
    input: RoleInput,
) -> Result<RoleInstance, AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            let me = administrator(tx, caller, tenant)?;
            let mut role = own_custom(tx, &me, id)?;
            check_placement(&input, tenant)?;
            if body_id(&input)?.is_some_and(|b| b != id) {
                return Err(AppError::invalid(
                    "Id",
                    format!("must be {id}, the role in the path"),
                ));
            }
            if let Some(name) = &input.name {
                role.name = validate_name(name).map_err(|r| AppError::invalid("Name", r))?;
            }
            if let Some(description) = &input.description {
                role.description = validate_description(description)
                    .map_err(|r| AppError::invalid("Description", r))?;
            }
            if !custom_roles::put(tx, &role)? {
                return Err(name_taken(&role.name));
            }
            record(tx, &who, AuditKind::CustomRoleChanged, &role)?;
            Ok(role.instance())
        })
        .await
}

/// `DELETE /Roles/{roleId}`: the role goes, and every holder loses it.
pub async fn delete(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: Uuid,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            let me = administrator(tx, caller, tenant)?;
            let role = own_custom(tx, &me, id)?;
            custom_roles::delete(tx, tenant, role.id)?;
            record(tx, &who, AuditKind::CustomRoleDeleted, &role)?;
            take_from_holders(tx, tenant, role.id)
        })
        .await
}

/// A change to a custom role, with its name as it is now.
fn record(tx: &WriteTx, who: &Origin, kind: AuditKind, role: &CustomRole) -> Result<(), AppError> {
    let detail = serde_json::json!({ "Name": role.name });
    audit::record(
        tx,
        who,
        kind,
        Subject::custom_role(role.id),
        detail,
        &[role.tenant],
    )?;
    Ok(())
}

/// Every user and client of the tenant that holds `role` loses it.
fn take_from_holders(tx: &WriteTx, tenant: TenantId, role: CustomRoleId) -> Result<(), AppError> {
    for mut user in identities::users_of_tenant(tx, tenant)? {
        if user.custom_roles.contains(&role) {
            user.custom_roles.retain(|r| *r != role);
            identities::put_user(tx, &user)?;
        }
    }
    for mut client in identities::clients_of_tenant(tx, tenant)? {
        if client.custom_roles.contains(&role) {
            client.custom_roles.retain(|r| *r != role);
            identities::put_client(tx, &client)?;
        }
    }
    Ok(())
}
