//! Trusted partners: the checks a community's trusted domains put on its
//! invitations (at invite, accept and confirm: the list may change while
//! an invitation is open), and setting them, which the Communities PUT
//! does beside the community's other settings.

use super::audit;
use super::community_access::InCommunity;
use super::error::AppError;
use crate::domain::email::EmailAddress;
use crate::domain::ids::CommunityId;
use crate::domain::invitation::Invitation;
use crate::domain::permission::Operation;
use crate::domain::trusted_domains::{parse_list, EmailDomain, SetBy, TrustedDomains};
use crate::store::{trusted_domains, Readable, WriteTx};
use chrono::{DateTime, Utc};

/// The field the list is named by, in the API and in errors.
pub const FIELD: &str = "AllowedDomains";

/// Whether the community may invite `email` now. For callers that invite
/// many addresses at once and report each one's fate.
pub fn domain_allowed(
    tx: &impl Readable,
    community: CommunityId,
    email: &EmailAddress,
) -> Result<bool, AppError> {
    Ok(trusted_domains::of_community(tx, community)?.allows(email))
}

/// A new invitation's recipient must be at an allowed domain: 400 naming
/// `InvitationRecipient` otherwise.
pub fn check_recipient(
    tx: &impl Readable,
    community: CommunityId,
    recipient: &EmailAddress,
) -> Result<(), AppError> {
    let trusted = trusted_domains::of_community(tx, community)?;
    if trusted.allows(recipient) {
        return Ok(());
    }
    Err(AppError::invalid(
        "InvitationRecipient",
        format!(
            "this community invites only addresses at {}; {recipient} is not at one of them",
            trusted.listed()
        ),
    ))
}

/// An open invitation may be answered or confirmed only while its
/// recipient is still at an allowed domain (the list may have changed
/// since it was sent): 409 otherwise. Answers the community's trusted
/// domains, for the caller's next decision.
pub fn check_invitation(tx: &impl Readable, inv: &Invitation) -> Result<TrustedDomains, AppError> {
    let trusted = trusted_domains::of_community(tx, inv.community)?;
    if trusted.allows(&inv.recipient) {
        return Ok(trusted);
    }
    Err(AppError::conflict(format!(
        "this community now accepts only partners invited at {}; the invitation was sent to {}, so it can no longer be accepted or confirmed",
        trusted.listed(),
        inv.recipient
    )))
}

/// A change to the trusted domains, checked; `None` leaves a part alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedChange {
    pub allowed: Option<Vec<EmailDomain>>,
    pub auto_confirm: Option<bool>,
}

impl TrustedChange {
    /// Checks the list as sent: 400 naming `AllowedDomains` and the entry
    /// that is not a domain, or the list when it is too long.
    pub fn parse(allowed: Option<&[String]>, auto_confirm: Option<bool>) -> Result<Self, AppError> {
        let allowed = allowed
            .map(parse_list)
            .transpose()
            .map_err(|reason| AppError::invalid(FIELD, reason))?;
        Ok(Self {
            allowed,
            auto_confirm,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.allowed.is_none() && self.auto_confirm.is_none()
    }
}

/// Applies `change` for the owner side's Community Administrator `at`,
/// recording who set the domains and when. Answers the record as stored.
pub fn set(
    tx: &WriteTx,
    at: &InCommunity,
    change: &TrustedChange,
    now: DateTime<Utc>,
) -> Result<TrustedDomains, AppError> {
    at.require(Operation::EditCommunity)?;
    at.require_owner_side("choose the domains it invites")?;
    let id = at.community.id;
    let mut trusted = trusted_domains::of_community(tx, id)?;
    if let Some(allowed) = &change.allowed {
        trusted.allowed = allowed.clone();
    }
    if let Some(auto_confirm) = change.auto_confirm {
        trusted.auto_confirm = auto_confirm;
    }
    let principal = at.me.caller.principal;
    let name = audit::name_of(tx, principal)?.unwrap_or_else(|| principal.as_uuid().to_string());
    trusted.set_by = Some(SetBy {
        principal,
        name,
        at: now,
    });
    trusted_domains::put(tx, id, &trusted)?;
    Ok(trusted)
}
