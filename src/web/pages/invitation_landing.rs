//! Where email links land. A GET never changes an invitation (mail scanners
//! prefetch links); Join and Decline are POSTs with the CSRF token.

use super::render::{PageResult, Portal};
use crate::app::handshake::{self, Action};
use crate::app::invitations::{details_in, InvitationDetails};
use crate::app::portal::{self, LinkTarget};
use crate::app::{identity, AppError};
use crate::auth::link_token::{LinkError, LinkPurpose};
use crate::domain::ids::InvitationId;
use crate::domain::invitation::InvitationState;
use crate::domain::session::LinkGrant;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

/// The one page the public sees for any unusable link: no detail, so a
/// stranger learns nothing about the invitation.
pub(super) fn generic_invalid(p: &Portal) -> HttpResponse {
    p.message(
        StatusCode::NOT_FOUND,
        "Invitation link not valid",
        "This invitation link is invalid or has expired. Ask the person who invited you to send a new invitation.",
    )
}

/// The reason, for someone signed in.
fn link_reason(target: LinkTarget) -> &'static str {
    match target {
        LinkTarget::Usable(_) => "",
        LinkTarget::Missing => "This invitation no longer exists (the community may have been deleted).",
        LinkTarget::Withdrawn => "The inviting tenant withdrew this invitation, so its link no longer works.",
        LinkTarget::Superseded => "The invitation was sent again with a newer link; use the link in the most recent email.",
        LinkTarget::Expired => "This invitation has expired. Ask the inviting tenant to resend it.",
    }
}

/// The reason for someone entitled to it, the generic page for everyone else.
fn unusable(p: &Portal, reason: &str, explain: bool) -> HttpResponse {
    if !explain || p.visitor.is_none() {
        return generic_invalid(p);
    }
    p.message(
        StatusCode::GONE,
        "This invitation link cannot be used",
        reason,
    )
}

/// The token's target, or the page that explains why there is none. A link
/// that is not ours (or was altered) names no invitation, so nobody can be
/// told more than the generic text.
async fn target_of(p: &Portal, token: &str) -> Result<LinkGrant, HttpResponse> {
    let claims = match p
        .ctx
        .links
        .verify(token, LinkPurpose::Invite, p.ctx.clock.now())
    {
        Ok(c) | Err(LinkError::Expired(c)) => c,
        Err(LinkError::Invalid) => return Err(generic_invalid(p)),
    };
    let viewer = p.visitor.as_ref().map(|v| v.caller());
    match portal::invite_link_target(&p.ctx, claims, viewer).await {
        Ok((LinkTarget::Usable(id), _)) => Ok(LinkGrant {
            invitation: id,
            generation: claims.generation,
        }),
        Ok((other, explain)) => Err(unusable(p, link_reason(other), explain)),
        Err(e) => Err(p.finish(Err(e.into()))),
    }
}

pub async fn landing(p: Portal, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let grant = match target_of(&p, &token).await {
        Ok(grant) => grant,
        Err(page) => return page,
    };
    let result = landing_inner(&p, grant).await;
    p.finish(result)
}

async fn landing_inner(p: &Portal, grant: LinkGrant) -> PageResult {
    let v = p.visitor()?;
    // Noting that this session followed the link proves mailbox access (for
    // this link's generation only); it changes no invitation, so it is
    // allowed on GET. A session that ended meanwhile is not written back.
    if !identity::note_invitation_link(&p.ctx, &v.id, grant).await? {
        return Ok(p.to_login());
    }
    let (caller, now, id) = (v.caller(), p.ctx.clock.now(), grant.invitation);
    let link = Some(grant.generation);
    let details = p
        .ctx
        .store
        .read(move |tx| details_in(tx, caller, id, link, now))
        .await;
    match details {
        Ok(d) => Ok(answer_page(p, id, &d)),
        Err(AppError::Forbidden(_)) => Ok(not_an_administrator(p)),
        Err(e) => Err(e.into()),
    }
}

fn not_an_administrator(p: &Portal) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert("title", "Only a Tenant Administrator can join");
    page.insert("wrong_user", &true);
    p.render_status(StatusCode::FORBIDDEN, "invitation_landing", &mut page)
}

/// The words for an invitation that can no longer be answered.
fn answered_words(d: &InvitationDetails, me: &str) -> (&'static str, String) {
    let (community, inviter) = (&d.community_name, &d.inviting_tenant);
    match d.state {
        InvitationState::InvitationCompleted if d.tenant_already_member => (
            "Your tenant is already in this community",
            format!("The invitation from {inviter} was accepted and confirmed; your tenant {me} is a member of {community}."),
        ),
        InvitationState::InvitationCompleted => (
            "This invitation was already used",
            format!("The invitation from {inviter} to join {community} was accepted and confirmed, and your tenant {me} is not a member of {community} now. To join again, ask {inviter} for a new invitation."),
        ),
        InvitationState::InvitationAccepted => (
            "This invitation was already answered",
            format!("The invitation to join {community} was accepted; it is awaiting confirmation by {inviter}."),
        ),
        InvitationState::InvitationDeclined => (
            "This invitation was already answered",
            format!("The invitation from {inviter} to join {community} was declined. To join after all, ask {inviter} for a new invitation."),
        ),
        InvitationState::InvitationExpired => (
            "This invitation has expired",
            format!("The invitation from {inviter} to join {community} has expired. Ask {inviter} to resend it."),
        ),
        _ => (
            "This invitation cannot be used",
            format!("{inviter} withdrew the invitation to join {community}."),
        ),
    }
}

