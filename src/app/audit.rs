//! Recording changes in the audit log, in the transaction that makes them:
//! if the change rolls back, so does its event, and no change commits
//! without one.
//!
//! Who made a change is known to the use case (its caller); where from
//! and in which request only to the web layer, which runs every request
//! inside `serving`. A use case takes its `Origin` in its async part,
//! before its transaction runs on another thread where the request is not
//! known.

use super::context::Context;
use super::error::AppError;
use crate::domain::audit::{bounded, Actor, AuditEvent, AuditKind, Origin, Subject, MAX_NAME};
use crate::domain::identity::Caller;
use crate::domain::ids::{PrincipalId, TenantId};
use crate::store::{audit_events, identities, StoreError, WriteTx};
use chrono::{DateTime, Utc};
use std::future::Future;
use std::net::IpAddr;

/// What the web layer knows of the request being served.
#[derive(Clone, Debug)]
pub struct Request {
    pub operation_id: String,
    /// The client's address, as trusted proxies name it.
    pub address: Option<IpAddr>,
}

tokio::task_local! {
    static REQUEST: Request;
}

/// Runs `f` (a request's handling) knowing `request`.
pub async fn serving<F: Future>(request: Request, f: F) -> F::Output {
    REQUEST.scope(request, f).await
}

/// The request being served, if any (none for the command line and the
/// background sweeps).
pub fn request() -> Option<Request> {
    REQUEST.try_with(Request::clone).ok()
}

/// Where a change by `actor` (none: the operator or the service itself)
/// comes from, now.
pub fn origin(ctx: &Context, actor: Option<Actor>) -> Origin {
    let request = request();
    let address = request.as_ref().and_then(|r| r.address);
    let operation_id = request.map(|r| r.operation_id).unwrap_or_default();
    Origin::new(actor, ctx.clock.now(), address, operation_id)
}

/// Where a change by the API's or the portal's caller comes from, now.
pub fn by(ctx: &Context, caller: Caller) -> Origin {
    origin(ctx, Some(Actor::of(caller)))
}

/// Where a change made at the command line comes from: the operator, who
/// has no identity in any tenant.
pub fn by_operator(at: DateTime<Utc>) -> Origin {
    Origin::new(None, at, None, String::new())
}

/// Appends one event for a change made in `tx`. It is visible to the
/// actor's tenant and to `touched` (every tenant whose membership the
/// change affects). `detail` says what changed, in a few names and
/// values; it is cut if long.
pub fn record(
    tx: &WriteTx,
    who: &Origin,
    kind: AuditKind,
    subject: Subject,
    detail: serde_json::Value,
    touched: &[TenantId],
) -> Result<(), StoreError> {
    let mut event = AuditEvent::new(who, kind, subject, &detail, touched);
    if let Some(actor) = &mut event.actor {
        if actor.name.is_none() {
            actor.name = name_of(tx, actor.principal)?;
        }
    }
    audit_events::append(tx, &event)?;
    super::webhook_events::enqueue(tx, &event)
}

/// A user's email or a client's name, as stored now.
pub fn name_of(tx: &WriteTx, principal: PrincipalId) -> Result<Option<String>, StoreError> {
    let name = match principal {
        PrincipalId::User(id) => identities::get_user(tx, id)?.map(|u| u.email.to_string()),
        PrincipalId::Client(id) => identities::get_client(tx, id)?.map(|c| c.name),
    };
    Ok(name.map(|n| bounded(&n, MAX_NAME)))
}

/// The API or portal caller behind `who`, for a use case that checks its
/// rights by it.
pub fn caller(who: &Origin) -> Result<Caller, AppError> {
    caller_or_operator(who)
        .ok_or_else(|| AppError::Unexpected("a change by a caller names no caller".into()))
}

/// The caller behind `who`, or `None` for the operator.
pub fn caller_or_operator(who: &Origin) -> Option<Caller> {
    who.actor.as_ref().map(|a| Caller {
        principal: a.principal,
        tenant: a.tenant,
    })
}

/// A failed sign-in against `tenant`, in a small transaction of its own
/// (the attempt changed nothing). Called only where the sign-in throttle
/// counts the failure, so an attacker writes no more events than the
/// throttle lets them make attempts. The tenant sees it; nobody is its
/// actor.
pub async fn sign_in_failed(
    ctx: &Context,
    tenant: TenantId,
    subject: Subject,
    detail: serde_json::Value,
) -> Result<(), StoreError> {
    let who = origin(ctx, None);
    ctx.store
        .write(move |tx| {
            let kind = AuditKind::SignInFailed;
            record(tx, &who, kind, subject.clone(), detail.clone(), &[tenant])
        })
        .await
}

/// A sign-in by `who`'s actor, recorded in the transaction that starts
/// its session or issues its token.
pub fn sign_in_succeeded(tx: &WriteTx, who: &Origin, method: &str) -> Result<(), StoreError> {
    let Some(actor) = &who.actor else {
        return Ok(());
    };
    let subject = Subject::principal(actor.principal);
    let detail = serde_json::json!({ "Method": method });
    record(tx, who, AuditKind::SignInSucceeded, subject, detail, &[])
}
