//! Invitations addressed to a tenant's people that nobody has answered yet:
//! found by each user's address (the tenant owns those addresses, so its
//! Tenant Administrators may answer without the email's link, see
//! `invitations::may_answer`). The portal's Communities page and the API
//! list them, so a tenant can join without the email.

use super::access::acting;
use super::community_access::{check_path_tenant, current_membership};
use super::context::Context;
use super::error::AppError;
use super::invitations::InvitationView;
use crate::domain::identity::Caller;
use crate::domain::ids::TenantId;
use crate::domain::invitation::{Invitation, InvitationState};
use crate::domain::paging::Page;
use crate::domain::permission::Operation;
use crate::store::{communities, identities, invitations, tenants, Readable};
use chrono::{DateTime, Utc};

/// Users read per step of the walk over the tenant's addresses.
const USERS_PER_STEP: usize = 200;

/// Open invitations read per address: one per community at most, so this
/// bounds only an address invited to very many communities at once.
const PER_ADDRESS: usize = 1000;

/// An invitation to the caller's tenant and who sent it.
#[derive(Clone, Debug)]
pub struct IncomingInvitation {
    /// The invitation as the invited side may see it: without the inviting
    /// side's email delivery report.
    pub view: InvitationView,
    pub inviting_tenant: String,
}

/// Open invitations (created, not expired, withdrawn or answered) addressed
/// to the users of the tenant in the path, oldest user first and by
/// community; for its Tenant Administrators only. Invitations to a
/// community the tenant is already in are left out: it cannot join twice.
pub async fn list(
    ctx: &Context,
    caller: Caller,
    path_tenant: TenantId,
    page: Page,
) -> Result<Vec<IncomingInvitation>, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            check_path_tenant(caller, Some(path_tenant))?;
            let me = acting(tx, caller)?;
            me.require_tenant_role(Operation::AnswerInvitation)?;
            list_in(tx, caller.tenant, page, now)
        })
        .await
}

/// For the portal: the same list, or nothing for someone who may not
/// answer invitations (the page shows them no section).
pub async fn for_page(
    ctx: &Context,
    caller: Caller,
    page: Page,
) -> Result<Vec<IncomingInvitation>, AppError> {
    let now = ctx.clock.now();
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let me = acting(tx, caller)?;
            if !Operation::AnswerInvitation.allows(me.tenant_roles) {
                return Ok(Vec::new());
            }
            list_in(tx, caller.tenant, page, now)
        })
        .await
}

/// Walks the tenant's users a step at a time and each one's open
/// invitations, until the page is full.
fn list_in(
    tx: &impl Readable,
    tenant: TenantId,
    page: Page,
    now: DateTime<Utc>,
) -> Result<Vec<IncomingInvitation>, AppError> {
    let mut to_skip = page.skip;
    let mut out = Vec::new();
    let mut users_read = 0;
    loop {
        let step = Page {
            skip: users_read,
            count: USERS_PER_STEP,
        };
        let users = identities::user_page(tx, tenant, step)?;
        for user in &users {
            for inv in invitations::open_to(tx, &user.email, PER_ADDRESS)? {
                if !is_incoming(tx, &inv, tenant, now)? {
                    continue;
                }
                if to_skip > 0 {
                    to_skip -= 1;
                    continue;
                }
                out.push(incoming(tx, inv, now)?);
                if out.len() >= page.count {
                    return Ok(out);
                }
            }
        }
        if users.len() < USERS_PER_STEP {
            return Ok(out);
        }
        users_read += USERS_PER_STEP;
    }
}

/// Still waiting for an answer, and one the tenant could give.
fn is_incoming(
    tx: &impl Readable,
    inv: &Invitation,
    tenant: TenantId,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    if inv.withdrawn.is_some() || inv.state_at(now) != InvitationState::InvitationCreated {
        return Ok(false);
    }
    Ok(current_membership(tx, inv.community, tenant, now)?.is_none())
}

fn incoming(
    tx: &impl Readable,
    inv: Invitation,
    now: DateTime<Utc>,
) -> Result<IncomingInvitation, AppError> {
    let community_name = communities::get(tx, inv.community)?
        .map(|c| c.name.as_str().to_string())
        .unwrap_or_default();
    let inviting_tenant = tenants::get(tx, inv.issuing_tenant)?
        .map(|t| t.company_name)
        .unwrap_or_default();
    Ok(IncomingInvitation {
        view: InvitationView {
            state: inv.state_at(now),
            invitation: inv,
            community_name,
            accepted_tenant_name: None,
            delivery: None,
        },
        inviting_tenant,
    })
}
