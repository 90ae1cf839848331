//! The invitation handshake through HTTP and a real SMTP listener on loopback.

use crate::helpers::*;
use crate::smtp::SmtpCapture;
use communityd::auth::link_token::LinkPurpose;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::json;

async fn app_with_smtp(smtp: &SmtpCapture) -> TestApp {
    let url = smtp.url();
    spawn_app_with(move |s| s.smtp_url = url).await
}

/// The token at the end of an emailed link.
fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn the_whole_handshake_runs_through_http_and_smtp() {
    let smtp = SmtpCapture::start().await;
    let app = app_with_smtp(&smtp).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;

    // Create: stored lower-cased, and an invitation email queued with it.
    let inv = app
        .invite(&contoso, &community, "Admin@Fabrikam.example")
        .await;
    assert_eq!(inv["State"], "InvitationCreated");
    assert_eq!(inv["InvitationRecipient"], "admin@fabrikam.example");
    assert_eq!(inv["InvitedTenantId"], serde_json::Value::Null);
    let id = inv["Id"].as_str().unwrap().to_string();

    let email = smtp
        .wait_for_email("admin@fabrikam.example", "Plant data")
        .await;
    assert_eq!(
        email.envelope_to,
        vec!["admin@fabrikam.example".to_string()]
    );
    assert!(
        email.subject.contains("Contoso"),
        "subject names the inviter: {}",
        email.subject
    );
    assert!(
        email.raw.contains("multipart/alternative"),
        "both parts: {}",
        email.raw
    );
    assert!(email.html.contains("VIEW COMMUNITY INVITE"));
    assert!(email.text.contains("VIEW COMMUNITY INVITE"));
    let link = email.link("/invitations/").expect("invite link");
    assert!(
        link.starts_with(&app.url),
        "absolute link to this server: {link}"
    );
    let claims = app
        .ctx
        .links
        .verify(&token_of(&link), LinkPurpose::Invite, app.clock.now())
        .expect("the server accepts the emailed token");
    assert_eq!(claims.invitation.to_string(), id);

    // Accept as the invitee's Tenant Administrator.
    let accepted = app.accept(&fabrikam.token, &id).await;
    assert_eq!(accepted["State"], "InvitationAccepted");
    assert_eq!(accepted["InvitedTenantId"], fabrikam.id.to_string());
    assert!(accepted["Accepted"].is_string());
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![
            ("Contoso".into(), "Active".into()),
            ("Fabrikam".into(), "AwaitingConfirmation".into())
        ]
    );

    // The inviter (a client, so its tenant's administrators) gets the pending link.
    let pending = smtp
        .wait_for_email("admin@contoso.example", "awaits confirmation")
        .await;
    assert!(pending.html.contains("VIEW PENDING INVITATIONS"));
    let pending_link = pending.link("/pending/").expect("pending link");
    app.ctx
        .links
        .verify(
            &token_of(&pending_link),
            LinkPurpose::Pending,
            app.clock.now(),
        )
        .expect("pending token accepted");

    // Confirm: both see each other Active, and the invitee is told.
    let confirmed = json_with_status(
        app.act(&contoso.token, &id, "Confirm").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(confirmed["State"], "InvitationCompleted");
    let both = vec![
        ("Contoso".to_string(), "Active".to_string()),
        ("Fabrikam".to_string(), "Active".to_string()),
    ];
    assert_eq!(app.member_statuses(&contoso, &community).await, both);
    assert_eq!(app.member_statuses(&fabrikam, &community).await, both);
    smtp.wait_for_email("admin@fabrikam.example", "now a member")
        .await;

    // The accepting client became Community Administrator + Member of its tenant.
    let clients = json_with_status(
        app.get(
            &format!(
                "{}/{community}/ClientCredentialClients",
                communities_path(fabrikam.id)
            ),
            &fabrikam.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(clients[0]["Id"], fabrikam.client_id.to_string());
    assert_eq!(clients[0]["RoleIds"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn declining_ends_the_invitation_and_tells_the_inviter() {
    let smtp = SmtpCapture::start().await;
    let app = app_with_smtp(&smtp).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let id = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;

    let declined = json_with_status(
        app.act(&fabrikam.token, &id, "Decline").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(declined["State"], "InvitationDeclined");
    smtp.wait_for_email("admin@contoso.example", "declined")
        .await;
    assert_error(
        app.act(&fabrikam.token, &id, "Accept").await,
        StatusCode::CONFLICT,
        "InvitationDeclined",
    )
    .await;
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![("Contoso".into(), "Active".into())]
    );
}

#[tokio::test]
async fn resend_sends_a_new_link_and_kills_the_old_one() {
    let smtp = SmtpCapture::start().await;
    let app = app_with_smtp(&smtp).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let inv = app
        .invite(&contoso, &community, &fabrikam.admin_email)
        .await;
    let id = inv["Id"].as_str().unwrap().to_string();
    let first = smtp.wait_for(1).await[0].link("/invitations/").unwrap();

    app.clock.advance(chrono::Duration::minutes(30));
    let resent = app.act(&contoso.token, &id, "Resend").await;
    let resent = json_with_status(resent, StatusCode::ACCEPTED).await;
    assert_ne!(
        resent["Expires"], inv["Expires"],
        "a resend renews the expiry"
    );
    let emails = smtp.wait_for(2).await;
    let second = emails[1].link("/invitations/").unwrap();
    assert_ne!(first, second);
    assert_ne!(emails[0].message_id, emails[1].message_id);

    // Both tokens are validly signed; only the new one is the current generation.
    let now = app.clock.now();
    let old = app
        .ctx
        .links
        .verify(&token_of(&first), LinkPurpose::Invite, now)
        .unwrap();
    let new = app
        .ctx
        .links
        .verify(&token_of(&second), LinkPurpose::Invite, now)
        .unwrap();
    let stored = invitation_record(&app, &id).await;
    assert_ne!(
        old.generation, stored.generation,
        "the old link is superseded"
    );
    assert_eq!(new.generation, stored.generation, "the new link is current");
}

pub async fn invitation_record(
    app: &TestApp,
    id: &str,
) -> communityd::domain::invitation::Invitation {
    let id = communityd::domain::ids::InvitationId::parse(id).unwrap();
    app.ctx
        .store
        .read(move |tx| communityd::store::invitations::get(tx, id))
        .await
        .unwrap()
        .expect("invitation stored")
}

#[tokio::test]
async fn deleting_an_invitation_withdraws_it() {
    let smtp = SmtpCapture::start().await;
    let app = app_with_smtp(&smtp).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let id = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;
    smtp.wait_for(1).await;

    let path = format!("{}/{id}", invitations_path(contoso.id, &community));
    assert_eq!(
        app.delete(&path, &contoso.token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_error(
        app.get(&path, &contoso.token).await,
        StatusCode::NOT_FOUND,
        "does not exist",
    )
    .await;
    assert_error(
        app.act(&fabrikam.token, &id, "Accept").await,
        StatusCode::CONFLICT,
        "withdrawn",
    )
    .await;
    assert!(invitation_record(&app, &id).await.withdrawn.is_some());
    // The address may be invited again.
    app.invite(&contoso, &community, &fabrikam.admin_email)
        .await;
}

#[tokio::test]
async fn invitations_expire_after_their_lifetime() {
    let app = spawn_app_with(|s| s.invitation_ttl = std::time::Duration::from_secs(1)).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let inv = app
        .invite(&contoso, &community, &fabrikam.admin_email)
        .await;
    let id = inv["Id"].as_str().unwrap().to_string();
    let issued = chrono::DateTime::parse_from_rfc3339(inv["Issued"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(inv["Expires"].as_str().unwrap()).unwrap();
    assert_eq!((expires - issued).num_seconds(), 1);

    app.clock.advance(chrono::Duration::seconds(2));
    let path = format!("{}/{id}", invitations_path(contoso.id, &community));
    let read = json_with_status(app.get(&path, &contoso.token).await, StatusCode::OK).await;
    assert_eq!(
        read["State"], "InvitationExpired",
        "expiry is computed on read"
    );
    assert_error(
        app.act(&fabrikam.token, &id, "Accept").await,
        StatusCode::CONFLICT,
        "InvitationExpired",
    )
    .await;

    assert_eq!(communityd::app::expiry::sweep(&app.ctx).await.unwrap(), 1);
    assert_eq!(
        invitation_record(&app, &id).await.state,
        communityd::domain::invitation::InvitationState::InvitationExpired,
        "the sweep makes it durable"
    );
    // An expired invitation can be resent, which revives it.
    let resent = json_with_status(
        app.act(&contoso.token, &id, "Resend").await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(resent["State"], "InvitationCreated");
}

#[tokio::test]
async fn only_a_tenant_administrator_of_the_addressed_tenant_may_answer() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let community = app.community(&contoso, "Plant data").await;
    let id = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;

    let (_, member_token) = app.client(fabrikam.id, &[Role::TenantMember]).await;
    assert_error(
        app.act(&member_token, &id, "Accept").await,
        StatusCode::FORBIDDEN,
        "Tenant Administrator",
    )
    .await;
    assert_error(
        app.act(&northwind.token, &id, "Accept").await,
        StatusCode::FORBIDDEN,
        "addressed",
    )
    .await;
    assert_error(
        app.act(&northwind.token, &id, "Decline").await,
        StatusCode::FORBIDDEN,
        "addressed",
    )
    .await;
    // Confirm and Resend belong to the inviting side; to anyone else the
    // invitation answers as one that does not exist.
    assert_error(
        app.act(&fabrikam.token, &id, "Resend").await,
        StatusCode::NOT_FOUND,
        "sent no invitation",
    )
    .await;
    assert_eq!(
        invitation_record(&app, &id).await.state,
        communityd::domain::invitation::InvitationState::InvitationCreated
    );
}

#[tokio::test]
async fn only_the_inviting_side_may_confirm() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let id = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;
    app.accept(&fabrikam.token, &id).await;

    assert_error(
        app.act(&fabrikam.token, &id, "Confirm").await,
        StatusCode::NOT_FOUND,
        "sent no invitation",
    )
    .await;
    let (_, plain_member) = app.client(contoso.id, &[Role::TenantMember]).await;
    assert_error(
        app.act(&plain_member, &id, "Confirm").await,
        StatusCode::FORBIDDEN,
        "Community Administrator",
    )
    .await;
    assert_eq!(
        app.member_statuses(&contoso, &community).await[1],
        ("Fabrikam".to_string(), "AwaitingConfirmation".to_string())
    );
}

#[tokio::test]
async fn a_second_accept_is_a_conflict() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let id = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;
    app.accept(&fabrikam.token, &id).await;
    assert_error(
        app.act(&fabrikam.token, &id, "Accept").await,
        StatusCode::CONFLICT,
        "already a member",
    )
    .await;
}

#[tokio::test]
async fn inviting_a_member_tenant_or_an_open_address_again_is_a_conflict() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let path = invitations_path(contoso.id, &community);

    let own = app
        .post_json(
            &path,
            &contoso.token,
            &json!({"InvitationRecipient": "ADMIN@contoso.example"}),
        )
        .await;
    assert_error(own, StatusCode::CONFLICT, "already a member").await;

    app.invite(&contoso, &community, &fabrikam.admin_email)
        .await;
    let again = app
        .post_json(
            &path,
            &contoso.token,
            &json!({"InvitationRecipient": "Admin@Fabrikam.example"}),
        )
        .await;
    assert_error(again, StatusCode::CONFLICT, "open invitation").await;

    let northwind = app.tenant("Northwind").await;
    app.join(&contoso, &community, &northwind).await;
    let member = app
        .post_json(
            &path,
            &contoso.token,
            &json!({"InvitationRecipient": northwind.admin_email}),
        )
        .await;
    assert_error(member, StatusCode::CONFLICT, "already a member").await;
}

#[tokio::test]
async fn bad_invitation_input_names_the_field() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let path = invitations_path(contoso.id, &community);
    let body = assert_error(
        app.post_json(
            &path,
            &contoso.token,
            &json!({"InvitationRecipient": "not an address"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "InvitationRecipient",
    )
    .await;
    assert_eq!(body["Parameter"], "InvitationRecipient");
    assert_error(
        app.post_json(&path, &contoso.token, &json!({})).await,
        StatusCode::BAD_REQUEST,
        "InvitationRecipient",
    )
    .await;
    assert_error(
        app.post_json(&path, &contoso.token, &json!({"InvitationRecipient": 7}))
            .await,
        StatusCode::BAD_REQUEST,
        "InvitationRecipient",
    )
    .await;
    let id = app.invite_id(&contoso, &community, "x@y.example").await;
    assert_error(
        app.put_json(
            &format!("/api/v1-preview/communityinvitations/{id}"),
            &contoso.token,
            &json!({"Action": "Maybe"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "Action",
    )
    .await;
    assert_error(
        app.act(&contoso.token, "not-a-guid", "Accept").await,
        StatusCode::BAD_REQUEST,
        "invitationId",
    )
    .await;
}

#[tokio::test]
async fn invitation_creation_is_capped_per_community_per_day() {
    let app = spawn_app_with(|s| s.invitations_per_community_per_day = 2).await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    app.invite(&contoso, &community, "a@one.example").await;
    app.invite(&contoso, &community, "b@two.example").await;
    let third = app
        .post_json(
            &invitations_path(contoso.id, &community),
            &contoso.token,
            &json!({"InvitationRecipient": "c@three.example"}),
        )
        .await;
    let retry_after: u64 = third.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0 && retry_after <= 86_400);
    assert_error(third, StatusCode::TOO_MANY_REQUESTS, "invitation emails").await;
    // Nothing was written for the refused one.
    let list = json_with_status(
        app.get(&invitations_path(contoso.id, &community), &contoso.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    // The next UTC day has a fresh allowance (and needs a fresh token).
    app.clock.advance(chrono::Duration::days(1));
    let contoso = TestTenant {
        token: app.token(contoso.client_id, &contoso.client_secret).await,
        ..contoso
    };
    app.invite(&contoso, &community, "c@three.example").await;
}

#[tokio::test]
async fn details_and_the_accepted_list_serve_the_invited_tenant() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let id = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;

    let details_path = format!("/api/v1-preview/communityinvitations/{id}/details");
    let details = json_with_status(
        app.get(&details_path, &fabrikam.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(details["CommunityName"], "Plant data");
    assert_eq!(details["CommunityId"], community);
    assert_eq!(details["TenantAlreadyMemberOfCommunity"], false);
    assert_eq!(details["InvitationState"], "InvitationCreated");
    let northwind = app.tenant("Northwind").await;
    assert_error(
        app.get(&details_path, &northwind.token).await,
        StatusCode::FORBIDDEN,
        "addressed",
    )
    .await;

    let accepted_path = format!(
        "/api/v1-preview/tenants/{}/communityinvitations",
        fabrikam.id
    );
    let none = json_with_status(
        app.get(&accepted_path, &fabrikam.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(none, json!([]));
    app.accept(&fabrikam.token, &id).await;
    let one = json_with_status(
        app.get(&accepted_path, &fabrikam.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one[0]["Id"], id);
    assert_eq!(one[0]["State"], "InvitationAccepted");
    let details = json_with_status(
        app.get(&details_path, &fabrikam.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(details["TenantAlreadyMemberOfCommunity"], true);
    assert_error(
        app.get(
            &format!(
                "/api/v1-preview/tenants/{}/communityinvitations",
                contoso.id
            ),
            &fabrikam.token,
        )
        .await,
        StatusCode::FORBIDDEN,
        "own tenant",
    )
    .await;
}
