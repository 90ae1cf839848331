//! Who may do what to a type, as for streams (`stream_access`): in its own
//! tenant an identity holds the rights the type's access control list gives
//! (the owner holds all). Reading needs Read, deleting Delete, changing the
//! list or the owner ManageAccessControl. A type is never shared, so its
//! list names only the tenant's own roles and identities. A type stored
//! before types had lists is under the tenant's default list until its
//! list is first changed.

use super::access_control::{edited, parse_owner, AclChange};
use super::role_trustees::check_role_trustees;
use super::stream_access::{default_acl, own_tenant, rights_under, uses_own_data, Target};
use crate::app::access::Acting;
use crate::app::role_ids;
use crate::app::{AppError, Context};
use crate::domain::ids::TenantId;
use crate::domain::sds::acl::{right_names, rights, AccessControlList, Trustee};
use crate::domain::sds::sds_type::SdsType;
use crate::store::{sds_types, Lane, Readable};
use serde_json::Value;

/// The list in force on `t`.
pub fn acl_of(t: &SdsType, tenant: TenantId) -> AccessControlList {
    t.acl.clone().unwrap_or_else(|| default_acl(tenant))
}

/// The rights `me` holds on `t` of its own tenant.
pub fn rights_on_type(me: &Acting, t: &SdsType) -> u32 {
    rights_under(me, t.owner.as_ref(), &acl_of(t, me.tenant.id))
}

/// Whether `me` may see `t` (for lists, which leave out what it may not).
pub fn may_read_type(me: &Acting, t: &SdsType) -> bool {
    uses_own_data(me) && rights_on_type(me, t) & rights::READ != 0
}

fn not_found(id: &str) -> AppError {
    AppError::not_found(format!("type '{id}' does not exist"))
}

/// A type of the caller's own tenant on which it holds `needed`. One it
/// may not read answers as if it did not exist.
pub fn own_type(
    tx: &impl Readable,
    target: &Target,
    id: &str,
    needed: u32,
) -> Result<(Acting, SdsType), AppError> {
    let me = own_tenant(tx, target)?;
    let found =
        sds_types::get(tx, target.tenant, &target.namespace, id)?.ok_or_else(|| not_found(id))?;
    let held = rights_on_type(&me, &found);
    if held & rights::READ == 0 {
        return Err(not_found(id));
    }
    if held & needed != needed {
        return Err(AppError::forbidden(format!(
            "this needs the {} right on type '{}'",
            right_names(needed & !held).join(", "),
            found.id
        )));
    }
    Ok((me, found))
}

// ---- The type's list, owner and the caller's rights, through the API ----

pub async fn get_acl(
    ctx: &Context,
    target: Target,
    id: String,
) -> Result<AccessControlList, AppError> {
    ctx.store
        .read(move |tx| {
            let (_, t) = own_type(tx, &target, &id, rights::READ)?;
            Ok(acl_of(&t, target.tenant))
        })
        .await
}

pub async fn change_acl(
    ctx: &Context,
    target: Target,
    id: String,
    change: AclChange,
) -> Result<(), AppError> {
    let (now, max_bytes) = (ctx.clock.now(), ctx.settings.body_limit_bytes);
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            let (_, mut t) = own_type(tx, &target, &id, rights::MANAGE_ACCESS_CONTROL)?;
            let old = acl_of(&t, target.tenant);
            let new = edited(&old, &change, max_bytes)?;
            check_role_trustees(
                &new,
                &old,
                &role_ids::of_tenant(tx, target.tenant)?,
                "a role of your tenant (types are not shared into communities)",
            )?;
            t.acl = Some(new);
            t.modified = now;
            sds_types::put(tx, target.tenant, &target.namespace, &t)?;
            Ok(())
        })
        .await
}

pub async fn owner(ctx: &Context, target: Target, id: String) -> Result<Option<Trustee>, AppError> {
    ctx.store
        .read(move |tx| Ok(own_type(tx, &target, &id, rights::READ)?.1.owner))
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
            let (_, mut t) = own_type(tx, &target, &id, rights::MANAGE_ACCESS_CONTROL)?;
            // The list in force stays in force when a stored-before type
            // gets an owner.
            t.acl = Some(acl_of(&t, target.tenant));
            t.owner = Some(owner.clone());
            sds_types::put(tx, target.tenant, &target.namespace, &t)?;
            Ok(())
        })
        .await
}

pub async fn access_rights(ctx: &Context, target: Target, id: String) -> Result<u32, AppError> {
    ctx.store
        .read(move |tx| {
            let (me, t) = own_type(tx, &target, &id, rights::READ)?;
            Ok(rights_on_type(&me, &t))
        })
        .await
}
