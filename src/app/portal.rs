//! Read models the portal pages need beyond the API's use cases: who is
//! signed in, what a followed link points at. Reads only; nothing changes.

use super::access::acting;
use super::community_access::in_community;
use super::community_roles::Holder;
use super::context::Context;
use super::error::AppError;
use super::invitations::{view, InvitationView};
use crate::auth::link_token::LinkClaims;
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, InvitationId, PrincipalId};
use crate::domain::invitation::{Invitation, InvitationState};
use crate::domain::membership::CommunityTenantStatus;
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use crate::domain::role::RoleSet;
use crate::domain::session::Session;
use crate::store::{communities, grants, identities, invitations, memberships, tenants, Readable};
use chrono::{DateTime, Utc};

/// The person behind a session, for the page header and for deciding which
/// tenant-level buttons to show.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub email: String,
    pub tenant_name: String,
    pub tenant_roles: RoleSet,
}

/// `None` when the user or tenant no longer exists (the session is stale).
pub async fn signed_in(ctx: &Context, session: &Session) -> Result<Option<SignedIn>, AppError> {
    let (user, tenant, generation) = (session.user, session.tenant, session.password_generation);
    ctx.store
        .read(move |tx| {
            // A session from before the latest password change is over.
            let Some(user) = identities::get_user(tx, user)?.filter(|u| {
                u.tenant == tenant && u.password_generation == generation && !u.deactivated
            }) else {
                return Ok(None);
            };
            let Some(tenant) = tenants::get(tx, tenant)? else {
                return Ok(None);
            };
            Ok(Some(SignedIn {
                email: user.email.to_string(),
                tenant_name: tenant.company_name,
                tenant_roles: user.tenant_roles,
            }))
        })
        .await
}

/// What a signed invitation link points at now. Only a signed-in person is
/// told which of these it is; the public sees one generic page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkTarget {
    Usable(InvitationId),
    Missing,
    Withdrawn,
    /// A Resend minted a newer link; this one is dead.
    Superseded,
    Expired,
}

/// What the link points at, and whether `viewer` may be told why it cannot
/// be used: only someone of the inviting tenant or of a tenant owning the
/// recipient address (SPEC 4a); everybody else sees the generic page.
pub async fn invite_link_target(
    ctx: &Context,
    claims: LinkClaims,
    viewer: Option<Caller>,
) -> Result<(LinkTarget, bool), AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read(move |tx| {
            let Some(inv) = invitations::get(tx, claims.invitation)? else {
                return Ok((LinkTarget::Missing, false));
            };
            let explain = match viewer {
                Some(v) => {
                    v.tenant == inv.issuing_tenant
                        || identities::tenants_owning(tx, &inv.recipient)?.contains(&v.tenant)
                }
                None => false,
            };
            let target = if inv.withdrawn.is_some() {
                LinkTarget::Withdrawn
            } else if inv.generation != claims.generation {
                LinkTarget::Superseded
            } else if inv.state_at(now) == InvitationState::InvitationExpired {
                LinkTarget::Expired
            } else {
                LinkTarget::Usable(inv.id)
            };
            Ok((target, explain))
        })
        .await
}

/// The community of an invitation the caller's tenant issued (the pending
/// confirmation link leads its inviter there).
pub async fn issued_invitation_community(
    ctx: &Context,
    caller: Caller,
    id: InvitationId,
) -> Result<CommunityId, AppError> {
    ctx.store
        .read(move |tx| {
            invitations::get(tx, id)?
                .filter(|inv| inv.issuing_tenant == caller.tenant && inv.withdrawn.is_none())
                .map(|inv| inv.community)
                .ok_or_else(|| {
                    AppError::not_found("the invitation no longer exists or was withdrawn")
                })
        })
        .await
}

