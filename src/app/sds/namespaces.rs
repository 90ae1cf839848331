//! A tenant's namespaces and their access control lists.
//!
//! Namespaces are implicit here: any identifier works in an SDS path, and a
//! namespace exists while it holds a type, a stream, a default stream list
//! or a list of its own (`default` always exists). Each namespace's list
//! is its own, else the tenant's default for namespaces, else the built-in
//! one (Tenant Administrators hold every right, Tenant Members Read and
//! Write). The list governs the namespace itself: who sees it listed or
//! read (Read) and who changes its list (ManageAccessControl). Tenant
//! Administrators hold every right on every namespace, so a list can never
//! lock them out. Streams and types keep their own lists.

use super::access_control::{edited, AclChange};
use super::role_trustees::check_role_trustees;
use super::stream_access::{default_acl, own_tenant, rights_under, Target};
use crate::app::access::Acting;
use crate::app::role_ids;
use crate::app::tenants::record_settings;
use crate::app::{audit, AppError, Context};
use crate::domain::ids::TenantId;
use crate::domain::role::Role;
use crate::domain::sds::acl::{right_names, rights, AccessControlList};
use crate::domain::sds::DEFAULT_NAMESPACE;
use crate::store::{namespace_access, namespaces, Lane, Readable};

/// The most namespaces one list answers.
pub const MAX_LISTED: usize = 1000;

/// The rights `me` holds under `acl`: Tenant Administrators hold all.
fn rights_of(me: &Acting, acl: &AccessControlList) -> u32 {
    if me.tenant_roles.contains(Role::TenantAdministrator) {
        return rights::ALL;
    }
    rights_under(me, None, acl)
}

/// The tenant's default list for namespaces in force.
fn tenant_default(tx: &impl Readable, tenant: TenantId) -> Result<AccessControlList, AppError> {
    Ok(namespace_access::tenant_default(tx, tenant)?.unwrap_or_else(|| default_acl(tenant)))
}

/// The list in force on a namespace.
fn acl_of(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
) -> Result<AccessControlList, AppError> {
    match namespace_access::of_namespace(tx, tenant, namespace)? {
        Some(acl) => Ok(acl),
        None => tenant_default(tx, tenant),
    }
}

fn exists(tx: &impl Readable, tenant: TenantId, namespace: &str) -> Result<bool, AppError> {
    Ok(namespace == DEFAULT_NAMESPACE || namespaces::holds_anything(tx, tenant, namespace)?)
}

fn not_found(namespace: &str) -> AppError {
    AppError::not_found(format!("namespace '{namespace}' does not exist"))
}

/// A namespace of the caller's own tenant on which it holds `needed`; one
/// it may not read answers as if it did not exist.
fn own_namespace(
    tx: &impl Readable,
    target: &Target,
    needed: u32,
) -> Result<(Acting, AccessControlList), AppError> {
    let me = own_tenant(tx, target)?;
    if !exists(tx, target.tenant, &target.namespace)? {
        return Err(not_found(&target.namespace));
    }
    let acl = acl_of(tx, target.tenant, &target.namespace)?;
    let held = rights_of(&me, &acl);
    if held & rights::READ == 0 {
        return Err(not_found(&target.namespace));
    }
    if held & needed != needed {
        return Err(AppError::forbidden(format!(
            "this needs the {} right on namespace '{}'",
            right_names(needed & !held).join(", "),
            target.namespace
        )));
    }
    Ok((me, acl))
}

/// The namespaces the caller may read, `default` among them, by id.
pub async fn list(ctx: &Context, target: Target) -> Result<Vec<String>, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let me = own_tenant(tx, &target)?;
            let mut ids = namespaces::of_tenant(tx, target.tenant, MAX_LISTED)?;
            if !ids.iter().any(|n| n == DEFAULT_NAMESPACE) {
                ids.push(DEFAULT_NAMESPACE.to_string());
                ids.sort();
                ids.truncate(MAX_LISTED);
            }
            let mut out = Vec::new();
            for id in ids {
                if rights_of(&me, &acl_of(tx, target.tenant, &id)?) & rights::READ != 0 {
                    out.push(id);
                }
            }
            Ok(out)
        })
        .await
}

/// The namespace's id when it exists and the caller may read it.
pub async fn get(ctx: &Context, target: Target) -> Result<String, AppError> {
    ctx.store
        .read(move |tx| own_namespace(tx, &target, rights::READ).map(|_| target.namespace.clone()))
        .await
}

pub async fn get_acl(ctx: &Context, target: Target) -> Result<AccessControlList, AppError> {
    ctx.store
        .read(move |tx| Ok(own_namespace(tx, &target, rights::READ)?.1))
        .await
}

/// PUT or PATCH of a namespace's own list.
pub async fn change_acl(ctx: &Context, target: Target, change: AclChange) -> Result<(), AppError> {
    let max_bytes = ctx.settings.body_limit_bytes;
    let who = audit::by(ctx, target.caller);
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            let (_, old) = own_namespace(tx, &target, rights::MANAGE_ACCESS_CONTROL)?;
            let new = checked(tx, target.tenant, &old, &change, max_bytes)?;
            namespace_access::put_of_namespace(tx, target.tenant, &target.namespace, &new)?;
            let detail = serde_json::json!({ "NamespaceAccessControl": target.namespace });
            record_settings(tx, &who, target.tenant, detail)
        })
        .await
}

/// The new list, naming only the tenant's own roles (a namespace is never
/// shared into a community).
fn checked(
    tx: &impl Readable,
    tenant: TenantId,
    old: &AccessControlList,
    change: &AclChange,
    max_bytes: usize,
) -> Result<AccessControlList, AppError> {
    let new = edited(old, change, max_bytes)?;
    check_role_trustees(
        &new,
        old,
        &role_ids::of_tenant(tx, tenant)?,
        "a role of your tenant (namespaces are not shared into communities)",
    )?;
    Ok(new)
}

/// The tenant's default list for namespaces: any Tenant Member or
/// Administrator of the tenant reads it.
pub async fn get_default(ctx: &Context, target: Target) -> Result<AccessControlList, AppError> {
    ctx.store
        .read(move |tx| {
            own_tenant(tx, &target)?;
            tenant_default(tx, target.tenant)
        })
        .await
}

/// PUT or PATCH of the tenant's default list: Tenant Administrators, or
/// holders of ManageAccessControl under the default in force.
pub async fn change_default(
    ctx: &Context,
    target: Target,
    change: AclChange,
) -> Result<(), AppError> {
    let max_bytes = ctx.settings.body_limit_bytes;
    let who = audit::by(ctx, target.caller);
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            let me = own_tenant(tx, &target)?;
            let old = tenant_default(tx, target.tenant)?;
            if rights_of(&me, &old) & rights::MANAGE_ACCESS_CONTROL == 0 {
                return Err(AppError::forbidden(
                    "changing the default access control list of namespaces needs the \
                     ManageAccessControl right on it, which the role Tenant Administrator holds",
                ));
            }
            let new = checked(tx, target.tenant, &old, &change, max_bytes)?;
            namespace_access::put_tenant_default(tx, target.tenant, &new)?;
            let detail = serde_json::json!({ "NamespaceDefaultAccessControl": true });
            record_settings(tx, &who, target.tenant, detail)
        })
        .await
}
