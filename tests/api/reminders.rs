//! Invitation reminders under a moved clock, read from the SMTP capture:
//! the recipient's one "expires soon" email per generation, none once the
//! invitation is answered or withdrawn, none twice across a restart; the
//! inviting community's administrators' one "expired" email.

use crate::helpers::*;
use crate::smtp::{CapturedEmail, SmtpCapture};
use chrono::{DateTime, Duration, Utc};
use communityd::app::{expiry, reminders};
use communityd::auth::link_token::LinkPurpose;
use communityd::domain::ids::InvitationId;
use communityd::domain::invitation::Invitation;
use communityd::domain::notification::{DeliveryStatus, Notice};
use communityd::domain::role::Role;
use communityd::store::{invitations, outbox};
use reqwest::StatusCode;
use serde_json::json;

const REMINDER: &str = "Reminder:";
const EXPIRED: &str = "expired";

async fn app_with(
    smtp: &SmtpCapture,
    change: impl FnOnce(&mut communityd::config::Settings),
) -> TestApp {
    let url = smtp.url();
    spawn_app_with(move |s| {
        s.smtp_url = url;
        change(s);
    })
    .await
}

/// Contoso's community "Plant data" and an invitation to Fabrikam's
/// administrator, its invitation email arrived.
struct World {
    app: TestApp,
    contoso: TestTenant,
    fabrikam: TestTenant,
    community: String,
    invitation: String,
}

async fn world(app: TestApp, smtp: &SmtpCapture) -> World {
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let invitation = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;
    smtp.wait_for_email(&fabrikam.admin_email, "invites your tenant")
        .await;
    World {
        app,
        contoso,
        fabrikam,
        community,
        invitation,
    }
}

impl World {
    /// Tokens do not outlive a moved clock: fresh ones for both tenants.
    async fn refresh_tokens(&mut self) {
        for t in [&mut self.contoso, &mut self.fabrikam] {
            t.token = self.app.token(t.client_id, &t.client_secret).await;
        }
    }
}

fn with_subject<'a>(emails: &'a [CapturedEmail], needle: &str) -> Vec<&'a CapturedEmail> {
    emails
        .iter()
        .filter(|e| e.subject.contains(needle))
        .collect()
}

/// Lets the mail worker send whatever is queued, then the emails so far.
async fn settled(smtp: &SmtpCapture) -> Vec<CapturedEmail> {
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    smtp.emails()
}

async fn sweep_reminders(app: &TestApp) -> usize {
    reminders::sweep(&app.ctx).await.expect("reminder sweep")
}

async fn sweep_expired(app: &TestApp) -> usize {
    expiry::sweep(&app.ctx).await.expect("expiry sweep")
}

async fn stored(app: &TestApp, id: &str) -> Invitation {
    let id = InvitationId::parse(id).expect("invitation id");
    app.ctx
        .store
        .read(move |tx| Ok::<_, communityd::app::AppError>(invitations::get(tx, id)?))
        .await
        .expect("read")
        .expect("stored")
}

