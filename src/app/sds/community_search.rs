//! The community stream search: the streams shared into a community that
//! the caller can read (`visibility`: it holds Community Member and both
//! tenants' shares are visible), matched, ordered and paged.
//!
//! One search examines at most `search_share_budget` shares (in the
//! store's order: by tenant), so a request's work is bounded whatever a
//! community holds. A tenant whose shares were not all examined, or a
//! shared stream whose record cannot be read, is reported as not searched
//! beside the hits found (the API answers 207), never silently left out.

use super::community_streams::SharedStream;
use crate::app::access::acting;
use crate::app::community_access::{check_path_tenant, enter};
use crate::app::sds::visibility::{self, Sharers};
use crate::app::{AppError, Context};
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::permission::Operation;
use crate::domain::sds::search::{SearchQuery, Searchable};
use crate::domain::sds::search_order::{Cursor, Field, OrderBy, SortKey};
use crate::store::{communities, sds_streams, shares, Readable};
use std::cmp::Ordering;
use std::collections::HashMap;

/// What to search for and which page to answer.
#[derive(Clone, Debug)]
pub struct SearchRequest {
    pub query: SearchQuery,
    /// Names the search in its continuation tokens (`search_order::fingerprint`).
    pub fingerprint: String,
    pub only_tenant: Option<TenantId>,
    pub order: OrderBy,
    /// Hits skipped before the first page (not after a token).
    pub skip: usize,
    pub size: usize,
    /// The most pages a client may walk; `None`: no limit.
    pub max_pages: Option<u32>,
    pub after: Option<Cursor>,
}

/// Why a tenant's shares (or one of them) went unsearched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unsearched {
    /// The search's share budget ran out before all its shares were examined.
    Budget { tenant: TenantId },
    /// A shared stream's record could not be read.
    Unreadable { tenant: TenantId, namespace: String },
}

/// One page of hits, where the next starts (if any), and what went unsearched.
#[derive(Clone, Debug, Default)]
pub struct SearchAnswer {
    pub hits: Vec<SharedStream>,
    pub next: Option<Cursor>,
    pub unsearched: Vec<Unsearched>,
}

pub async fn search(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
    request: SearchRequest,
) -> Result<SearchAnswer, AppError> {
    let budget = ctx.settings.search_share_budget;
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            check_path_tenant(caller, path_tenant)?;
            let at = enter(tx, acting(tx, caller)?, community, false)?;
            at.require(Operation::ViewSummary)?;
            if !visibility::reader_sees(&at) {
                return Ok(SearchAnswer::default());
            }
            let examined = examine(tx, community, request.only_tenant, budget)?;
            Ok(page_of(examined, &request))
        })
        .await
}

/// The shares examined within the budget: the visible streams, and what
/// could not be searched.
struct Examined {
    found: Vec<SharedStream>,
    unsearched: Vec<Unsearched>,
}

fn examine(
    tx: &impl Readable,
    community: CommunityId,
    only: Option<TenantId>,
    budget: usize,
) -> Result<Examined, AppError> {
    let mut sharers = Sharers::new(tx, community);
    let mut seen: HashMap<TenantId, u64> = HashMap::new();
    let mut out = Examined {
        found: Vec::new(),
        unsearched: Vec::new(),
    };
    for (tenant, stream_ref) in shares::first_of_community(tx, community, only, budget)? {
        *seen.entry(tenant).or_default() += 1;
        let Some(tenant_name) = sharers.shown(tenant)?.map(|t| t.company_name.clone()) else {
            continue;
        };
        let (namespace, key) = shares::split_ref(&stream_ref);
        match sds_streams::get(tx, tenant, namespace, key) {
            Ok(Some(stream)) => out.found.push(SharedStream {
                community,
                tenant,
                tenant_name,
                stream,
            }),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(%community, %tenant, namespace, error = %e, "a shared stream could not be read");
                let namespace = namespace.to_string();
                let gone = Unsearched::Unreadable { tenant, namespace };
                if !out.unsearched.contains(&gone) {
                    out.unsearched.push(gone);
                }
            }
        }
    }
    // Tenants shown whose shares were not all examined went unsearched.
    for (tenant, count) in communities::share_counts(tx, community)? {
        let wanted = only.is_none_or(|t| t == tenant);
        let short = seen.get(&tenant).copied().unwrap_or(0) < count;
        if wanted && short && sharers.shown(tenant)?.is_some() {
            out.unsearched.push(Unsearched::Budget { tenant });
        }
    }
    Ok(out)
}

/// A hit's place in `order`.
pub fn sort_key(hit: &SharedStream, order: &OrderBy) -> SortKey {
    let s = &hit.stream;
    let value = match order.field {
        Field::Id => s.id.to_lowercase(),
        Field::Name => s.name.to_lowercase(),
        Field::TypeId => s.type_id.to_lowercase(),
        Field::Description => s.description.to_lowercase(),
        Field::TenantName => hit.tenant_name.to_lowercase(),
        Field::NamespaceId => s.namespace.to_lowercase(),
        // The tail (tenant, namespace, stream) orders these alone.
        Field::Self_ | Field::TenantId | Field::CommunityId => String::new(),
    };
    SortKey {
        value,
        tenant: hit.tenant.0.to_string(),
        namespace: s.namespace.clone(),
        stream: s.key(),
    }
}

fn matches(query: &SearchQuery, hit: &SharedStream) -> bool {
    let s = &hit.stream;
    query.matches(&Searchable {
        id: &s.id,
        name: &s.name,
        description: &s.description,
        type_id: &s.type_id,
    })
}

/// The requested page of the examined hits: those after the cursor, in
/// order, `size` of them, and where the next page starts.
fn page_of(examined: Examined, request: &SearchRequest) -> SearchAnswer {
    let order = &request.order;
    let mut keyed: Vec<(SortKey, SharedStream)> = examined
        .found
        .into_iter()
        .filter(|h| request.only_tenant.is_none_or(|t| t == h.tenant))
        .filter(|h| matches(&request.query, h))
        .map(|h| (sort_key(&h, order), h))
        .filter(|(k, _)| {
            request
                .after
                .as_ref()
                .is_none_or(|c| order.compare(k, &c.after) == Ordering::Greater)
        })
        .collect();
    keyed.sort_by(|a, b| order.compare(&a.0, &b.0));
    let skip = if request.after.is_some() {
        0
    } else {
        request.skip
    };
    let mut rest = keyed.into_iter().skip(skip);
    let page: Vec<(SortKey, SharedStream)> = rest.by_ref().take(request.size).collect();
    let this_page = request.after.as_ref().map_or(0, |c| c.page);
    let more_allowed = request.max_pages.is_none_or(|m| this_page + 1 < m);
    let next = match (page.last(), rest.next().is_some() && more_allowed) {
        (Some((last, _)), true) => Some(Cursor {
            order: *order,
            fingerprint: request.fingerprint.clone(),
            page: this_page + 1,
            after: last.clone(),
        }),
        _ => None,
    };
    SearchAnswer {
        hits: page.into_iter().map(|(_, h)| h).collect(),
        next,
        unsearched: examined.unsearched,
    }
}
