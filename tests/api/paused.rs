//! Paused means paused: a tenant the owner paused neither resumes itself
//! nor invites until the owner resumes it; a tenant that paused itself may
//! resume (and the owner cannot switch its sharing back on for it).

use crate::helpers::*;
use reqwest::{Response, StatusCode};
use serde_json::json;

async fn set_status(
    app: &TestApp,
    actor: &TestTenant,
    community: &str,
    member: &TestTenant,
    status: &str,
) -> Response {
    app.put_json(
        &format!(
            "{}/{community}/communitytenants/{}",
            communities_path(actor.id),
            member.id
        ),
        &actor.token,
        &json!({ "Status": status }),
    )
    .await
}

async fn invite(app: &TestApp, inviter: &TestTenant, community: &str, to: &str) -> Response {
    app.post_json(
        &invitations_path(inviter.id, community),
        &inviter.token,
        &json!({ "InvitationRecipient": to }),
    )
    .await
}

#[tokio::test]
async fn a_tenant_the_owner_paused_neither_resumes_itself_nor_invites() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    // Before the pause Fabrikam (Community Administrator there) may invite.
    let before = invite(&app, &fabrikam, &community, "one@northwind.example").await;
    let before = json_with_status(before, StatusCode::CREATED).await;
    let before_id = before["Id"].as_str().unwrap().to_string();

    let r = set_status(&app, &contoso, &community, &fabrikam, "Paused").await;
    assert_eq!(r.status(), StatusCode::OK);

    let r = set_status(&app, &fabrikam, &community, &fabrikam, "Active").await;
    assert_error(r, StatusCode::FORBIDDEN, "only the owner side can resume").await;
    let r = invite(&app, &fabrikam, &community, "two@northwind.example").await;
    assert_error(r, StatusCode::FORBIDDEN, "paused").await;
    let r = app.act(&fabrikam.token, &before_id, "Resend").await;
    assert_error(r, StatusCode::FORBIDDEN, "paused").await;
    assert_eq!(
        app.member_statuses(&contoso, &community).await[1],
        ("Fabrikam".to_string(), "Paused".to_string())
    );

    let r = set_status(&app, &contoso, &community, &fabrikam, "Active").await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = invite(&app, &fabrikam, &community, "two@northwind.example").await;
    json_with_status(r, StatusCode::CREATED).await;
}

#[tokio::test]
async fn a_tenant_that_paused_itself_resumes_and_the_owner_cannot_do_it_for_it() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;

    let r = set_status(&app, &fabrikam, &community, &fabrikam, "Paused").await;
    assert_eq!(r.status(), StatusCode::OK);
    // Paused, even by itself, it does not invite.
    let r = invite(&app, &fabrikam, &community, "one@northwind.example").await;
    assert_error(r, StatusCode::FORBIDDEN, "paused").await;
    let r = set_status(&app, &contoso, &community, &fabrikam, "Active").await;
    assert_error(r, StatusCode::FORBIDDEN, "paused its own sharing").await;
    let r = set_status(&app, &fabrikam, &community, &fabrikam, "Active").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.member_statuses(&contoso, &community).await[1],
        ("Fabrikam".to_string(), "Active".to_string())
    );
}

#[tokio::test]
async fn the_owner_tenant_pauses_and_resumes_its_own_sharing() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let r = set_status(&app, &contoso, &community, &contoso, "Paused").await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = invite(&app, &contoso, &community, "one@northwind.example").await;
    assert_error(r, StatusCode::FORBIDDEN, "paused").await;
    let r = set_status(&app, &contoso, &community, &contoso, "Active").await;
    assert_eq!(r.status(), StatusCode::OK);
}
