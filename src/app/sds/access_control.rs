//! A stream's access control list, owner and the caller's rights on it.
//! Changes go through `sharing::change_acl`, which decides which right a
//! change needs (ManageAccessControl, or Share for community entries).

use super::sharing;
use super::stream_access::{own_stream, rights_on, Target};
use crate::app::{audit, AppError, Context};
use crate::domain::ids::CommunityId;
use crate::domain::sds::acl::{rights, AccessControlList, Trustee};
use crate::domain::sds::patch;
use crate::store::{sds_streams, Lane};
use serde_json::Value;

pub async fn get(ctx: &Context, target: Target, id: String) -> Result<AccessControlList, AppError> {
    ctx.store
        .read(move |tx| Ok(own_stream(tx, &target, &id, rights::READ)?.1.acl))
        .await
}

/// How the new list is given.
pub enum AclChange {
    /// PUT: a whole `AccessControlList`.
    Replace(Value),
    /// PATCH: a JSON Patch (RFC 6902) of the list.
    Patch(Value),
    /// The portal's Unshare: the community's entry goes.
    Unshare(CommunityId),
}

/// The list `change` makes of `current`.
pub fn edited(
    current: &AccessControlList,
    change: &AclChange,
    max_bytes: usize,
) -> Result<AccessControlList, AppError> {
    Ok(match change {
        AclChange::Replace(body) => AccessControlList::parse(body)?,
        AclChange::Patch(body) => {
            let mut doc = current.to_json();
            patch::apply(&mut doc, body.clone(), max_bytes)?;
            AccessControlList::parse(&doc)?
        }
        AclChange::Unshare(community) => sharing::without_share(current, *community),
    })
}

pub async fn change(
    ctx: &Context,
    target: Target,
    id: String,
    change: AclChange,
) -> Result<(), AppError> {
    let now = ctx.clock.now();
    let max_bytes = ctx.settings.body_limit_bytes;
    let who = audit::by(ctx, target.caller);
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            let (me, mut stream) = own_stream(tx, &target, &id, rights::READ)?;
            let held = rights_on(&me, &stream);
            // Before any work: whatever the change, it needs one of these
            // (`change_acl` then checks which one each part needs).
            if held & (rights::MANAGE_ACCESS_CONTROL | rights::SHARE) == 0 {
                return Err(AppError::forbidden(format!(
                    "changing the access control list of stream '{}' needs the \
                     ManageAccessControl or Share right",
                    stream.id
                )));
            }
            let new = edited(&stream.acl, &change, max_bytes)?;
            sharing::change_acl(tx, &who, &me, held, &mut stream, new)?;
            stream.modified = now;
            sds_streams::put(tx, target.tenant, &stream)?;
            Ok(())
        })
        .await
}

pub async fn owner(ctx: &Context, target: Target, id: String) -> Result<Option<Trustee>, AppError> {
    ctx.store
        .read(move |tx| Ok(own_stream(tx, &target, &id, rights::READ)?.1.owner))
        .await
}

pub async fn set_owner(
    ctx: &Context,
    target: Target,
    id: String,
    body: Value,
) -> Result<(), AppError> {
    let owner = parse_owner(&body)?;
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            let (_, mut stream) = own_stream(tx, &target, &id, rights::MANAGE_ACCESS_CONTROL)?;
            stream.owner = Some(owner.clone());
            sds_streams::put(tx, target.tenant, &stream)?;
            Ok(())
        })
        .await
}

/// An `Owner` body: a Trustee.
pub fn parse_owner(body: &Value) -> Result<Trustee, AppError> {
    Trustee::parse(body, "").map_err(|e| {
        AppError::invalid(
            if e.field.is_empty() {
                "body".into()
            } else {
                e.field.trim_start_matches('.').to_string()
            },
            e.reason,
        )
    })
}

pub async fn access_rights(ctx: &Context, target: Target, id: String) -> Result<u32, AppError> {
    ctx.store
        .read(move |tx| {
            let (me, stream) = own_stream(tx, &target, &id, rights::READ)?;
            Ok(rights_on(&me, &stream))
        })
        .await
}
