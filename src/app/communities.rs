//! Use cases of the Communities API: list, create, get, update, delete, summary.

use super::access::acting;
use super::audit;
use super::community_access::{check_path_tenant, enter, in_community, stands, InCommunity};
use super::community_roles;
use super::context::Context;
use super::error::{optional, AppError};
use super::profile;
use super::removal;
use super::sds::visibility::ShareCounts;
use super::trusted_domains::{self, TrustedChange};
use crate::domain::audit::{AuditKind, Subject};
use crate::domain::community::{validate_alias, validate_description, Community, CommunityName};
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::membership::{CommunityTenantStatus, Membership, PausedBy};
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use crate::domain::role::{Role, RoleInstance, RoleSet};
use crate::domain::trusted_domains::TrustedDomains;
use crate::store::profiles::{self, MemberProfile};
use crate::store::{self, communities, grants, memberships, prefetch, tenants, Readable};
use chrono::{DateTime, Utc};

/// One member tenant as a community shows it.
#[derive(Clone, Debug)]
pub struct TenantInCommunity {
    pub id: TenantId,
    pub name: String,
    pub status: CommunityTenantStatus,
    pub is_owner: bool,
    pub user_count: u32,
    pub client_count: u32,
    /// The member's point of contact, shown to every member.
    pub contact_email: Option<String>,
    pub preferred_region_id: Option<String>,
    /// The member's private name for the community: only the member sees it.
    pub community_alias: Option<String>,
    /// While Paused: which side paused it (only that side may resume).
    pub paused_by: Option<PausedBy>,
    /// When it joined (the owner: when it made the community).
    pub joined: DateTime<Utc>,
    /// The streams it shares there that the viewer's counts include
    /// (`ShareCounts`: a hidden member's count as 0).
    pub streams_shared: u64,
}

/// A community as one tenant sees it.
#[derive(Clone, Debug)]
pub struct CommunityView {
    pub community: Community,
    /// The viewing tenant's alias, or the name.
    pub alias: String,
    pub tenants: Vec<TenantInCommunity>,
    pub streams_contributed: u64,
    pub streams_total: u64,
    pub preferred_region_id: Option<String>,
    /// The community's role instances.
    pub roles: Vec<RoleInstance>,
    /// The viewer's roles there (pages show only the buttons they may use).
    pub viewer_roles: RoleSet,
    /// The viewer's tenant's status there (a paused one cannot invite).
    pub viewer_status: CommunityTenantStatus,
    /// The domains it invites, and whether their joiners are confirmed
    /// automatically; every member sees them.
    pub trusted: TrustedDomains,
}

impl CommunityView {
    /// Whether the viewer may perform `op` here, by the same rules the use
    /// cases apply (pages show only the buttons that will work).
    pub fn may(&self, op: Operation) -> bool {
        op.allows(self.viewer_roles)
            && (self.viewer_status != CommunityTenantStatus::Paused || op.allowed_while_paused())
    }
}

/// The member tenants as `viewer`'s tenant sees them.
pub fn tenants_of(
    tx: &impl Readable,
    community: CommunityId,
    viewer: TenantId,
    now: DateTime<Utc>,
) -> Result<Vec<TenantInCommunity>, AppError> {
    let counts = ShareCounts::load(tx, community, viewer)?;
    members_seen(tx, community, viewer, &counts, now)
}

