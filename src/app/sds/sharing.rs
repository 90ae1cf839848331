//! Sharing a stream into a community is an access control entry giving the
//! community's Community Member role Read. This keeps the SHARES index in
//! step with the lists, checks who may share, and revokes shares when a
//! tenant leaves or a community is deleted (inside that same transaction).

use super::role_trustees::check_role_trustees;
use crate::app::access::Acting;
use crate::app::role_ids;
use crate::app::AppError;
use crate::domain::audit::Origin;
use crate::domain::community::Community;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::membership::CommunityTenantStatus;
use crate::domain::paging::Page;
use crate::domain::role::Role;
use crate::domain::sds::acl::{rights, AccessControlList};
use crate::domain::sds::stream::SdsStream;
use crate::store::{memberships, sds_streams, shares, Readable, WriteTx};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The roles a tenant can name in a list: its own (built-in and custom)
/// and those of the communities it is in (Active or Paused).
struct KnownRoles {
    tenant_roles: Vec<Uuid>,
    /// (role id, community, role)
    community_roles: Vec<(Uuid, CommunityId, Role)>,
}

impl KnownRoles {
    fn load(tx: &impl Readable, tenant: TenantId) -> Result<Self, AppError> {
        let all = Page {
            skip: 0,
            count: usize::MAX,
        };
        let mut community_roles = Vec::new();
        for c in memberships::communities_of_tenant(tx, tenant, all)? {
            for r in Role::COMMUNITY {
                community_roles.push((r.instance_id(c.0), c, r));
            }
        }
        Ok(Self {
            tenant_roles: role_ids::of_tenant(tx, tenant)?,
            community_roles,
        })
    }

    fn community_role_ids(&self) -> Vec<Uuid> {
        self.community_roles.iter().map(|(id, _, _)| *id).collect()
    }

    /// The communities the list shares into.
    fn shared_into(&self, acl: &AccessControlList) -> BTreeSet<CommunityId> {
        let readers = acl.roles_with_read();
        self.community_roles
            .iter()
            .filter(|(id, _, r)| *r == Role::CommunityMember && readers.contains(id))
            .map(|(_, c, _)| *c)
            .collect()
    }

    /// Every Role trustee of `new` must be a role the tenant knows (or be
    /// on `old` already, see `check_role_trustees`).
    fn check(&self, new: &AccessControlList, old: &AccessControlList) -> Result<(), AppError> {
        let mut known = self.tenant_roles.clone();
        known.extend(self.community_role_ids());
        check_role_trustees(
            new,
            old,
            &known,
            "a role of your tenant or of a community your tenant is in",
        )
    }
}

/// Replaces a stream's list with `new`, checking the rights each part of
/// the change needs, and updates the shares. The caller writes the stream.
pub fn change_acl(
    tx: &WriteTx,
    who: &Origin,
    me: &Acting,
    held: u32,
    stream: &mut SdsStream,
    new: AccessControlList,
) -> Result<(), AppError> {
    let tenant = me.caller.tenant;
    let known = KnownRoles::load(tx, tenant)?;
    known.check(&new, &stream.acl)?;
    let community_ids = known.community_role_ids();
    if stream.acl.without_roles(&community_ids) != new.without_roles(&community_ids)
        && held & rights::MANAGE_ACCESS_CONTROL == 0
    {
        return Err(AppError::forbidden(format!(
            "changing who may use stream '{}' needs the ManageAccessControl right",
            stream.id
        )));
    }
    let before = known.shared_into(&stream.acl);
    let after = known.shared_into(&new);
    if before != after && held & rights::SHARE == 0 {
        return Err(AppError::forbidden(format!(
            "sharing stream '{}' into a community, or ending a share, needs the Share right",
            stream.id
        )));
    }
    let stream_ref = shares::stream_ref(&stream.namespace, &stream.key());
    for c in after.difference(&before) {
        let status = memberships::get(tx, *c, tenant)?.map(|m| m.status);
        if status != Some(CommunityTenantStatus::Active) {
            return Err(AppError::forbidden(format!(
                "your tenant must be an Active member of community {c} to share into it (it is {})",
                status.map(|s| s.name()).unwrap_or("not a member")
            )));
        }
        shares::add(tx, *c, tenant, &stream_ref)?;
    }
    for c in before.difference(&after) {
        shares::remove(tx, *c, tenant, &stream_ref)?;
    }
    super::share_events::record(tx, who, &before, &after, &stream_ref)?;
    stream.acl = new;
    Ok(())
}

/// The communities a list shares into, among those `tenant` is in.
pub fn communities_of(
    tx: &impl Readable,
    tenant: TenantId,
    acl: &AccessControlList,
) -> Result<BTreeSet<CommunityId>, AppError> {
    Ok(KnownRoles::load(tx, tenant)?.shared_into(acl))
}

/// The role ids of the communities `tenant` is in: entries naming them
/// are shares, which a list change keeps apart from the rest.
pub fn community_role_ids(tx: &impl Readable, tenant: TenantId) -> Result<Vec<Uuid>, AppError> {
    Ok(KnownRoles::load(tx, tenant)?.community_role_ids())
}

/// A deleted stream leaves every community it was shared into.
pub fn forget_stream(tx: &WriteTx, tenant: TenantId, stream: &SdsStream) -> Result<(), AppError> {
    let known = KnownRoles::load(tx, tenant)?;
    let stream_ref = shares::stream_ref(&stream.namespace, &stream.key());
    for c in known.shared_into(&stream.acl) {
        shares::remove(tx, c, tenant, &stream_ref)?;
    }
    Ok(())
}

/// Revokes everything `tenant` shares into `community`: the entries naming
/// the community's roles leave the streams' lists and the index rows go,
/// so a tenant that returns must share again.
pub fn revoke(tx: &WriteTx, community: CommunityId, tenant: TenantId) -> Result<(), AppError> {
    let roles: Vec<Uuid> = Role::COMMUNITY
        .iter()
        .map(|r| r.instance_id(community.0))
        .collect();
    for stream_ref in shares::of_tenant(tx, community, tenant)? {
        let (namespace, key) = shares::split_ref(&stream_ref);
        if let Some(mut stream) = sds_streams::get(tx, tenant, namespace, key)? {
            stream.acl = stream.acl.without_roles(&roles);
            sds_streams::put(tx, tenant, &stream)?;
        }
        shares::remove(tx, community, tenant, &stream_ref)?;
    }
    Ok(())
}

/// A deleted community takes every share into it.
pub fn revoke_community(tx: &WriteTx, community: &Community) -> Result<(), AppError> {
    for m in memberships::of_community(tx, community.id)? {
        revoke(tx, community.id, m.tenant)?;
    }
    Ok(())
}

/// The list of a stream with its share into `community` ended (the
/// portal's Unshare). Other roles' entries stay.
pub fn without_share(acl: &AccessControlList, community: CommunityId) -> AccessControlList {
    acl.without_roles(&[Role::CommunityMember.instance_id(community.0)])
}
