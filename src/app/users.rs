//! A tenant's administrators manage its users: add (create, get-or-create,
//! create-or-update), change roles and address, remove. Every write needs
//! the Tenant Administrator role in the tenant itself; a Tenant Member reads
//! the directory (`app::directory`) and nothing more.
//!
//! Rules, each checked in the write transaction that would break it:
//! an address is one user's per tenant (409); a tenant keeps at least one
//! user holding Tenant Administrator (409, whether by removal or by losing
//! the role); role ids are the tenant's own (400 naming `RoleIds`). A user
//! removed, or whose password generation is bumped, is signed out on every
//! instance at once: portal sessions carry the generation and the user.

use super::access::{acting, Acting};
use super::audit;
use super::context::Context;
use super::directory::{listed_user, Listed};
use super::error::AppError;
use super::role_ids::{self, NamedRoles};
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::email::EmailAddress;
use crate::domain::identity::{Caller, User};
use crate::domain::ids::{CustomRoleId, PrincipalId, TenantId, UserId};
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use crate::domain::role::{Role, RoleSet};
use crate::store::{
    grants, identities, memberships, two_factor, user_invitations, Readable, WriteTx,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A user as a client sends one (`Id`, `Email` or `ContactEmail`,
/// `RoleIds`); what communityd does not keep is not asked for.
#[derive(Clone, Debug, Default)]
pub struct UserInput {
    pub id: Option<String>,
    pub email: Option<String>,
    pub contact_email: Option<String>,
    pub role_ids: Option<Vec<String>>,
}

/// Whether a write made the user or found/changed one already there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Existing,
}

/// The caller, in its own tenant, for reading (`ViewTenant`) or writing
/// (`ManageUsers`). Another tenant's path is refused as the directory
/// refuses it.
pub(super) fn in_own_tenant(
    tx: &impl Readable,
    caller: Caller,
    tenant: TenantId,
    op: Operation,
) -> Result<Acting, AppError> {
    let me = acting(tx, caller)?;
    if tenant != caller.tenant {
        return Err(AppError::forbidden(
            "a caller may only manage its own tenant's users",
        ));
    }
    me.require_tenant_role(op)?;
    Ok(me)
}

/// The tenant's user `id`: 404 for an unknown id or another tenant's user.
pub(super) fn own_user(tx: &impl Readable, tenant: TenantId, id: UserId) -> Result<User, AppError> {
    match identities::get_user(tx, id)? {
        Some(u) if u.tenant == tenant => Ok(u),
        _ => Err(AppError::not_found(format!("your tenant has no user {id}"))),
    }
}

/// The address a body gives: `Email`, else `ContactEmail`.
fn address(input: &UserInput) -> Result<EmailAddress, AppError> {
    let (field, raw) = match (&input.email, &input.contact_email) {
        (Some(e), _) if !e.trim().is_empty() => ("Email", e),
        (_, Some(c)) if !c.trim().is_empty() => ("ContactEmail", c),
        _ => {
            return Err(AppError::invalid(
                "Email",
                "is required (or ContactEmail): the address the user signs in with",
            ))
        }
    };
    EmailAddress::parse(raw).map_err(|e| AppError::invalid(field, e.to_string()))
}

/// The body's `Id`, which must agree with the path's when both are given.
fn body_id(input: &UserInput, path: Option<UserId>) -> Result<Option<UserId>, AppError> {
    let Some(raw) = input.id.as_deref().filter(|s| !s.trim().is_empty()) else {
        return Ok(path);
    };
    let id = UserId::parse(raw).ok_or_else(|| AppError::invalid("Id", "is not a valid GUID"))?;
    match path {
        Some(p) if p != id => Err(AppError::invalid(
            "Id",
            format!("is {id}, but the path names user {p}"),
        )),
        _ => Ok(Some(id)),
    }
}

/// The body's role ids as GUIDs, bounded; checked against the tenant later.
fn role_guids(input: &UserInput) -> Result<Option<Vec<Uuid>>, AppError> {
    input.role_ids.as_deref().map(role_ids::parse).transpose()
}

/// The tenant roles `ids` name (see `role_ids`), where `held` are the ids
/// the user holds now. Naming no built-in tenant role gives Tenant Member.
fn roles_of(
    tx: &impl Readable,
    tenant: TenantId,
    held: &[Uuid],
    ids: Option<&[Uuid]>,
) -> Result<NamedRoles, AppError> {
    let mut named = match ids {
        Some(ids) => role_ids::resolve(tx, tenant, ids, held)?,
        None => NamedRoles::default(),
    };
    if named.tenant_roles.is_empty() {
        named.tenant_roles = RoleSet::of(&[Role::TenantMember]);
    }
    Ok(named)
}

/// Whether some active user of the tenant other than `except` holds
/// Tenant Administrator.
fn another_administrator(
    tx: &impl Readable,
    tenant: TenantId,
    except: UserId,
) -> Result<bool, AppError> {
    Ok(identities::users_of_tenant(tx, tenant)?.iter().any(|u| {
        u.id != except && !u.deactivated && u.tenant_roles.contains(Role::TenantAdministrator)
    }))
}

/// 409 unless the tenant keeps a Tenant Administrator without `user`.
pub(super) fn keep_an_administrator(
    tx: &impl Readable,
    user: &User,
    what: &str,
) -> Result<(), AppError> {
    if user.tenant_roles.contains(Role::TenantAdministrator)
        && !user.deactivated
        && !another_administrator(tx, user.tenant, user.id)?
    {
        return Err(AppError::conflict(format!(
            "{} is the tenant's last Tenant Administrator and cannot {what}; make another user a Tenant Administrator first",
            user.email
        )));
    }
    Ok(())
}

fn duplicate(email: &EmailAddress) -> AppError {
    AppError::conflict(format!(
        "your tenant already has a user with the address {email}"
    ))
}

/// Stores a new user with no usable password (they set one through an
/// invitation, or Forgot password).
pub(super) fn insert_new(
    tx: &WriteTx,
    who: &Origin,
    tenant: TenantId,
    id: UserId,
    email: EmailAddress,
    roles: NamedRoles,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    if identities::get_user(tx, id)?.is_some() {
        return Err(AppError::conflict(format!("user {id} already exists")));
    }
    let mut user = User::new(id, tenant, email, String::new(), roles.tenant_roles, now);
    user.custom_roles = roles.custom_roles;
    if !identities::put_user(tx, &user)? {
        return Err(duplicate(&user.email));
    }
    record(tx, who, AuditKind::UserCreated, &user)?;
    Ok(user)
}

/// A change to a user, with what it is now: address, roles, whether
/// active.
pub(super) fn record(
    tx: &WriteTx,
    who: &Origin,
    kind: AuditKind,
    user: &User,
) -> Result<(), AppError> {
    let roles = user.tenant_roles.names();
    let detail = serde_json::json!({
        "Email": user.email.as_str(),
        "Roles": roles,
        "CustomRoles": user.custom_roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        "Active": !user.deactivated,
    });
    audit::record(
        tx,
        who,
        kind,
        Subject::user(user.id),
        detail,
        &[user.tenant],
    )?;
    Ok(())
}

/// `POST /Users`: a new user; `Id` from the body or made here.
pub async fn create(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    input: UserInput,
) -> Result<Listed<User>, AppError> {
    let now = ctx.clock.now();
    let fresh = UserId::generate();
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ManageUsers)?;
            let email = address(&input)?;
            let id = body_id(&input, None)?.unwrap_or(fresh);
            let roles = roles_of(tx, tenant, &[], role_guids(&input)?.as_deref())?;
            let user = insert_new(tx, &who, tenant, id, email, roles, now)?;
            listed_user(tx, user)
        })
        .await
}

