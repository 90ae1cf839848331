//! Who may do what to a stream. In its own tenant an identity holds the
//! rights its access control list gives (the owner holds all); through a
//! community (a `community-id` header or the community-scoped route) a
//! holder of Community Member reads, never writes, and only while the
//! stream is shared there and both tenants' shares are visible (see
//! `visibility`).

use crate::app::access::{acting, Acting};
use crate::app::community_access::enter;
use crate::app::sds::visibility;
use crate::app::AppError;
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, PrincipalId, TenantId};
use crate::domain::role::Role;
use crate::domain::sds::acl::{
    rights, AccessControlEntry, AccessControlList, AccessType, Subject, Trustee, TrusteeType,
};
use crate::domain::sds::identifier;
use crate::domain::sds::stream::SdsStream;
use crate::store::{sds_streams, shares, Readable};
use uuid::Uuid;

/// Where a request points: a stream (or collection) of a tenant's
/// namespace, reached directly or through a community.
#[derive(Clone, Debug)]
pub struct Target {
    pub caller: Caller,
    pub tenant: TenantId,
    pub namespace: String,
    pub via: Option<CommunityId>,
}

impl Target {
    pub fn new(
        caller: Caller,
        tenant: TenantId,
        namespace: &str,
        via: Option<CommunityId>,
    ) -> Result<Self, AppError> {
        identifier::validate(namespace).map_err(|r| AppError::invalid("namespaceId", r))?;
        Ok(Self {
            caller,
            tenant,
            namespace: identifier::key(namespace),
            via,
        })
    }
}

/// The tenant roles an identity holds, built-in and custom, as the
/// trustee ids a Role entry names.
pub fn tenant_role_ids(me: &Acting) -> Vec<Uuid> {
    let mut out: Vec<Uuid> = Role::TENANT
        .into_iter()
        .filter(|r| me.tenant_roles.contains(*r))
        .map(|r| r.instance_id(me.tenant.id.0))
        .collect();
    out.extend(me.custom_roles.iter().map(|c| c.0));
    out
}

pub fn subject_kind(principal: PrincipalId) -> TrusteeType {
    match principal {
        PrincipalId::User(_) => TrusteeType::User,
        PrincipalId::Client(_) => TrusteeType::Client,
    }
}

/// A new stream's list: Tenant Administrators hold every right, Tenant
/// Members read and write; the creator owns it.
pub fn default_acl(tenant: TenantId) -> AccessControlList {
    let role = |r: Role, rights| AccessControlEntry {
        trustee: Trustee {
            kind: TrusteeType::Role,
            object_id: r.instance_id(tenant.0),
            tenant_id: None,
        },
        access_type: AccessType::Allowed,
        rights,
    };
    AccessControlList {
        entries: vec![
            role(Role::TenantAdministrator, rights::ALL),
            role(Role::TenantMember, rights::READ | rights::WRITE),
        ],
    }
}

pub fn owner_of(caller: Caller) -> Trustee {
    Trustee {
        kind: subject_kind(caller.principal),
        object_id: caller.principal.as_uuid(),
        tenant_id: Some(caller.tenant.0),
    }
}

/// The rights `me` holds on `stream` in its own tenant.
pub fn rights_on(me: &Acting, stream: &SdsStream) -> u32 {
    rights_under(me, stream.owner.as_ref(), &stream.acl)
}

/// The rights `me` holds on an item of its own tenant (a stream or a type)
/// with this owner and list: the owner holds all.
pub fn rights_under(me: &Acting, owner: Option<&Trustee>, acl: &AccessControlList) -> u32 {
    let kind = subject_kind(me.caller.principal);
    let id = me.caller.principal.as_uuid();
    if owner.is_some_and(|o| o.kind == kind && o.object_id == id) {
        return rights::ALL;
    }
    let roles = tenant_role_ids(me);
    acl.rights_of(&Subject {
        kind,
        id,
        roles: &roles,
    })
}

