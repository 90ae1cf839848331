//! A Tenant Administrator reads the tenant's audit log: the events its own
//! identities made and those that changed its memberships, newest first,
//! one page at a time (a list, or each page of an export). The rights are
//! checked in every page's own read, so a role revoked during a long
//! export stops it at the next page.

use super::access::acting;
use super::context::Context;
use super::error::AppError;
use crate::domain::audit::AuditEvents;
use crate::domain::audit_query::AuditQuery;
use crate::domain::identity::Caller;
use crate::domain::ids::TenantId;
use crate::domain::permission::Operation;
use crate::store::{audit_events, Readable};

/// The caller, checked to read `tenant`'s audit log: a Tenant
/// Administrator of that very tenant.
fn auditor(tx: &impl Readable, caller: Caller, tenant: TenantId) -> Result<(), AppError> {
    let me = acting(tx, caller)?;
    if tenant != caller.tenant {
        return Err(AppError::forbidden(
            "a caller may only read its own tenant's audit log",
        ));
    }
    me.require_tenant_role(Operation::ViewAuditLog)
}

/// One page of the events `query` asks for.
pub async fn page(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    query: &AuditQuery,
) -> Result<AuditEvents, AppError> {
    shaped_page(ctx, caller, tenant, query, |found| found).await
}

/// One page, handed to `shape` on the same low-priority thread as the
/// read (an export writes its lines there), never on an HTTP worker.
pub async fn shaped_page<T: Send + 'static>(
    ctx: &Context,
    caller: Caller,
    tenant: TenantId,
    query: &AuditQuery,
    shape: impl FnOnce(AuditEvents) -> T + Send + 'static,
) -> Result<T, AppError> {
    let (filter, page) = (query.filter(), query.page());
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            auditor(tx, caller, tenant)?;
            let found = audit_events::list(tx, tenant, &filter, page)?;
            Ok(shape(found))
        })
        .await
}