/// One page of a community's Invitations tab.
#[derive(Clone, Debug)]
pub struct InvitationPage {
    /// Accepted invitations waiting for this side's Confirm Tenant, newest
    /// first. Always all of them: one per tenant awaiting confirmation.
    pub awaiting: Vec<InvitationView>,
    /// The page itself: unfiltered, the awaiting ones first, then the rest
    /// newest first; filtered, only invitations in `only`'s state.
    pub rows: Vec<InvitationView>,
    /// Whether another page follows.
    pub more: bool,
}

/// Accepted invitations of this issuer that wait for Confirm, found through
/// the community's memberships (few) rather than its invitations (many).
fn awaiting_confirmation(
    tx: &impl Readable,
    community: CommunityId,
    caller: Caller,
    now: DateTime<Utc>,
) -> Result<Vec<Invitation>, AppError> {
    let mut out = Vec::new();
    for m in memberships::of_community(tx, community)? {
        let Some(id) = m.invitation else { continue };
        if m.status != CommunityTenantStatus::AwaitingConfirmation {
            continue;
        }
        if let Some(inv) = invitations::get(tx, id)?.filter(|inv| {
            inv.issuing_tenant == caller.tenant
                && inv.withdrawn.is_none()
                && inv.state_at(now) == InvitationState::InvitationAccepted
        }) {
            out.push(inv);
        }
    }
    out.sort_by_key(|inv| std::cmp::Reverse(inv.id.0));
    Ok(out)
}

/// Takes items into a page: skips `page.skip`, keeps `page.count`, and
/// notes whether one more exists.
struct Pager {
    page: Page,
    skipped: usize,
    rows: Vec<Invitation>,
    more: bool,
}

impl Pager {
    fn new(page: Page) -> Self {
        Self {
            page,
            skipped: 0,
            rows: Vec::new(),
            more: false,
        }
    }

    /// Whether the caller needs the record for the next position, so a
    /// skipped position costs no record read.
    fn wants_record(&mut self) -> bool {
        if self.skipped < self.page.skip {
            self.skipped += 1;
            return false;
        }
        true
    }

    /// Offers a record; false once the page is full (and one more was seen).
    fn offer(&mut self, inv: Invitation) -> bool {
        if self.rows.len() == self.page.count {
            self.more = true;
            return false;
        }
        self.rows.push(inv);
        true
    }
}

/// The Invitations tab: paged newest first over the community's index of
/// this tenant's invitations, awaiting-confirmation first, or filtered to
/// one state (`InvitationExpired` as of now).
pub async fn invitation_page(
    ctx: &Context,
    caller: Caller,
    community: CommunityId,
    only: Option<InvitationState>,
    page: Page,
) -> Result<InvitationPage, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let at = in_community(tx, caller, None, community)?;
            at.require(Operation::ViewInvitations)?;
            let awaiting = awaiting_confirmation(tx, community, caller, now)?;
            let mut pager = Pager::new(page);
            match only {
                Some(InvitationState::InvitationAccepted) => {
                    for inv in awaiting.iter().cloned() {
                        if pager.wants_record() && !pager.offer(inv) {
                            break;
                        }
                    }
                }
                None => {
                    let first: Vec<InvitationId> = awaiting.iter().map(|i| i.id).collect();
                    let mut open = true;
                    for inv in awaiting.iter().cloned() {
                        if pager.wants_record() && !pager.offer(inv) {
                            open = false;
                            break;
                        }
                    }
                    if open {
                        invitations::walk_issued_newest_first(
                            tx,
                            community,
                            caller.tenant,
                            |id| {
                                if first.contains(&id) || !pager.wants_record() {
                                    return Ok::<_, AppError>(true);
                                }
                                match invitations::get(tx, id)? {
                                    Some(inv) => Ok(pager.offer(inv)),
                                    None => Ok(true),
                                }
                            },
                        )?;
                    }
                }
                Some(state) => {
                    invitations::walk_issued_newest_first(tx, community, caller.tenant, |id| {
                        let Some(inv) = invitations::get(tx, id)? else {
                            return Ok::<_, AppError>(true);
                        };
                        if inv.state_at(now) != state || !pager.wants_record() {
                            return Ok(true);
                        }
                        Ok(pager.offer(inv))
                    })?;
                }
            }
            let views = |list: Vec<Invitation>| -> Result<Vec<InvitationView>, AppError> {
                list.into_iter().map(|inv| view(tx, inv, now)).collect()
            };
            Ok(InvitationPage {
                awaiting: views(awaiting)?,
                more: pager.more,
                rows: views(pager.rows)?,
            })
        })
        .await
}