/// As the emails write a time.
fn readable(t: DateTime<Utc>) -> String {
    t.format("%-d %B %Y at %H:%M UTC").to_string()
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn the_reminder_arrives_once_two_days_before_expiry_with_the_invitations_link() {
    let smtp = SmtpCapture::start().await;
    let mut w = world(app_with(&smtp, |_| {}).await, &smtp).await;
    let expires = stored(&w.app, &w.invitation).await.expires;

    // Not yet: a minute before the reminder is due.
    w.app
        .clock
        .advance(Duration::days(12) - Duration::minutes(1));
    assert_eq!(sweep_reminders(&w.app).await, 0);
    assert!(with_subject(&settled(&smtp).await, REMINDER).is_empty());

    w.app.clock.advance(Duration::minutes(2));
    assert_eq!(sweep_reminders(&w.app).await, 1);
    let email = smtp.wait_for_email(&w.fabrikam.admin_email, REMINDER).await;
    assert_eq!(email.envelope_to, vec![w.fabrikam.admin_email.clone()]);
    assert_eq!(
        email.subject,
        format!(
            "Reminder: the invitation to \"Plant data\" expires on {}",
            readable(expires)
        )
    );
    for part in [&email.text, &email.html] {
        assert!(
            part.contains("Contoso"),
            "names the inviting tenant: {part}"
        );
        assert!(part.contains("Plant data"), "names the community: {part}");
        assert!(part.contains(&readable(expires)), "says when: {part}");
    }
    assert!(email.html.contains("VIEW COMMUNITY INVITE"));

    // The invitation's own link, signed for its generation, and it works.
    let link = email.link("/invitations/").expect("the invitation link");
    assert!(link.starts_with(&w.app.url), "{link}");
    let claims = w
        .app
        .ctx
        .links
        .verify(&token_of(&link), LinkPurpose::Invite, w.app.clock.now())
        .expect("a valid invitation token");
    assert_eq!(claims.invitation.to_string(), w.invitation);
    assert_eq!(claims.generation, 1);
    let followed = w.app.http.get(&link).send().await.expect("GET");
    assert_eq!(
        followed.status(),
        StatusCode::SEE_OTHER,
        "a live link asks for sign-in (a dead one is 404)"
    );
    assert_eq!(stored(&w.app, &w.invitation).await.reminded, 1);

    // Sweeping again, later still, sends nothing more.
    w.app.clock.advance(Duration::hours(6));
    assert_eq!(sweep_reminders(&w.app).await, 0);
    assert_eq!(with_subject(&settled(&smtp).await, REMINDER).len(), 1);

    // And the invitation can still be answered.
    w.refresh_tokens().await;
    let accepted = w.app.accept(&w.fabrikam.token, &w.invitation).await;
    assert_eq!(accepted["State"], "InvitationAccepted");
}

#[tokio::test]
async fn no_reminder_after_accept_decline_or_withdrawal() {
    let smtp = SmtpCapture::start().await;
    let app = app_with(&smtp, |_| {}).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let community = app.community(&contoso, "Plant data").await;
    let accepted = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;
    let declined = app
        .invite_id(&contoso, &community, &northwind.admin_email)
        .await;
    let withdrawn = app
        .invite_id(&contoso, &community, "nobody@elsewhere.example")
        .await;
    app.accept(&fabrikam.token, &accepted).await;
    json_with_status(
        app.act(&northwind.token, &declined, "Decline").await,
        StatusCode::OK,
    )
    .await;
    let path = format!("{}/{withdrawn}", invitations_path(contoso.id, &community));
    assert!(app
        .delete(&path, &contoso.token)
        .await
        .status()
        .is_success());

    app.clock.advance(Duration::days(12) + Duration::hours(1));
    assert_eq!(sweep_reminders(&app).await, 0);
    let emails = settled(&smtp).await;
    assert!(
        with_subject(&emails, REMINDER).is_empty(),
        "{:?}",
        emails.iter().map(|e| &e.subject).collect::<Vec<_>>()
    );
    for id in [&accepted, &declined, &withdrawn] {
        assert_eq!(stored(&app, id).await.reminded, 0, "never reminded");
    }
}

/// A reminder queued while the mail server was away, and the invitation
/// answered before it could leave: the outbox drops it unsent.
#[tokio::test]
async fn a_queued_reminder_overtaken_by_an_answer_is_dropped_unsent() {
    let mut smtp = SmtpCapture::start().await;
    let mut w = world(app_with(&smtp, |s| s.mail_max_attempts = 50).await, &smtp).await;
    smtp.stop();
    w.app.clock.advance(Duration::days(12) + Duration::hours(1));
    assert_eq!(sweep_reminders(&w.app).await, 1);
    w.refresh_tokens().await;
    json_with_status(
        w.app.act(&w.fabrikam.token, &w.invitation, "Decline").await,
        StatusCode::OK,
    )
    .await;
    smtp.resume().await;
    smtp.wait_for_email(&w.contoso.admin_email, "declined")
        .await;
    let status = settled_reminder(&w.app).await;
    assert!(
        matches!(&status, DeliveryStatus::Dropped { reason } if reason.contains("InvitationDeclined")),
        "{status:?}"
    );
    assert!(with_subject(&smtp.emails(), REMINDER).is_empty());
}

/// The outcome of the one queued reminder, once it has one (bounded wait:
/// its retries back off while the mail server is away).
async fn settled_reminder(app: &TestApp) -> DeliveryStatus {
    for _ in 0..200 {
        let entries = app
            .ctx
            .store
            .read(|tx| Ok::<_, communityd::app::AppError>(outbox::page_after(tx, None, 100)?))
            .await
            .expect("outbox");
        let reminder = entries
            .into_iter()
            .find(|e| matches!(e.notice, Notice::InvitationReminder { .. }))
            .expect("the reminder was queued");
        if !reminder.status.is_pending() {
            return reminder.status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the reminder never settled");
}

#[tokio::test]
async fn a_resend_earns_one_reminder_for_the_new_generation() {
    let smtp = SmtpCapture::start().await;
    let mut w = world(app_with(&smtp, |_| {}).await, &smtp).await;
    w.app.clock.advance(Duration::days(12) + Duration::hours(1));
    assert_eq!(sweep_reminders(&w.app).await, 1);
    let first = smtp.wait_for_email(&w.fabrikam.admin_email, REMINDER).await;

    w.refresh_tokens().await;
    json_with_status(
        w.app.act(&w.contoso.token, &w.invitation, "Resend").await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(
        sweep_reminders(&w.app).await,
        0,
        "the new lifetime just began"
    );
    w.app.clock.advance(Duration::days(12) + Duration::hours(1));
    assert_eq!(sweep_reminders(&w.app).await, 1);
    assert_eq!(sweep_reminders(&w.app).await, 0);

    let emails = settled(&smtp).await;
    let reminders = with_subject(&emails, REMINDER);
    assert_eq!(reminders.len(), 2, "one per generation");
    let second = reminders
        .iter()
        .find(|e| e.message_id != first.message_id)
        .expect("the second reminder");
    let now = w.app.clock.now();
    let claims = w
        .app
        .ctx
        .links
        .verify(
            &token_of(&second.link("/invitations/").unwrap()),
            LinkPurpose::Invite,
            now,
        )
        .unwrap();
    assert_eq!(claims.generation, 2);
    let stale = first.link("/invitations/").unwrap();
    assert_eq!(
        w.app.http.get(&stale).send().await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "the first generation's link stopped working"
    );
    assert_eq!(stored(&w.app, &w.invitation).await.reminded, 2);
}

#[tokio::test]
async fn no_reminder_twice_across_a_restart() {
    let smtp = SmtpCapture::start().await;
    let w = world(app_with(&smtp, |_| {}).await, &smtp).await;
    w.app.clock.advance(Duration::days(12) + Duration::hours(1));
    assert_eq!(sweep_reminders(&w.app).await, 1);
    smtp.wait_for_email(&w.fabrikam.admin_email, REMINDER).await;

    // The restarted server sweeps at once, and so does this test.
    let app = w.app.restart().await;
    assert_eq!(sweep_reminders(&app).await, 0);
    app.clock.advance(Duration::hours(12));
    assert_eq!(sweep_reminders(&app).await, 0);
    assert_eq!(with_subject(&settled(&smtp).await, REMINDER).len(), 1);
}

/// Contoso's community is administered by its client (which made it) and
/// by ops@, a user granted Community Administrator; member@ only holds
/// Community Member and admin@ (Tenant Administrator) no community role.
#[tokio::test]
async fn the_expired_email_goes_once_to_the_inviting_community_administrators() {
    let smtp = SmtpCapture::start().await;
    let w = world(app_with(&smtp, |_| {}).await, &smtp).await;
    let ops = "ops@contoso.example";
    let member = "member@contoso.example";
    let ops_id = w.app.user(w.contoso.id, ops, &[Role::TenantMember]).await;
    let member_id = w
        .app
        .user(w.contoso.id, member, &[Role::TenantMember])
        .await;
    let administrator = [Role::CommunityAdministrator, Role::CommunityMember];
    grant(&w, &ops_id.to_string(), &administrator).await;
    grant(&w, &member_id.to_string(), &[Role::CommunityMember]).await;
    let expires = stored(&w.app, &w.invitation).await.expires;

    w.app
        .clock
        .advance(Duration::days(14) + Duration::minutes(1));
    assert_eq!(sweep_reminders(&w.app).await, 0, "too late to remind");
    assert_eq!(sweep_expired(&w.app).await, 1);
    let email = smtp.wait_for_email(ops, EXPIRED).await;
    assert_eq!(email.envelope_to, vec![ops.to_string()]);
    assert_eq!(
        email.subject,
        format!(
            "The invitation to \"Plant data\" sent to {} expired",
            w.fabrikam.admin_email
        )
    );
    for part in [&email.text, &email.html] {
        assert!(part.contains(&w.fabrikam.admin_email), "who: {part}");
        assert!(part.contains(&readable(expires)), "when: {part}");
        assert!(part.contains("without an answer"), "{part}");
    }
    let link = email
        .link("/communities/")
        .expect("a link to the invitations");
    assert!(link.ends_with(&format!("/communities/{}?tab=invitations", w.community)));

    assert_eq!(sweep_expired(&w.app).await, 0);
    let app = w.app.restart().await;
    assert_eq!(sweep_expired(&app).await, 0);
    let emails = settled(&smtp).await;
    let expired = with_subject(&emails, EXPIRED);
    assert_eq!(expired.len(), 1, "once");
    assert!(
        with_subject(&emails, REMINDER).is_empty(),
        "no reminder for an invitation already lapsed"
    );
}

/// With no user administering the community, the expired email reaches
/// whoever sent the invitation as the other handshake emails do (for a
/// client, its tenant's administrators); an accepted invitation left
/// unconfirmed names the tenant that accepted it.
#[tokio::test]
async fn an_expired_acceptance_names_the_tenant_left_unconfirmed() {
    let smtp = SmtpCapture::start().await;
    let w = world(app_with(&smtp, |_| {}).await, &smtp).await;
    w.app.accept(&w.fabrikam.token, &w.invitation).await;
    smtp.wait_for_email(&w.contoso.admin_email, "accepted")
        .await;

    w.app
        .clock
        .advance(Duration::days(14) + Duration::minutes(1));
    assert_eq!(sweep_expired(&w.app).await, 1);
    let email = smtp.wait_for_email(&w.contoso.admin_email, EXPIRED).await;
    assert_eq!(email.envelope_to, vec![w.contoso.admin_email.clone()]);
    assert!(email
        .text
        .contains("Fabrikam accepted it but was not confirmed in time"));
    let emails = settled(&smtp).await;
    assert!(with_subject(&emails, REMINDER).is_empty());
    assert_eq!(with_subject(&emails, EXPIRED).len(), 1);
}

#[tokio::test]
async fn reminders_off_send_none_and_the_expired_email_still_goes() {
    let smtp = SmtpCapture::start().await;
    let w = world(
        app_with(&smtp, |s| {
            s.invitation_reminder_before = std::time::Duration::ZERO
        })
        .await,
        &smtp,
    )
    .await;
    w.app.clock.advance(Duration::days(13));
    assert_eq!(sweep_reminders(&w.app).await, 0);
    w.app
        .clock
        .advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(sweep_expired(&w.app).await, 1);
    smtp.wait_for_email(&w.contoso.admin_email, EXPIRED).await;
    assert!(with_subject(&settled(&smtp).await, REMINDER).is_empty());
}

/// An invitation whose whole lifetime is shorter than the reminder window
/// gets no reminder: its own email already says how little time is left.
#[tokio::test]
async fn an_invitation_shorter_than_the_window_gets_no_reminder() {
    let smtp = SmtpCapture::start().await;
    let w = world(
        app_with(&smtp, |s| {
            s.invitation_ttl = std::time::Duration::from_secs(24 * 3600);
        })
        .await,
        &smtp,
    )
    .await;
    assert_eq!(sweep_reminders(&w.app).await, 0);
    assert_eq!(
        stored(&w.app, &w.invitation).await.reminded,
        1,
        "settled without an email, so the sweep does not visit it again"
    );
    w.app.clock.advance(Duration::hours(23));
    assert_eq!(sweep_reminders(&w.app).await, 0);
    assert!(with_subject(&settled(&smtp).await, REMINDER).is_empty());
}

/// Grants `roles` in Contoso's community to one of Contoso's users.
async fn grant(w: &World, user: &str, roles: &[Role]) {
    let instances = json_with_status(
        w.app
            .get(
                &format!("/api/v1-preview/Communities/{}/Roles", w.community),
                &w.contoso.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let ids: Vec<serde_json::Value> = roles
        .iter()
        .map(|role| {
            let type_id = role.type_id().to_string();
            instances
                .as_array()
                .expect("roles")
                .iter()
                .find(|r| r["RoleTypeId"] == type_id.as_str())
                .expect("the role")["Id"]
                .clone()
        })
        .collect();
    let path = format!(
        "{}/{}/Users/{user}",
        communities_path(w.contoso.id),
        w.community
    );
    let response = w.app.put_json(&path, &w.contoso.token, &json!(ids)).await;
    json_with_status(response, StatusCode::CREATED).await;
}
