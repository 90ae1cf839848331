//! Sharing from the portal: several streams of a namespace into one
//! community at once, and where one stream is shared. Each share is the
//! same list change the API makes (`sharing::change_acl`: the Share right,
//! an Active membership), all of them in one transaction, so a refusal of
//! any leaves every stream as it was.

use super::sharing;
use super::stream_access::{own_stream, rights_on, Target};
use crate::app::community_access::enter;
use crate::app::{audit, AppError, Context};
use crate::domain::ids::CommunityId;
use crate::domain::role::Role;
use crate::domain::sds::acl::{
    rights, AccessControlEntry, AccessControlList, AccessType, Trustee, TrusteeType,
};
use crate::store::{communities, sds_streams, Lane};

/// The most streams one share request names: each is a list change in
/// the one transaction.
pub const MAX_STREAMS_PER_SHARE: usize = 100;

/// A community a stream is shared into, as people know it.
#[derive(Clone, Debug)]
pub struct StreamCommunity {
    pub id: CommunityId,
    pub name: String,
}

/// The communities the caller's own stream is shared into (the Read right
/// on it is needed, as for its list).
pub async fn communities_of_stream(
    ctx: &Context,
    target: Target,
    id: String,
) -> Result<Vec<StreamCommunity>, AppError> {
    ctx.store
        .read(move |tx| {
            let (_, stream) = own_stream(tx, &target, &id, rights::READ)?;
            let mut out = Vec::new();
            for c in sharing::communities_of(tx, target.tenant, &stream.acl)? {
                if let Some(found) = communities::get(tx, c)? {
                    out.push(StreamCommunity {
                        id: c,
                        name: found.name.as_str().to_string(),
                    });
                }
            }
            Ok(out)
        })
        .await
}

/// `acl` with Read given to the community's Community Member role (as the
/// SDK's share adds it); unchanged if that role reads already.
pub fn with_share(acl: &AccessControlList, community: CommunityId) -> AccessControlList {
    let role = Role::CommunityMember.instance_id(community.0);
    if acl.roles_with_read().contains(&role) {
        return acl.clone();
    }
    let mut out = acl.without_roles(&[role]);
    out.entries.push(AccessControlEntry {
        trustee: Trustee {
            kind: TrusteeType::Role,
            object_id: role,
            tenant_id: None,
        },
        access_type: AccessType::Allowed,
        rights: rights::READ,
    });
    out
}

/// One share request names at least one stream and at most
/// `MAX_STREAMS_PER_SHARE`; a 400 naming `streams` otherwise.
pub fn check_count(n: usize) -> Result<(), AppError> {
    if n == 0 {
        return Err(AppError::invalid("streams", "choose at least one stream"));
    }
    if n > MAX_STREAMS_PER_SHARE {
        return Err(AppError::invalid(
            "streams",
            format!("at most {MAX_STREAMS_PER_SHARE} streams can be shared at once"),
        ));
    }
    Ok(())
}

/// Shares the streams `ids` of the target's namespace into `community`:
/// all of them or, if any is refused, none. Returns how many changed.
pub async fn share(
    ctx: &Context,
    target: Target,
    community: CommunityId,
    ids: Vec<String>,
) -> Result<usize, AppError> {
    check_count(ids.len())?;
    let now = ctx.clock.now();
    let cost = ids.len() as u64;
    let who = audit::by(ctx, target.caller);
    ctx.store
        .write_in(Lane::Tenant(target.tenant), cost, move |tx| {
            // A community the tenant is not in answers 404, as the
            // community's own pages do; Paused is refused by `change_acl`.
            let me = crate::app::access::acting(tx, target.caller)?;
            enter(tx, me, community, false)?;
            let mut changed = 0;
            for id in &ids {
                let (me, mut stream) = own_stream(tx, &target, id, rights::READ)?;
                let held = rights_on(&me, &stream);
                let new = with_share(&stream.acl, community);
                if new == stream.acl {
                    continue;
                }
                sharing::change_acl(tx, &who, &me, held, &mut stream, new)?;
                stream.modified = now;
                sds_streams::put(tx, target.tenant, &stream)?;
                changed += 1;
            }
            Ok(changed)
        })
        .await
}