/// A community the caller's tenant joined that still waits for the
/// inviting tenant's Confirm.
#[derive(Clone, Debug)]
pub struct AwaitingMembership {
    pub community_name: String,
    pub inviting_tenant: String,
    pub accepted: Option<DateTime<Utc>>,
}

/// The invited side's view of its pending memberships, read through the
/// index of invitations it accepted. Only a Tenant Administrator (who may
/// answer invitations) is shown them, as in the API's accepted list.
pub async fn awaiting_memberships(
    ctx: &Context,
    caller: Caller,
) -> Result<Vec<AwaitingMembership>, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let me = acting(tx, caller)?;
            if !Operation::AnswerInvitation.allows(me.tenant_roles) {
                return Ok(Vec::new());
            }
            let mut out = Vec::new();
            for inv in invitations::accepted_by_tenant(tx, caller.tenant)? {
                if inv.withdrawn.is_some()
                    || inv.state_at(now) != InvitationState::InvitationAccepted
                {
                    continue;
                }
                let waiting = memberships::get(tx, inv.community, caller.tenant)?
                    .is_some_and(|m| m.status == CommunityTenantStatus::AwaitingConfirmation);
                let Some(community) = communities::get(tx, inv.community)? else {
                    continue;
                };
                if !waiting {
                    continue;
                }
                out.push(AwaitingMembership {
                    community_name: community.name.as_str().to_string(),
                    inviting_tenant: tenants::get(tx, inv.issuing_tenant)?
                        .map(|t| t.company_name)
                        .unwrap_or_default(),
                    accepted: inv.accepted,
                });
            }
            Ok(out)
        })
        .await
}

/// The caller's own users and clients with their roles in the community,
/// for the Roles tab. Someone who may grant sees every identity of the
/// tenant (so a role can be given to one that holds none); anyone else
/// sees only the holders.
pub async fn community_identities(
    ctx: &Context,
    caller: Caller,
    community: CommunityId,
) -> Result<(bool, Vec<Holder>), AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let at = in_community(tx, caller, None, community)?;
            at.require(Operation::ViewCommunity)?;
            let can_grant = Operation::GrantCommunityRoles.allows(at.roles);
            let mut out = Vec::new();
            let mut add = |id: PrincipalId, label: String| -> Result<(), AppError> {
                let roles = grants::get(tx, community, caller.tenant, id)?;
                if can_grant || !roles.is_empty() {
                    out.push(Holder { id, label, roles });
                }
                Ok(())
            };
            for u in identities::users_of_tenant(tx, caller.tenant)? {
                add(PrincipalId::User(u.id), u.email.to_string())?;
            }
            for c in identities::clients_of_tenant(tx, caller.tenant)? {
                add(PrincipalId::Client(c.id), c.name)?;
            }
            Ok((can_grant, out))
        })
        .await
}

/// What a working email link is about, for the sign-in page it leads to:
/// the community's name and the inviting tenant's name. Only for links
/// already verified as usable; they carry these words in their email too.
pub async fn link_subject(
    ctx: &Context,
    id: InvitationId,
) -> Result<Option<(String, String)>, AppError> {
    ctx.store
        .read(move |tx| {
            let Some(inv) = invitations::get(tx, id)? else {
                return Ok(None);
            };
            let Some(community) = communities::get(tx, inv.community)? else {
                return Ok(None);
            };
            let inviter = tenants::get(tx, inv.issuing_tenant)?
                .map(|t| t.company_name)
                .unwrap_or_default();
            Ok(Some((community.name.as_str().to_string(), inviter)))
        })
        .await
}
