//! Community roles of a tenant's own users and clients: list, grant, revoke.
//! A tenant manages only its own identities, only in communities it is in.

use super::audit;
use super::community_access::{in_community, InCommunity};
use super::context::Context;
use super::error::AppError;
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::identity::Caller;
use crate::domain::ids::{ClientId, CommunityId, PrincipalId, PrincipalKind, TenantId, UserId};
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use crate::domain::role::{Role, RoleInstance, RoleSet};
use crate::store::{grants, identities, Readable, WriteTx};
use uuid::Uuid;

/// The community's role instances.
pub async fn roles(
    ctx: &Context,
    caller: Caller,
    community: CommunityId,
) -> Result<Vec<RoleInstance>, AppError> {
    ctx.store
        .read(move |tx| {
            let at = in_community(tx, caller, None, community)?;
            at.require(Operation::ListCommunityRoles)?;
            Ok(instances(&at))
        })
        .await
}

pub fn instances(at: &InCommunity) -> Vec<RoleInstance> {
    Role::COMMUNITY
        .iter()
        .map(|r| RoleInstance::of_community(*r, at.community.id, at.community.name.as_str()))
        .collect()
}

/// A user or client of the caller's tenant with its roles in the community.
#[derive(Clone, Debug)]
pub struct Holder {
    pub id: PrincipalId,
    /// A user's email or a client's name.
    pub label: String,
    pub roles: RoleSet,
}

fn label_of(tx: &impl Readable, id: PrincipalId) -> Result<Option<(TenantId, String)>, AppError> {
    Ok(match id {
        PrincipalId::User(u) => {
            identities::get_user(tx, u)?.map(|u| (u.tenant, u.email.to_string()))
        }
        PrincipalId::Client(c) => identities::get_client(tx, c)?.map(|c| (c.tenant, c.name)),
    })
}

pub async fn holders(
    ctx: &Context,
    caller: Caller,
    path_tenant: TenantId,
    community: CommunityId,
    kind: PrincipalKind,
    page: Page,
) -> Result<Vec<Holder>, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let at = in_community(tx, caller, Some(path_tenant), community)?;
            at.require(Operation::ViewCommunity)?;
            let mut out = Vec::new();
            let held = grants::of_tenant(tx, community, caller.tenant)?;
            for (id, roles) in held
                .into_iter()
                .filter(|(p, _)| p.kind() == kind)
                .skip(page.skip)
                .take(page.count)
            {
                if let Some((_, label)) = label_of(tx, id)? {
                    out.push(Holder { id, label, roles });
                }
            }
            Ok(out)
        })
        .await
}

pub async fn holder_count(
    ctx: &Context,
    caller: Caller,
    path_tenant: TenantId,
    community: CommunityId,
    kind: PrincipalKind,
) -> Result<u32, AppError> {
    ctx.store
        .read(move |tx| {
            let at = in_community(tx, caller, Some(path_tenant), community)?;
            at.require(Operation::ViewCommunity)?;
            let (users, clients) = grants::counts(tx, community, caller.tenant)?;
            Ok(if kind == PrincipalKind::User {
                users
            } else {
                clients
            })
        })
        .await
}

fn principal(kind: PrincipalKind, id: Uuid) -> PrincipalId {
    match kind {
        PrincipalKind::User => PrincipalId::User(UserId(id)),
        PrincipalKind::Client => PrincipalId::Client(ClientId(id)),
    }
}

/// The identity must be one of the caller's own tenant.
fn own_identity(tx: &impl Readable, at: &InCommunity, id: PrincipalId) -> Result<String, AppError> {
    match label_of(tx, id)? {
        Some((tenant, label)) if tenant == at.me.caller.tenant => Ok(label),
        _ => Err(AppError::not_found(format!(
            "your tenant has no {} with id {}",
            if id.kind() == PrincipalKind::User {
                "user"
            } else {
                "client"
            },
            id.as_uuid()
        ))),
    }
}

/// Checks the caller may give or take every role in `changed`.
fn check_may_change(at: &InCommunity, changed: RoleSet) -> Result<(), AppError> {
    at.require(Operation::GrantCommunityRoles)?;
    if changed.contains(Role::CommunityAdministrator) {
        at.require(Operation::GrantCommunityAdministrator)?;
    }
    Ok(())
}

fn parse_roles(community: CommunityId, ids: &[String]) -> Result<RoleSet, AppError> {
    let mut set = RoleSet::EMPTY;
    for (i, text) in ids.iter().enumerate() {
        let role = Uuid::try_parse(text.trim())
            .ok()
            .and_then(|id| Role::COMMUNITY.into_iter().find(|r| r.instance_id(community.0) == id))
            .ok_or_else(|| AppError::invalid(format!("[{i}]"), format!("'{text}' is not a role id of this community (see .../Communities/{community}/Roles)")))?;
        set = set.with(role);
    }
    if !set.contains(Role::CommunityMember) {
        return Err(AppError::invalid(
            "body",
            "the Community Member role id is always required",
        ));
    }
    Ok(set)
}

/// Sets an identity's roles in the community (none: revoked). Returns what
/// it held before and the identity's label.
fn set_roles(
    tx: &WriteTx,
    origin: &Origin,
    caller: Caller,
    path_tenant: TenantId,
    community: CommunityId,
    who: PrincipalId,
    roles: RoleSet,
) -> Result<(RoleSet, String), AppError> {
    let at = in_community(tx, caller, Some(path_tenant), community)?;
    // The right to manage roles at all comes before looking the identity up.
    at.require(Operation::GrantCommunityRoles)?;
    let label = own_identity(tx, &at, who)?;
    let before = grants::get(tx, community, caller.tenant, who)?;
    check_may_change(&at, RoleSet::from_bits(before.bits() ^ roles.bits()))?;
    grants::set(tx, community, caller.tenant, who, roles)?;
    if before != roles {
        let kind = if roles.is_empty() {
            AuditKind::CommunityRoleRevoked
        } else {
            AuditKind::CommunityRoleGranted
        };
        let detail = serde_json::json!({
            "Identity": label,
            "Before": before.names(),
            "After": roles.names(),
        });
        let subject = Subject::community_roles(community, who);
        audit::record(tx, origin, kind, subject, detail, &[])?;
    }
    Ok((before, label))
}

/// Grants exactly `role_ids`. Returns whether the identity was added (it
/// held none before) and the holder as now stored.
pub async fn put_roles(
    ctx: &Context,
    caller: Caller,
    path_tenant: TenantId,
    community: CommunityId,
    kind: PrincipalKind,
    id: Uuid,
    role_ids: Vec<String>,
) -> Result<(bool, Holder), AppError> {
    let roles = parse_roles(community, &role_ids)?;
    let who = principal(kind, id);
    let origin = audit::by(ctx, caller);
    let (before, label) = ctx
        .store
        .write(move |tx| set_roles(tx, &origin, caller, path_tenant, community, who, roles))
        .await?;
    Ok((
        before.is_empty(),
        Holder {
            id: who,
            label,
            roles,
        },
    ))
}

pub async fn revoke(
    ctx: &Context,
    caller: Caller,
    path_tenant: TenantId,
    community: CommunityId,
    kind: PrincipalKind,
    id: Uuid,
) -> Result<(), AppError> {
    let who = principal(kind, id);
    let origin = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            set_roles(
                tx,
                &origin,
                caller,
                path_tenant,
                community,
                who,
                RoleSet::EMPTY,
            )
        })
        .await
        .map(|_| ())
}
