//! A namespace's default stream permissions: the access control list its
//! new streams get (SDS's `AccessControl/Streams` of the namespace), and
//! applying it to the streams that exist already. Changing it is
//! ManageAccessControl on the collection, which only Tenant Administrators
//! hold.
//!
//! The default names the tenant's own roles, users and clients. Sharing
//! into a community stays a separate act (it needs an Active membership
//! when it happens), so a default cannot name a community's roles, and
//! applying a default keeps each stream's shares as they are.

use super::sharing;
use super::stream_access::{default_acl, own_tenant, rights_on, Target};
use crate::app::access::Acting;
use crate::app::role_ids;
use crate::app::tenants::record_settings;
use crate::app::{audit, AppError, Context};
use crate::domain::ids::TenantId;
use crate::domain::role::Role;
use crate::domain::sds::acl::{rights, AccessControlList, TrusteeType};
use crate::store::{sds_streams, stream_defaults, Lane, Readable};
use serde_json::Value;
use uuid::Uuid;

/// Streams changed per transaction when a default is applied: a namespace
/// may hold many, and other writes of the tenant take turns between batches.
pub const APPLY_BATCH: usize = 200;

/// The list a new stream of the namespace gets.
pub fn for_new_stream(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
) -> Result<AccessControlList, AppError> {
    Ok(stream_defaults::get(tx, tenant, namespace)?.unwrap_or_else(|| default_acl(tenant)))
}

pub async fn get(ctx: &Context, target: Target) -> Result<AccessControlList, AppError> {
    ctx.store
        .read(move |tx| {
            own_tenant(tx, &target)?;
            for_new_stream(tx, target.tenant, &target.namespace)
        })
        .await
}

fn require_administrator(me: &Acting) -> Result<(), AppError> {
    if me.tenant_roles.contains(Role::TenantAdministrator) {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "changing the default access control list of a namespace's streams needs \
             the ManageAccessControl right on the collection, which the role Tenant \
             Administrator holds",
        ))
    }
}

/// PUT: replaces the namespace's default with `body`, an AccessControlList.
pub async fn set(ctx: &Context, target: Target, body: Value) -> Result<(), AppError> {
    let new = AccessControlList::parse(&body)?;
    let who = audit::by(ctx, target.caller);
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            let me = own_tenant(tx, &target)?;
            require_administrator(&me)?;
            let old = for_new_stream(tx, target.tenant, &target.namespace)?;
            super::role_trustees::check_role_trustees(
                &new,
                &old,
                &role_ids::of_tenant(tx, target.tenant)?,
                "a role of your tenant (a default cannot share: share each stream instead)",
            )?;
            stream_defaults::put(tx, target.tenant, &target.namespace, &new)?;
            let detail = serde_json::json!({ "StreamDefaults": target.namespace });
            record_settings(tx, &who, target.tenant, detail)
        })
        .await
}

/// What applying a default did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub changed: usize,
    /// Streams the caller may not change (no ManageAccessControl right).
    pub skipped: usize,
}

/// `default` as the list of a stream whose list is `current`: the
/// stream's shares (entries naming `community_roles`) stay.
pub fn applied_to(
    default: &AccessControlList,
    current: &AccessControlList,
    community_roles: &[Uuid],
) -> AccessControlList {
    let mut out = default.without_roles(community_roles);
    out.entries.extend(
        current
            .entries
            .iter()
            .filter(|e| {
                e.trustee.kind == TrusteeType::Role
                    && community_roles.contains(&e.trustee.object_id)
            })
            .cloned(),
    );
    out
}

/// Replaces the list of every stream of the namespace the caller may
/// change with the namespace's default, through `sharing::change_acl` as
/// any list change goes, `APPLY_BATCH` streams per transaction. Each batch
/// stands on its own: a failure leaves the batches before it applied.
pub async fn apply_to_existing(ctx: &Context, target: Target) -> Result<Applied, AppError> {
    let mut total = Applied::default();
    let mut after = String::new();
    loop {
        let (applied, last) = apply_batch(ctx, target.clone(), after.clone()).await?;
        total.changed += applied.changed;
        total.skipped += applied.skipped;
        match last {
            Some(key) => after = key,
            None => return Ok(total),
        }
    }
}

/// One batch after the stream key `after`; the last key it visited, or
/// `None` once the namespace is done.
async fn apply_batch(
    ctx: &Context,
    target: Target,
    after: String,
) -> Result<(Applied, Option<String>), AppError> {
    let now = ctx.clock.now();
    let who = audit::by(ctx, target.caller);
    ctx.store
        .write_in(Lane::Tenant(target.tenant), APPLY_BATCH as u64, move |tx| {
            let me = own_tenant(tx, &target)?;
            require_administrator(&me)?;
            let tenant = target.tenant;
            let default = for_new_stream(tx, tenant, &target.namespace)?;
            let community_roles = sharing::community_role_ids(tx, tenant)?;
            let page = sds_streams::page_of_tenant(
                tx,
                tenant,
                Some((target.namespace.as_str(), after.as_str())),
                APPLY_BATCH,
            )?;
            let full = page.len() == APPLY_BATCH;
            let mut applied = Applied::default();
            let mut last = None;
            for mut stream in page {
                if stream.namespace != target.namespace {
                    return Ok((applied, None));
                }
                last = Some(stream.key());
                let held = rights_on(&me, &stream);
                if held & rights::MANAGE_ACCESS_CONTROL == 0 {
                    applied.skipped += 1;
                    continue;
                }
                let new = applied_to(&default, &stream.acl, &community_roles);
                if new == stream.acl {
                    continue;
                }
                sharing::change_acl(tx, &who, &me, held, &mut stream, new)?;
                stream.modified = now;
                sds_streams::put(tx, tenant, &stream)?;
                applied.changed += 1;
            }
            Ok((applied, if full { last } else { None }))
        })
        .await
}