/// The caller in its own tenant's data: the path's tenant must be its own.
pub fn own_tenant(tx: &impl Readable, target: &Target) -> Result<Acting, AppError> {
    if let Some(c) = target.via {
        return Err(AppError::forbidden(format!(
            "streams shared through community {c} are read-only"
        )));
    }
    if target.tenant != target.caller.tenant {
        return Err(AppError::forbidden(
            "the tenant in the path must be the caller's own tenant; send a community-id header to read a stream shared with you",
        ));
    }
    let me = acting(tx, target.caller)?;
    if !uses_own_data(&me) {
        return Err(AppError::forbidden(
            "this requires the role Tenant Member or Tenant Administrator",
        ));
    }
    Ok(me)
}

/// Only Tenant Members and Tenant Administrators use their tenant's data.
pub fn uses_own_data(me: &Acting) -> bool {
    me.tenant_roles.contains(Role::TenantAdministrator)
        || me.tenant_roles.contains(Role::TenantMember)
}

/// Whether `me` may read `stream` of its own tenant, by the rules of
/// `own_stream` (for lists that show streams without reading them).
pub fn may_read_own(me: &Acting, stream: &SdsStream) -> bool {
    uses_own_data(me) && rights_on(me, stream) & rights::READ != 0
}

fn not_found(id: &str) -> AppError {
    AppError::not_found(format!("stream '{id}' does not exist"))
}

/// A stream of the caller's own tenant on which it holds `needed`.
pub fn own_stream(
    tx: &impl Readable,
    target: &Target,
    id: &str,
    needed: u32,
) -> Result<(Acting, SdsStream), AppError> {
    let me = own_tenant(tx, target)?;
    let stream =
        sds_streams::get(tx, target.tenant, &target.namespace, id)?.ok_or_else(|| not_found(id))?;
    let held = rights_on(&me, &stream);
    if held & rights::READ == 0 {
        // Nothing to see: as if it did not exist.
        return Err(not_found(id));
    }
    if held & needed != needed {
        return Err(AppError::forbidden(format!(
            "this needs the {} right on stream '{}'",
            crate::domain::sds::acl::right_names(needed & !held).join(", "),
            stream.id
        )));
    }
    Ok((me, stream))
}

/// A stream to read: the caller's own (Read right) or one shared with it
/// through the target's community.
pub fn readable_stream(
    tx: &impl Readable,
    target: &Target,
    id: &str,
) -> Result<SdsStream, AppError> {
    match target.via {
        None => own_stream(tx, target, id, rights::READ).map(|(_, s)| s),
        Some(community) => shared_stream(
            tx,
            target.caller,
            community,
            target.tenant,
            &target.namespace,
            id,
        ),
    }
}

/// The community side of reading: the caller holds Community Member, both
/// tenants' shares are visible (`visibility`: Active members, Active
/// tenants), and the stream is shared there. Hidden streams answer 404, as
/// if absent.
pub fn shared_stream(
    tx: &impl Readable,
    caller: Caller,
    community: CommunityId,
    owner: TenantId,
    namespace: &str,
    id: &str,
) -> Result<SdsStream, AppError> {
    let at = enter(tx, acting(tx, caller)?, community, false)?;
    if !at.roles.contains(Role::CommunityMember) {
        return Err(AppError::forbidden(
            "reading shared streams requires the role Community Member",
        ));
    }
    let hidden = || {
        AppError::not_found(format!(
            "stream '{id}' is not shared with you in community {community}"
        ))
    };
    if !visibility::reader_sees(&at) || visibility::shown_sharer(tx, community, owner)?.is_none() {
        return Err(hidden());
    }
    let stream_ref = shares::stream_ref(namespace, &identifier::key(id));
    if !shares::contains(tx, community, owner, &stream_ref)? {
        return Err(hidden());
    }
    sds_streams::get(tx, owner, namespace, id)?.ok_or_else(hidden)
}