/// `tenants_of`, with the viewer's share counts already loaded.
fn members_seen(
    tx: &impl Readable,
    community: CommunityId,
    viewer: TenantId,
    counts: &ShareCounts,
    now: DateTime<Utc>,
) -> Result<Vec<TenantInCommunity>, AppError> {
    let mut out = Vec::new();
    for m in memberships::of_community(tx, community)? {
        if !stands(tx, &m, now)? {
            continue;
        }
        let name = tenants::get(tx, m.tenant)?
            .map(|t| t.company_name)
            .unwrap_or_default();
        let (user_count, client_count) = grants::counts(tx, community, m.tenant)?;
        let profile = profiles::member(tx, community, m.tenant)?;
        out.push(TenantInCommunity {
            id: m.tenant,
            name,
            status: m.status,
            is_owner: m.is_owner,
            user_count,
            client_count,
            contact_email: profile.contact_email,
            preferred_region_id: profile.preferred_region_id,
            community_alias: if m.tenant == viewer { m.alias } else { None },
            paused_by: m.paused_by,
            joined: m.joined,
            streams_shared: counts.of(m.tenant),
        });
    }
    // The owner first, then by name: the order people scan for.
    out.sort_by(|a, b| {
        b.is_owner
            .cmp(&a.is_owner)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(out)
}

pub fn view(
    tx: &impl Readable,
    at: &InCommunity,
    now: DateTime<Utc>,
) -> Result<CommunityView, AppError> {
    let counts = ShareCounts::load(tx, at.community.id, at.me.caller.tenant)?;
    Ok(CommunityView {
        alias: at
            .membership
            .alias
            .clone()
            .unwrap_or_else(|| at.community.name.as_str().to_string()),
        tenants: members_seen(tx, at.community.id, at.me.caller.tenant, &counts, now)?,
        streams_contributed: counts.mine,
        streams_total: counts.total,
        preferred_region_id: profiles::community_region(tx, at.community.id)?,
        roles: community_roles::instances(at),
        viewer_roles: at.roles,
        viewer_status: at.membership.status,
        trusted: store::trusted_domains::of_community(tx, at.community.id)?,
        community: at.community.clone(),
    })
}

pub async fn list(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    page: Page,
) -> Result<Vec<CommunityView>, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            check_path_tenant(caller, path_tenant)?;
            let me = acting(tx, caller)?;
            me.require_tenant_role(Operation::ListCommunities)?;
            // The list shows exactly the communities GET by id would show
            // this caller: OCS lets a Tenant Member list (C1) but only a
            // community role (or administering the tenant) see one (C3), so
            // a community the caller holds no role in is left out. Whoever
            // sees them all pages through the index; anyone else through
            // the ones they see.
            let sees_all = Operation::ViewCommunity.allows(me.tenant_roles);
            let index_page = if sees_all { page } else { Page::everything() };
            let mut out = Vec::new();
            for id in memberships::communities_of_tenant(tx, caller.tenant, index_page)? {
                let at = enter(tx, me.clone(), id, false)?;
                if at.require(Operation::ViewCommunity).is_ok() {
                    out.push(view(tx, &at, now)?);
                }
            }
            if !sees_all {
                out = out.into_iter().skip(page.skip).take(page.count).collect();
            }
            Ok(out)
        })
        .await
}

/// What `CreateCommunityInput` carries.
#[derive(Debug, Default)]
pub struct NewCommunity {
    pub name: String,
    pub description: Option<String>,
    /// The owner tenant's point of contact (AVEVA Data Hub).
    pub contact_email: Option<String>,
    pub preferred_region_id: Option<String>,
}

pub async fn create(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    input: NewCommunity,
) -> Result<CommunityView, AppError> {
    let name = CommunityName::parse(&input.name).map_err(|r| AppError::invalid("Name", r))?;
    let description = validate_description(input.description.as_deref().unwrap_or_default())
        .map_err(|r| AppError::invalid("Description", r))?;
    let contact = profile::contact_email("ContactEmail", input.contact_email.as_deref())?;
    let region = profile::region(
        ctx,
        "PreferredRegionId",
        input.preferred_region_id.as_deref(),
    )?;
    let now = ctx.clock.now();
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            check_path_tenant(caller, path_tenant)?;
            let me = acting(tx, caller)?;
            me.require_tenant_role(Operation::CreateCommunity)?;
            let community = Community {
                id: CommunityId::generate(),
                owner: caller.tenant,
                name: name.clone(),
                description: description.clone(),
                created: now,
            };
            if !communities::put(tx, &community)? {
                return Err(AppError::conflict(format!(
                    "your tenant already owns a community named '{}'",
                    community.name.as_str()
                )));
            }
            memberships::put(
                tx,
                &Membership {
                    community: community.id,
                    tenant: caller.tenant,
                    status: CommunityTenantStatus::Active,
                    is_owner: true,
                    joined: now,
                    alias: None,
                    invitation: None,
                    paused_by: None,
                },
            )?;
            profiles::set_community_region(tx, community.id, region.clone().flatten().as_deref())?;
            let owner_profile = MemberProfile {
                contact_email: contact.clone().flatten(),
                preferred_region_id: None,
            };
            profiles::set_member(tx, community.id, caller.tenant, &owner_profile)?;
            let creator_roles = RoleSet::of(&[Role::CommunityAdministrator, Role::CommunityMember]);
            grants::set(
                tx,
                community.id,
                caller.tenant,
                caller.principal,
                creator_roles,
            )?;
            audit::record(
                tx,
                &who,
                AuditKind::CommunityCreated,
                Subject::community(community.id),
                serde_json::json!({ "Name": community.name.as_str() }),
                &[],
            )?;
            let at = in_community(tx, caller, None, community.id)?;
            view(tx, &at, now)
        })
        .await
}

pub async fn get(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    id: CommunityId,
) -> Result<CommunityView, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read(move |tx| {
            prefetch::community_view(tx, caller.principal, caller.tenant, id)?;
            let at = in_community(tx, caller, path_tenant, id)?;
            at.require(Operation::ViewCommunity)?;
            // Scripts poll this. One caller's view of one community stays
            // the same until the next commit, unless a member still awaiting
            // confirmation is in it: its invitation may lapse at any moment.
            communities::recall_view(tx, id, caller.principal, caller.tenant, || {
                let view = view(tx, &at, now)?;
                let lasting = view
                    .tenants
                    .iter()
                    .all(|t| t.status != CommunityTenantStatus::AwaitingConfirmation);
                Ok((view, lasting))
            })
        })
        .await
}