/// `POST /Users/{userId}`: the user if the tenant has it, else a new one
/// with that id.
pub async fn get_or_create(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: UserId,
    input: UserInput,
) -> Result<(Listed<User>, Outcome), AppError> {
    let now = ctx.clock.now();
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ManageUsers)?;
            body_id(&input, Some(id))?;
            match identities::get_user(tx, id)? {
                Some(u) if u.tenant == tenant => Ok((listed_user(tx, u)?, Outcome::Existing)),
                Some(_) => Err(AppError::not_found(format!("your tenant has no user {id}"))),
                None => {
                    let email = address(&input)?;
                    let roles = roles_of(tx, tenant, &[], role_guids(&input)?.as_deref())?;
                    let user = insert_new(tx, &who, tenant, id, email, roles, now)?;
                    Ok((listed_user(tx, user)?, Outcome::Created))
                }
            }
        })
        .await
}

/// `PUT /Users/{userId}`: creates the user, or changes its address and
/// tenant roles (each only when the body gives it).
pub async fn create_or_update(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: UserId,
    input: UserInput,
) -> Result<(Listed<User>, Outcome), AppError> {
    let now = ctx.clock.now();
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ManageUsers)?;
            body_id(&input, Some(id))?;
            let guids = role_guids(&input)?;
            let existing = match identities::get_user(tx, id)? {
                Some(u) if u.tenant == tenant => Some(u),
                Some(_) => {
                    return Err(AppError::not_found(format!("your tenant has no user {id}")))
                }
                None => None,
            };
            let Some(mut user) = existing else {
                let email = address(&input)?;
                let roles = roles_of(tx, tenant, &[], guids.as_deref())?;
                let user = insert_new(tx, &who, tenant, id, email, roles, now)?;
                return Ok((listed_user(tx, user)?, Outcome::Created));
            };
            if input.email.is_some() || input.contact_email.is_some() {
                user.email = address(&input)?;
            }
            if let Some(ids) = guids {
                let held = listed_user(tx, user.clone())?.role_ids;
                let roles = roles_of(tx, tenant, &held, Some(&ids))?;
                if !roles.tenant_roles.contains(Role::TenantAdministrator) {
                    keep_an_administrator(tx, &user, "lose the Tenant Administrator role")?;
                }
                user.tenant_roles = roles.tenant_roles;
                user.custom_roles = roles.custom_roles;
            }
            if !identities::put_user(tx, &user)? {
                return Err(duplicate(&user.email));
            }
            record(tx, &who, AuditKind::UserChanged, &user)?;
            Ok((listed_user(tx, user)?, Outcome::Existing))
        })
        .await
}

