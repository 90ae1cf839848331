//! The share visibility rule (`domain::share_visibility`) applied to what
//! is stored now. Every path that shows another tenant's shared streams
//! (SDS reads through a community, the community search, the portal's
//! Tenants tab) asks here inside its own transaction, so a pause, a
//! deactivation or a revoked role hides at the next read, on every
//! instance serving the database: nothing is remembered between reads.

use crate::app::community_access::InCommunity;
use crate::app::AppError;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::share_visibility::{self, Standing};
use crate::domain::tenant::Tenant;
use crate::store::{communities, memberships, tenants, Readable};
use std::collections::HashMap;

/// Whether the caller, already let into the community, sees other tenants'
/// shares there.
pub fn reader_sees(at: &InCommunity) -> bool {
    let standing = Standing {
        membership: at.membership.status,
        tenant: at.me.tenant.state,
    };
    share_visibility::reader_sees(standing, at.roles)
}

/// The sharing tenant, when its shares in `community` are shown now.
pub fn shown_sharer(
    tx: &impl Readable,
    community: CommunityId,
    tenant: TenantId,
) -> Result<Option<Tenant>, AppError> {
    let Some(membership) = memberships::get(tx, community, tenant)? else {
        return Ok(None);
    };
    let Some(sharer) = tenants::get(tx, tenant)? else {
        return Ok(None);
    };
    let standing = Standing {
        membership: membership.status,
        tenant: sharer.state,
    };
    Ok(share_visibility::sharer_shown(standing).then_some(sharer))
}

/// `shown_sharer` for a read that meets the same tenants many times (a
/// list of shares): each tenant is looked up once per read.
pub struct Sharers<'t, R> {
    tx: &'t R,
    community: CommunityId,
    known: HashMap<TenantId, Option<Tenant>>,
}

impl<'t, R: Readable> Sharers<'t, R> {
    pub fn new(tx: &'t R, community: CommunityId) -> Self {
        Self {
            tx,
            community,
            known: HashMap::new(),
        }
    }

    pub fn shown(&mut self, tenant: TenantId) -> Result<Option<&Tenant>, AppError> {
        if !self.known.contains_key(&tenant) {
            let found = shown_sharer(self.tx, self.community, tenant)?;
            self.known.insert(tenant, found);
        }
        Ok(self.known.get(&tenant).and_then(Option::as_ref))
    }
}

/// A community's share counts as `viewer`'s tenant is told them: its own
/// shares always (its own data), other tenants' only while they are shown,
/// so a count never includes a stream the community cannot read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareCounts {
    pub mine: u64,
    pub total: u64,
    counted: Vec<(TenantId, u64)>,
}

impl ShareCounts {
    pub fn load(
        tx: &impl Readable,
        community: CommunityId,
        viewer: TenantId,
    ) -> Result<Self, AppError> {
        let mut sharers = Sharers::new(tx, community);
        let mut counted = Vec::new();
        for (tenant, n) in communities::share_counts(tx, community)? {
            if tenant == viewer || sharers.shown(tenant)?.is_some() {
                counted.push((tenant, n));
            }
        }
        Ok(Self {
            mine: count_of(&counted, viewer),
            total: counted.iter().map(|(_, n)| n).sum(),
            counted,
        })
    }

    /// One tenant's counted shares (0 while hidden).
    pub fn of(&self, tenant: TenantId) -> u64 {
        count_of(&self.counted, tenant)
    }
}

fn count_of(counted: &[(TenantId, u64)], tenant: TenantId) -> u64 {
    counted
        .iter()
        .find(|(t, _)| *t == tenant)
        .map_or(0, |(_, n)| *n)
}