/// PUT's fields; `None` leaves one alone.
#[derive(Debug, Default)]
pub struct CommunityChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub alias: Option<String>,
    pub preferred_region_id: Option<String>,
    /// `AllowedDomains`: the whole list (empty: any domain).
    pub allowed_domains: Option<Vec<String>>,
    /// `AutoConfirmAllowedDomains`.
    pub auto_confirm_allowed_domains: Option<bool>,
}

pub async fn update(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    id: CommunityId,
    change: CommunityChange,
) -> Result<CommunityView, AppError> {
    let name = optional("Name", change.name.as_deref(), CommunityName::parse)?;
    let description = optional(
        "Description",
        change.description.as_deref(),
        validate_description,
    )?;
    let alias = optional("Alias", change.alias.as_deref(), validate_alias)?;
    let region = profile::region(
        ctx,
        "PreferredRegionId",
        change.preferred_region_id.as_deref(),
    )?;
    let trusted = TrustedChange::parse(
        change.allowed_domains.as_deref(),
        change.auto_confirm_allowed_domains,
    )?;
    let now = ctx.clock.now();
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            let mut at = in_community(tx, caller, path_tenant, id)?;
            // The answer is the community itself, so seeing it comes first,
            // whatever (if anything) the body asks to change.
            at.require(Operation::ViewCommunity)?;
            if name.is_some() || description.is_some() {
                at.require(Operation::EditCommunity)?;
                at.require_owner_side("change its name or description")?;
                let mut community = at.community.clone();
                community.name = name.clone().unwrap_or(community.name);
                community.description = description.clone().unwrap_or(community.description);
                if !communities::put(tx, &community)? {
                    return Err(AppError::conflict(format!(
                        "your tenant already owns a community named '{}'",
                        community.name.as_str()
                    )));
                }
                at.community = community;
            }
            if let Some(region) = &region {
                // The community-wide default is the owner's to set.
                at.require(Operation::EditCommunity)?;
                at.require_owner_side("set its preferred region")?;
                profiles::set_community_region(tx, id, region.as_deref())?;
            }
            if let Some(alias) = &alias {
                at.require(Operation::SetCommunityAlias)?;
                at.membership.alias = alias.clone();
                memberships::put(tx, &at.membership)?;
            }
            if !trusted.is_empty() {
                trusted_domains::set(tx, &at, &trusted, now)?;
            }
            let changed = name.is_some() || description.is_some() || region.is_some();
            if changed || alias.is_some() || !trusted.is_empty() {
                let allowed: Option<Vec<&str>> = trusted
                    .allowed
                    .as_ref()
                    .map(|list| list.iter().map(|d| d.as_str()).collect());
                let detail = serde_json::json!({
                    "Name": name.as_ref().map(|n| n.as_str()),
                    "Description": description.is_some(),
                    "PreferredRegionId": region,
                    "Alias": alias,
                    "AllowedDomains": allowed,
                    "AutoConfirmAllowedDomains": trusted.auto_confirm,
                });
                let kind = AuditKind::CommunityChanged;
                audit::record(
                    tx,
                    &who,
                    kind,
                    Subject::community(id),
                    detail,
                    &[at.community.owner],
                )?;
            }
            view(tx, &at, now)
        })
        .await
}

pub async fn delete(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    id: CommunityId,
) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            let at = in_community(tx, caller, path_tenant, id)?;
            at.require(Operation::DeleteCommunity)?;
            at.require_owner_side("delete it")?;
            removal::delete_community(tx, &who, &at.community)
        })
        .await
}

/// The community's stream counts: in all, the caller's, and per member
/// tenant (AVEVA Data Hub's `CommunitySummaryInformationForTenants`), each
/// counting only shares the community can read now (`ShareCounts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub total: u64,
    pub mine: u64,
    pub per_tenant: Vec<(TenantId, u64)>,
}

pub async fn summary(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    id: CommunityId,
) -> Result<Summary, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let at = in_community(tx, caller, path_tenant, id)?;
            at.require(Operation::ViewSummary)?;
            let counts = ShareCounts::load(tx, id, caller.tenant)?;
            // The per-tenant lines name the member tenants: only for a caller
            // who may see the community's members (a Tenant Member may read
            // the totals, as in OCS, but not who is in it).
            let sees_members = at.require(Operation::ViewCommunity).is_ok();
            let mut per_tenant = Vec::new();
            for m in memberships::of_community(tx, id)?
                .into_iter()
                .filter(|m| m.is_in() && (sees_members || m.tenant == caller.tenant))
            {
                per_tenant.push((m.tenant, counts.of(m.tenant)));
            }
            Ok(Summary {
                total: counts.total,
                mine: counts.mine,
                per_tenant,
            })
        })
        .await
}
