//! What a community shares: a search hit (the search is
//! `community_search`) and, for the portal, each tenant's shared streams.

use crate::app::community_access::{in_community, InCommunity};
use crate::app::sds::stream_access::may_read_own;
use crate::app::sds::visibility::{self, Sharers};
use crate::app::{AppError, Context};
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::permission::Operation;
use crate::domain::sds::stream::SdsStream;
use crate::store::{sds_streams, shares, Readable};
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

/// A shared stream as the portal's Tenants tab lists it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ShareRow {
    pub namespace: String,
    pub id: String,
    pub name: String,
    pub last_write: Option<DateTime<Utc>>,
}

/// What the Tenants tab lists, by tenant, by the API's rules so the portal
/// shows nothing the API hides: the viewer's own tenant's shares that it
/// may read as its own streams, and other tenants' shares only as the
/// community reads show them (`visibility`).
fn shares_by_tenant(
    tx: &impl Readable,
    at: &InCommunity,
) -> Result<HashMap<TenantId, Vec<ShareRow>>, AppError> {
    let community = at.community.id;
    let mine = at.me.caller.tenant;
    let listed = if visibility::reader_sees(at) {
        shares::of_community(tx, community)?
    } else {
        let own = shares::of_tenant(tx, community, mine)?;
        own.into_iter().map(|r| (mine, r)).collect()
    };
    let mut sharers = Sharers::new(tx, community);
    let mut out: HashMap<TenantId, Vec<ShareRow>> = HashMap::new();
    for (tenant, stream_ref) in listed {
        let (namespace, key) = shares::split_ref(&stream_ref);
        let Some(s) = sds_streams::get(tx, tenant, namespace, key)? else {
            continue;
        };
        let shown = if tenant == mine {
            may_read_own(&at.me, &s)
        } else {
            sharers.shown(tenant)?.is_some()
        };
        if shown {
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
            let at = in_community(tx, caller, None, community)?;
            at.require(Operation::ViewCommunity)?;
            shares_by_tenant(tx, &at)
        })
        .await
}