fn answer_page(p: &Portal, id: InvitationId, d: &InvitationDetails) -> HttpResponse {
    let mut page = tera::Context::new();
    page.insert("invitation", &id.to_string());
    page.insert("community_name", &d.community_name);
    page.insert("inviting_tenant", &d.inviting_tenant);
    page.insert("recipient", &d.recipient);
    page.insert("expires", &super::render::readable_time(&d.expires));
    let me = p
        .visitor
        .as_ref()
        .map(|v| v.who.tenant_name.clone())
        .unwrap_or_default();
    let title = if d.state != InvitationState::InvitationCreated {
        let (title, text) = answered_words(d, &me);
        page.insert("answered", &text);
        title
    } else if d.tenant_already_member {
        page.insert("already_member", &true);
        "Your tenant is already in this community"
    } else {
        page.insert("can_answer", &true);
        "Join community"
    };
    page.insert("title", title);
    p.render("invitation_landing", page)
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    invitation: InvitationId,
    #[serde(default)]
    answer: String,
    confirm: Option<String>,
}

pub async fn answer(p: Portal, form: web::Form<AnswerForm>) -> HttpResponse {
    let result = answer_inner(&p, form.into_inner()).await;
    p.finish(result)
}

async fn answer_inner(p: &Portal, form: AnswerForm) -> PageResult {
    let v = p.checked(&form.csrf)?;
    let id = form.invitation;
    // Following the signed link is what lets a person whose tenant does
    // not own the recipient address answer; the use case reads that from
    // the session inside its transaction, against the current generation.
    let action = match form.answer.as_str() {
        "join" => Action::Accept,
        "decline" => Action::Decline,
        _ => {
            return Ok(p.message(
                StatusCode::BAD_REQUEST,
                "Unknown answer",
                "Choose Join or Decline.",
            ))
        }
    };
    if action == Action::Decline && form.confirm.as_deref() != Some("yes") {
        let mut page = tera::Context::new();
        page.insert("invitation", &id.to_string());
        page.insert("title", "Decline invitation?");
        page.insert("confirm_decline", &true);
        return Ok(p.render("invitation_landing", page));
    }
    handshake::process(&p.ctx, v.caller(), id, action, Some(&v.id)).await?;
    // Redirect after the POST: a refresh shows the result again instead of
    // sending the answer a second time.
    Ok(p.done(
        if action == Action::Accept {
            "joined"
        } else {
            "declined"
        },
        "/communities",
    ))
}

/// Why the sign-in page is asking, for someone who followed an email link
/// that still works: `(purpose, community, inviting tenant)`.
pub async fn sign_in_reason(p: &Portal, next: &str) -> Option<(&'static str, String, String)> {
    let now = p.ctx.clock.now();
    let (purpose, token) = if let Some(t) = next.strip_prefix("/invitations/") {
        ("answer", t)
    } else if let Some(t) = next.strip_prefix("/pending/") {
        ("confirm", t)
    } else {
        return None;
    };
    let id = if purpose == "answer" {
        let claims = p.ctx.links.verify(token, LinkPurpose::Invite, now).ok()?;
        match portal::invite_link_target(&p.ctx, claims, None).await {
            Ok((LinkTarget::Usable(id), _)) => id,
            _ => return None,
        }
    } else {
        p.ctx
            .links
            .verify(token, LinkPurpose::Pending, now)
            .ok()?
            .invitation
    };
    let (community, inviter) = portal::link_subject(&p.ctx, id).await.ok()??;
    Some((purpose, community, inviter))
}

/// VIEW PENDING INVITATIONS: the inviter's way to the accepted invitation.
pub async fn pending(p: Portal, path: web::Path<String>) -> HttpResponse {
    let token = path.into_inner();
    let claims = match p
        .ctx
        .links
        .verify(&token, LinkPurpose::Pending, p.ctx.clock.now())
    {
        Ok(c) => c,
        Err(_) if p.visitor.is_none() => return generic_invalid(&p),
        Err(_) => return unusable(
            &p,
            "This link has expired or was altered. Open the community's Invitations tab instead.",
            true,
        ),
    };
    let result = pending_inner(&p, claims.invitation).await;
    p.finish(result)
}

async fn pending_inner(p: &Portal, id: InvitationId) -> PageResult {
    let v = p.visitor()?;
    let community = portal::issued_invitation_community(&p.ctx, v.caller(), id).await?;
    Ok(super::render::redirect(&format!(
        "/communities/{community}?tab=invitations#invitation-{id}"
    )))
}
