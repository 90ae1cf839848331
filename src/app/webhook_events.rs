//! Queues webhook deliveries for a recorded change, in the transaction that
//! makes it (`audit::record` calls this): if the change rolls back, nothing
//! is sent, and no change commits without its deliveries.
//!
//! A change of a community goes to every enabled endpoint subscribed to its
//! kind, of every tenant that is a member (in any state) and of every
//! tenant the change touched, so a tenant removed or leaving hears of its
//! own departure. Most tenants have no endpoint: that costs one index
//! range per tenant (one query on PostgreSQL) and nothing more.
//!
//! The body names the event, the community, the tenants involved and the
//! time; it never carries a link token, a secret or an email address.

use crate::domain::audit::AuditEvent;
use crate::domain::ids::{CommunityId, InvitationId, TenantId};
use crate::domain::webhook::WebhookEndpoint;
use crate::domain::webhook_delivery::WebhookDelivery;
use crate::store::{communities, invitations, memberships, tenants, webhooks, StoreError, WriteTx};
use chrono::SecondsFormat;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// What a change is about, read from its audit subject.
struct About {
    community: CommunityId,
    invitation: Option<InvitationId>,
    /// `namespace/stream` of a share.
    stream: Option<String>,
    /// Tenants the subject itself names (a membership's, an invitation's).
    tenants: Vec<TenantId>,
}

/// Queues one delivery per endpoint that wants `event`.
pub fn enqueue(tx: &WriteTx, event: &AuditEvent) -> Result<(), StoreError> {
    if !event.kind.is_webhook_event() {
        return Ok(());
    }
    let Some(about) = about(tx, event)? else {
        return Ok(());
    };
    let mut audience: BTreeSet<TenantId> = memberships::of_community(tx, about.community)?
        .iter()
        .map(|m| m.tenant)
        .collect();
    audience.extend(event.visible_to.iter().copied());
    audience.extend(about.tenants.iter().copied());
    let audience: Vec<TenantId> = audience.into_iter().collect();
    let endpoints: Vec<WebhookEndpoint> = webhooks::of_tenants(tx, &audience)?
        .into_iter()
        .filter(|e| e.wants(event.kind))
        .collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    let body = body(tx, event, &about)?.to_string();
    for endpoint in endpoints {
        let delivery = WebhookDelivery::new(
            endpoint.id,
            endpoint.tenant,
            event.kind,
            body.clone(),
            event.at,
        );
        webhooks::put_delivery(tx, &delivery)?;
    }
    Ok(())
}

/// The community (and invitation, stream, tenants) an event's subject
/// names; `None` for a subject that names no community.
fn about(tx: &WriteTx, event: &AuditEvent) -> Result<Option<About>, StoreError> {
    let subject = &event.subject;
    let community_of = |text: &str| CommunityId::parse(text.split('/').next().unwrap_or_default());
    let mut about = About {
        community: CommunityId(uuid::Uuid::nil()),
        invitation: None,
        stream: None,
        tenants: Vec::new(),
    };
    match subject.kind.as_str() {
        "Community" => {
            about.community = match community_of(&subject.id) {
                Some(c) => c,
                None => return Ok(None),
            }
        }
        "Membership" => {
            let Some((community, tenant)) = subject.id.split_once('/') else {
                return Ok(None);
            };
            let (Some(community), Some(tenant)) =
                (CommunityId::parse(community), TenantId::parse(tenant))
            else {
                return Ok(None);
            };
            about.community = community;
            about.tenants.push(tenant);
        }
        "Share" => {
            let Some((community, stream)) = subject.id.split_once('/') else {
                return Ok(None);
            };
            let Some(community) = CommunityId::parse(community) else {
                return Ok(None);
            };
            about.community = community;
            about.stream = Some(stream.to_string());
        }
        "Invitation" => {
            let Some(id) = InvitationId::parse(&subject.id) else {
                return Ok(None);
            };
            let Some(inv) = invitations::get(tx, id)? else {
                return Ok(None);
            };
            about.community = inv.community;
            about.invitation = Some(id);
            about.tenants.push(inv.issuing_tenant);
            about.tenants.extend(inv.invited_tenant);
        }
        _ => return Ok(None),
    }
    Ok(Some(about))
}

/// The JSON body: `type`, `timestamp` and `data` as Standard Webhooks
/// receivers expect.
fn body(tx: &WriteTx, event: &AuditEvent, about: &About) -> Result<Value, StoreError> {
    let mut data = Map::new();
    data.insert("CommunityId".into(), json!(about.community));
    let community = communities::get(tx, about.community)?;
    data.insert(
        "CommunityName".into(),
        json!(community.map(|c| c.name.as_str().to_string())),
    );
    let mut involved: Vec<TenantId> = about.tenants.clone();
    involved.extend(event.visible_to.iter().copied());
    involved.sort();
    involved.dedup();
    let mut shown = Vec::with_capacity(involved.len());
    for tenant in involved {
        let name = tenants::get(tx, tenant)?.map(|t| t.company_name);
        shown.push(json!({ "Id": tenant, "Name": name }));
    }
    data.insert("Tenants".into(), Value::Array(shown));
    if let Some(invitation) = about.invitation {
        data.insert("InvitationId".into(), json!(invitation));
    }
    if let Some(stream) = &about.stream {
        data.insert("StreamId".into(), json!(stream));
    }
    if let Some(actor) = &event.actor {
        data.insert("ActorTenantId".into(), json!(actor.tenant));
    }
    Ok(json!({
        "type": event.kind.name(),
        "timestamp": event.at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "data": data,
    }))
}
