//! A tenant's own directory, as AVEVA's Identity APIs show it: its roles
//! (its two built-in ones, those it made, and those of every community it
//! is in), its users and its clients, each with the ids of the roles it
//! holds. An API user reads it to find the ids to add to a community. A
//! caller sees only its own tenant's directory, as a Tenant Administrator
//! or Tenant Member.

use super::access::{acting, Acting};
use super::community_access::enter;
use super::context::Context;
use super::error::AppError;
use crate::domain::custom_role::CustomRole;
use crate::domain::identity::{Caller, Client, Holder, User};
use crate::domain::ids::{ClientId, CommunityId, PrincipalId, TenantId, UserId};
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use crate::domain::role::{Role, RoleInstance};
use crate::store::{communities, custom_roles, grants, identities, memberships, Readable};
use uuid::Uuid;

/// A user or client with the ids of every role it holds.
#[derive(Clone, Debug)]
pub struct Listed<T> {
    pub identity: T,
    pub role_ids: Vec<Uuid>,
}

pub(super) fn own_directory(
    tx: &impl Readable,
    caller: Caller,
    tenant: TenantId,
) -> Result<Acting, AppError> {
    let me = acting(tx, caller)?;
    if tenant != caller.tenant {
        return Err(AppError::forbidden(
            "a caller may only list its own tenant's roles, users and clients",
        ));
    }
    me.require_tenant_role(Operation::ViewTenant)?;
    Ok(me)
}

/// Every community the tenant is in (Active or Paused).
fn communities_of(tx: &impl Readable, tenant: TenantId) -> Result<Vec<CommunityId>, AppError> {
    let everything = Page {
        skip: 0,
        count: usize::MAX,
    };
    Ok(memberships::communities_of_tenant(tx, tenant, everything)?)
}

/// The tenant's roles (built-in, then its own) and the role instances of
/// the communities `me` may see: a community's roles carry its name and
/// id, so a caller who may not see the community (GET by id refuses it)
/// does not find it here either.
pub(super) fn all_roles(tx: &impl Readable, me: &Acting) -> Result<Vec<RoleInstance>, AppError> {
    let tenant = me.caller.tenant;
    let mut out: Vec<RoleInstance> = Role::TENANT
        .iter()
        .map(|r| RoleInstance::of_tenant(*r, tenant))
        .collect();
    out.extend(
        custom_roles::of_tenant(tx, tenant)?
            .iter()
            .map(CustomRole::instance),
    );
    for id in communities_of(tx, tenant)? {
        let at = enter(tx, me.clone(), id, false)?;
        if at.require(Operation::ViewCommunity).is_err() {
            continue;
        }
        if let Some(c) = communities::get(tx, id)? {
            out.extend(
                Role::COMMUNITY
                    .iter()
                    .map(|r| RoleInstance::of_community(*r, id, c.name.as_str())),
            );
        }
    }
    Ok(out)
}

pub async fn roles(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<RoleInstance>, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let me = own_directory(tx, caller, tenant)?;
            let all = all_roles(tx, &me)?;
            Ok(all.into_iter().skip(page.skip).take(page.count).collect())
        })
        .await
}

pub async fn role(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: Uuid,
) -> Result<RoleInstance, AppError> {
    ctx.store
        .read(move |tx| {
            let me = own_directory(tx, caller, tenant)?;
            all_roles(tx, &me)?
                .into_iter()
                .find(|r| r.id == id)
                .ok_or_else(|| AppError::not_found(format!("your tenant has no role {id}")))
        })
        .await
}

/// The ids of the tenant roles (built-in, then custom) and of the
/// community roles `who` holds.
fn role_ids(tx: &impl Readable, who: PrincipalId, holder: Holder) -> Result<Vec<Uuid>, AppError> {
    let tenant = holder.tenant;
    let mut out: Vec<Uuid> = holder
        .tenant_roles
        .roles()
        .into_iter()
        .map(|r| r.instance_id(tenant.0))
        .collect();
    out.extend(holder.custom_roles.iter().map(|c| c.0));
    for community in communities_of(tx, tenant)? {
        let held = grants::get(tx, community, tenant, who)?;
        out.extend(held.roles().into_iter().map(|r| r.instance_id(community.0)));
    }
    Ok(out)
}

pub(super) fn listed_user(tx: &impl Readable, user: User) -> Result<Listed<User>, AppError> {
    let role_ids = role_ids(tx, PrincipalId::User(user.id), user.holder())?;
    Ok(Listed {
        identity: user,
        role_ids,
    })
}

pub(super) fn listed_client(
    tx: &impl Readable,
    client: Client,
) -> Result<Listed<Client>, AppError> {
    let role_ids = role_ids(tx, PrincipalId::Client(client.id), client.holder())?;
    Ok(Listed {
        identity: client,
        role_ids,
    })
}

pub async fn users(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<Listed<User>>, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            own_directory(tx, caller, tenant)?;
            identities::user_page(tx, tenant, page)?
                .into_iter()
                .map(|u| listed_user(tx, u))
                .collect()
        })
        .await
}

pub async fn user(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: UserId,
) -> Result<Listed<User>, AppError> {
    ctx.store
        .read(move |tx| {
            own_directory(tx, caller, tenant)?;
            match identities::get_user(tx, id)? {
                Some(u) if u.tenant == tenant => listed_user(tx, u),
                _ => Err(AppError::not_found(format!("your tenant has no user {id}"))),
            }
        })
        .await
}

pub async fn clients(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    page: Page,
) -> Result<Vec<Listed<Client>>, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            own_directory(tx, caller, tenant)?;
            identities::client_page(tx, tenant, page)?
                .into_iter()
                .map(|c| listed_client(tx, c))
                .collect()
        })
        .await
}

pub async fn client(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    id: ClientId,
) -> Result<Listed<Client>, AppError> {
    ctx.store
        .read(move |tx| {
            own_directory(tx, caller, tenant)?;
            match identities::get_client(tx, id)? {
                Some(c) if c.tenant == tenant => listed_client(tx, c),
                _ => Err(AppError::not_found(format!(
                    "your tenant has no client {id}"
                ))),
            }
        })
        .await
}
