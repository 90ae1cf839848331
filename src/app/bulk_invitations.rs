//! Inviting several addresses at once. The list is one write: the caller's
//! right to invite is checked once, then each address gets its own result
//! (sent, or why not), and the ones sent are stored, queued and recorded
//! together, so a list is never half-sent. The daily cap counts each
//! address sent, exactly as one invitation at a time would.

use super::audit;
use super::community_access::in_community;
use super::context::Context;
use super::error::AppError;
use super::invitations::{
    day_of, invitation_email, member_owning, take_address, Delivery, InvitationView,
};
use super::trusted_domains;
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::email::EmailAddress;
use crate::domain::identity::Caller;
use crate::domain::ids::{CommunityId, InvitationId, TenantId};
use crate::domain::invitation::Invitation;
use crate::domain::notification::DeliveryReport;
use crate::domain::permission::Operation;
use crate::store::{invitations, outbox, prefetch, WriteTx};
use chrono::{DateTime, Duration, Utc};

/// The most addresses one request may list.
pub const MAX_RECIPIENTS: usize = 100;

/// The field that names the list, in the API and in refusals.
pub const FIELD: &str = "InvitationRecipients";

/// What happened to one address of the list.
#[derive(Clone, Debug)]
pub enum Outcome {
    Sent(Box<InvitationView>),
    /// Every tenant owning the address is already in the community; the
    /// name is one of them.
    AlreadyMember(String),
    /// An open invitation already holds the address in this community.
    AlreadyInvited(InvitationId),
    /// Not an address; why.
    Invalid(String),
    /// The community has sent today's invitation emails.
    OverDailyCap,
    /// The community invites only addresses at its trusted domains.
    DomainNotAllowed,
}

impl Outcome {
    /// The result's name in the API.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sent(_) => "Sent",
            Self::AlreadyMember(_) => "AlreadyMember",
            Self::AlreadyInvited(_) => "AlreadyInvited",
            Self::Invalid(_) => "Invalid",
            Self::OverDailyCap => "OverDailyCap",
            Self::DomainNotAllowed => "DomainNotAllowed",
        }
    }

    /// Why nothing was sent, in words for people; none when sent.
    pub fn reason(&self, cap: u32) -> Option<String> {
        match self {
            Self::Sent(_) => None,
            Self::AlreadyMember(tenant) => Some(format!(
                "the address belongs to tenant '{tenant}', which is already a member of this community"
            )),
            Self::AlreadyInvited(_) => {
                Some("an open invitation to this address already exists in this community".into())
            }
            Self::Invalid(why) => Some(why.clone()),
            Self::OverDailyCap => Some(format!(
                "this community has sent its {cap} invitation emails for today (UTC)"
            )),
            Self::DomainNotAllowed => {
                Some("this community invites only addresses at its trusted domains".into())
            }
        }
    }
}

/// One address as listed (trimmed) and what happened to it.
#[derive(Clone, Debug)]
pub struct RecipientResult {
    pub recipient: String,
    pub outcome: Outcome,
}

/// An address of the list, read before the write.
#[derive(Clone, Debug)]
enum Listed {
    Address(EmailAddress),
    Invalid { text: String, why: String },
}

/// Reads the list: 400 naming the field when it is empty or too long;
/// an address listed more than once (in any case) counts once.
fn read_list(recipients: &[String]) -> Result<Vec<Listed>, AppError> {
    if recipients.is_empty() {
        return Err(AppError::invalid(FIELD, "list at least one address"));
    }
    if recipients.len() > MAX_RECIPIENTS {
        return Err(AppError::invalid(
            FIELD,
            format!(
                "at most {MAX_RECIPIENTS} addresses per request ({} listed)",
                recipients.len()
            ),
        ));
    }
    let mut out: Vec<Listed> = Vec::new();
    for text in recipients {
        let listed = match EmailAddress::parse(text) {
            Ok(address) => Listed::Address(address),
            Err(e) => Listed::Invalid {
                text: text.trim().chars().take(320).collect(),
                why: e.to_string(),
            },
        };
        if !out.iter().any(|seen| same(seen, &listed)) {
            out.push(listed);
        }
    }
    Ok(out)
}

fn same(a: &Listed, b: &Listed) -> bool {
    match (a, b) {
        (Listed::Address(a), Listed::Address(b)) => a == b,
        (Listed::Invalid { text: a, .. }, Listed::Invalid { text: b, .. }) => a == b,
        _ => false,
    }
}

/// What every address of one request shares.
struct Sending<'a> {
    who: &'a Origin,
    community: CommunityId,
    community_name: &'a str,
    inviting_tenant: &'a str,
    caller: Caller,
    now: DateTime<Utc>,
    ttl: Duration,
    cap: u32,
}