/// Sets a user's tenant roles (the portal's tick boxes); `custom` `None`
/// leaves its custom roles as they are.
pub async fn set_roles(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: UserId,
    roles: RoleSet,
    custom: Option<Vec<CustomRoleId>>,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ManageUsers)?;
            let mut user = own_user(tx, tenant, id)?;
            let roles = if roles.is_empty() {
                RoleSet::of(&[Role::TenantMember])
            } else {
                roles
            };
            if !roles.contains(Role::TenantAdministrator) {
                keep_an_administrator(tx, &user, "lose the Tenant Administrator role")?;
            }
            if let Some(custom) = &custom {
                role_ids::check_custom(tx, tenant, custom)?;
                user.custom_roles = custom.clone();
            }
            user.tenant_roles = roles;
            identities::put_user(tx, &user)?;
            record(tx, &who, AuditKind::UserChanged, &user)?;
            Ok(())
        })
        .await
}

/// Deactivates (`active` false) or reactivates a user (the portal's
/// Deactivate and Reactivate). Deactivating ends every session of the user
/// and kills any link sent to them (the password generation moves); the
/// user, its roles and its password stay for a reactivation.
pub async fn set_active(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: UserId,
    active: bool,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ManageUsers)?;
            let mut user = own_user(tx, tenant, id)?;
            if user.deactivated != active {
                return Ok(());
            }
            if !active {
                keep_an_administrator(tx, &user, "be deactivated")?;
                user.end_sessions_and_links();
            }
            user.deactivated = !active;
            identities::put_user(tx, &user)?;
            record(tx, &who, AuditKind::UserChanged, &user)?;
            Ok(())
        })
        .await
}

/// `DELETE /Users/{userId}`: the user, its invitation and every community
/// role it holds go in one transaction; its sessions end with it.
pub async fn delete(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: UserId,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            in_own_tenant(tx, caller, tenant, Operation::ManageUsers)?;
            let user = own_user(tx, tenant, id)?;
            keep_an_administrator(tx, &user, "be removed")?;
            let principal = PrincipalId::User(id);
            for community in memberships::communities_of_tenant(tx, tenant, Page::everything())? {
                grants::set(tx, community, tenant, principal, RoleSet::EMPTY)?;
            }
            user_invitations::delete(tx, id)?;
            two_factor::delete(tx, tenant, id)?;
            identities::delete_user(tx, id)?;
            record(tx, &who, AuditKind::UserDeleted, &user)?;
            Ok(())
        })
        .await
}
