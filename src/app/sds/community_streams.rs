//! What a community shares: the stream search (with the summary's
//! membership checks) and, for the portal, each tenant's shared streams.

use crate::app::access::acting;
use crate::app::community_access::{check_path_tenant, enter, InCommunity};
use crate::app::{AppError, Context};
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::membership::CommunityTenantStatus;
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use crate::domain::role::Role;
use crate::domain::sds::search::{SearchQuery, Searchable};
use crate::domain::sds::stream::SdsStream;
use crate::store::{memberships, sds_streams, shares, tenants, Readable};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// One search hit.
#[derive(Clone, Debug)]
pub struct SharedStream {
    pub community: CommunityId,
    pub tenant: TenantId,
    pub tenant_name: String,
    pub stream: SdsStream,
}

/// Searches the streams shared into `community` that the caller can read:
/// its tenant and the sharing tenant Active, and the caller holding
/// Community Member. Others in the community get an empty list.
pub async fn search(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
    query: SearchQuery,
    page: Page,
    only_tenant: Option<TenantId>,
) -> Result<Vec<SharedStream>, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            check_path_tenant(caller, path_tenant)?;
            let at = enter(tx, acting(tx, caller)?, community, false)?;
            at.require(Operation::ViewSummary)?;
            if !can_see_shares(&at) {
                return Ok(Vec::new());
            }
            let mut out = Vec::new();
            let mut skip = page.skip;
            for hit in visible(tx, community)? {
                if only_tenant.is_some_and(|t| t != hit.tenant) {
                    continue;
                }
                let s = &hit.stream;
                let searchable = Searchable {
                    id: &s.id,
                    name: &s.name,
                    description: &s.description,
                    type_id: &s.type_id,
                };
                if !query.matches(&searchable) {
                    continue;
                }
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                out.push(hit);
                if out.len() >= page.count {
                    break;
                }
            }
            Ok(out)
        })
        .await
}

fn can_see_shares(at: &InCommunity) -> bool {
    at.roles.contains(Role::CommunityMember)
        && at.membership.status == CommunityTenantStatus::Active
}

/// The shares of Active member tenants, tenant by tenant.
fn visible(tx: &impl Readable, community: CommunityId) -> Result<Vec<SharedStream>, AppError> {
    let mut active: HashMap<TenantId, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    for (tenant, stream_ref) in shares::of_community(tx, community)? {
        if let std::collections::hash_map::Entry::Vacant(slot) = active.entry(tenant) {
            let is_active = memberships::get(tx, community, tenant)?
                .is_some_and(|m| m.status == CommunityTenantStatus::Active);
            let name = if is_active {
                Some(
                    tenants::get(tx, tenant)?
                        .map(|t| t.company_name)
                        .unwrap_or_default(),
                )
            } else {
                None
            };
            slot.insert(name);
        }
        let Some(Some(tenant_name)) = active.get(&tenant) else {
            continue;
        };
        let (namespace, key) = shares::split_ref(&stream_ref);
        if let Some(stream) = sds_streams::get(tx, tenant, namespace, key)? {
            out.push(SharedStream {
                community,
                tenant,
                tenant_name: tenant_name.clone(),
                stream,
            });
        }
    }
    Ok(out)
}

/// A shared stream as the portal's Tenants tab lists it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ShareRow {
    pub namespace: String,
    pub id: String,
    pub name: String,
    pub last_write: Option<DateTime<Utc>>,
}

/// Every tenant's shares in a community the viewer's tenant is in (paused
/// tenants' too: the page shows their status beside them).
pub fn shares_by_tenant(
    tx: &impl Readable,
    community: CommunityId,
) -> Result<HashMap<TenantId, Vec<ShareRow>>, AppError> {
    let mut out: HashMap<TenantId, Vec<ShareRow>> = HashMap::new();
    for (tenant, stream_ref) in shares::of_community(tx, community)? {
        let (namespace, key) = shares::split_ref(&stream_ref);
        if let Some(s) = sds_streams::get(tx, tenant, namespace, key)? {
            out.entry(tenant).or_default().push(ShareRow {
                namespace: s.namespace.clone(),
                id: s.id,
                name: s.name,
                last_write: s.last_write,
            });
        }
    }
    Ok(out)
}

/// The Tenants tab's view of what each member tenant shares.
pub async fn tenant_shares(
    ctx: &Context,
    caller: Caller,
    community: CommunityId,
) -> Result<HashMap<TenantId, Vec<ShareRow>>, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let at = crate::app::community_access::in_community(tx, caller, None, community)?;
            at.require(Operation::ViewCommunity)?;
            shares_by_tenant(tx, community)
        })
        .await
}