pub async fn create(
    ctx: &Context,
    caller: Caller,
    path_tenant: Option<TenantId>,
    community: CommunityId,
    recipients: &[String],
) -> Result<Vec<RecipientResult>, AppError> {
    let listed = read_list(recipients)?;
    let now = ctx.clock.now();
    let ttl = ctx.invitation_ttl();
    let cap = ctx.settings.invitations_per_community_per_day;
    let who = audit::by(ctx, caller);
    let results = ctx
        .store
        .write(move |tx| {
            prefetch::caller_in_community(tx, caller.principal, caller.tenant, community)?;
            let at = in_community(tx, caller, path_tenant, community)?;
            at.require(Operation::InviteTenant)?;
            let sending = Sending {
                who: &who,
                community,
                community_name: at.community.name.as_str(),
                inviting_tenant: &at.me.tenant.company_name,
                caller,
                now,
                ttl,
                cap,
            };
            listed
                .iter()
                .map(|item| invite_one(tx, &sending, item))
                .collect::<Result<Vec<_>, AppError>>()
        })
        .await?;
    ctx.mail_ready.notify_one();
    Ok(results)
}

fn invite_one(tx: &WriteTx, s: &Sending, listed: &Listed) -> Result<RecipientResult, AppError> {
    let (recipient, outcome) = match listed {
        Listed::Invalid { text, why } => (text.clone(), Outcome::Invalid(why.clone())),
        Listed::Address(address) => (address.to_string(), outcome(tx, s, address)?),
    };
    Ok(RecipientResult { recipient, outcome })
}

/// The checks of a single invitation, in an order that writes nothing
/// until the address is known to be sent: a member, an open invitation,
/// the cap. (Trusted email domains, when a community sets them, are
/// checked before these.)
fn outcome(tx: &WriteTx, s: &Sending, recipient: &EmailAddress) -> Result<Outcome, AppError> {
    if !trusted_domains::domain_allowed(tx, s.community, recipient)? {
        return Ok(Outcome::DomainNotAllowed);
    }
    if let Some(tenant) = member_owning(tx, s.community, recipient, s.now)? {
        return Ok(Outcome::AlreadyMember(tenant));
    }
    if let Some(live) = invitations::live_for(tx, s.community, recipient)? {
        if live.is_live_at(s.now) {
            return Ok(Outcome::AlreadyInvited(live.id));
        }
    }
    if !invitations::spend_quota(tx, s.community, day_of(s.now), s.cap)? {
        return Ok(Outcome::OverDailyCap);
    }
    Ok(Outcome::Sent(Box::new(send(tx, s, recipient)?)))
}

/// Stores the invitation, queues its email and records it.
fn send(tx: &WriteTx, s: &Sending, recipient: &EmailAddress) -> Result<InvitationView, AppError> {
    let mut inv = Invitation::new(
        s.community,
        s.caller.tenant,
        s.caller.principal,
        recipient.clone(),
        s.now,
        s.ttl,
    );
    let email = invitation_email(&mut inv, s.inviting_tenant, s.community_name, s.now);
    take_address(tx, &inv, s.now)?;
    outbox::put(tx, &email)?;
    let detail = serde_json::json!({
        "Community": s.community.to_string(),
        "Recipient": recipient.as_str(),
    });
    let subject = Subject::invitation(inv.id);
    audit::record(
        tx,
        s.who,
        AuditKind::InvitationCreated,
        subject,
        detail,
        &[],
    )?;
    Ok(InvitationView {
        state: inv.state_at(s.now),
        invitation: inv,
        community_name: s.community_name.to_string(),
        accepted_tenant_name: None,
        delivery: Some(Delivery::of(&DeliveryReport::of(&email))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_list_is_read_once_per_address_whatever_its_case() {
        let listed = read_list(&texts(&[
            "a@b.example",
            " A@B.example ",
            "not an address",
            "not an address",
            "c@b.example",
        ]))
        .unwrap();
        assert_eq!(listed.len(), 3, "{listed:?}");
        assert!(matches!(&listed[0], Listed::Address(a) if a.as_str() == "a@b.example"));
        assert!(matches!(&listed[1], Listed::Invalid { text, .. } if text == "not an address"));
    }

    #[test]
    fn an_empty_or_too_long_list_is_refused_naming_the_field() {
        for list in [
            Vec::new(),
            vec!["a@b.example".to_string(); MAX_RECIPIENTS + 1],
        ] {
            match read_list(&list) {
                Err(AppError::Invalid { field, .. }) => assert_eq!(field, FIELD),
                other => panic!("{other:?}"),
            }
        }
        assert!(read_list(&vec!["a@b.example".to_string(); MAX_RECIPIENTS]).is_ok());
    }
}
