//! The invitations addressed to a tenant's people that nobody has answered
//! yet (`GET .../Tenants/{tenantId}/CommunityInvitations?state=InvitationCreated`,
//! and the Communities page's "Invitations to your tenant"): only the
//! caller's own, only open ones, paged, for its Tenant Administrators; and
//! answered without the email's link, by the API and by the page.

use crate::handshake::invitation_record;
use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::Value;

fn incoming_path(tenant: &TestTenant) -> String {
    format!(
        "/api/v1-preview/Tenants/{}/CommunityInvitations?state=InvitationCreated",
        tenant.id
    )
}

async fn incoming(app: &TestApp, tenant: &TestTenant, query: &str) -> Vec<Value> {
    let path = format!("{}{query}", incoming_path(tenant));
    let body = json_with_status(app.get(&path, &tenant.token).await, StatusCode::OK).await;
    body.as_array().expect("array").clone()
}

/// The (community name, recipient) pairs of a list, in its order.
fn pairs(list: &[Value]) -> Vec<(String, String)> {
    list.iter()
        .map(|i| {
            (
                i["CommunityName"].as_str().unwrap_or_default().to_string(),
                i["InvitationRecipient"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

/// Alpha's community `name`, with Alpha's administrator holding a token.
async fn alpha_community(app: &TestApp, alpha: &TestTenant, name: &str) -> String {
    app.community(alpha, name).await
}

#[tokio::test]
async fn a_tenant_sees_only_the_open_invitations_to_its_own_people() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let mut beta = app.tenant("Beta").await;
    let mut gamma = app.tenant("Gamma").await;
    let ops = "ops@beta.example";
    app.user(beta.id, ops, &[]).await;

    // One that lapses before the others are sent.
    let lapsing = alpha_community(&app, &alpha, "Lapsed").await;
    app.invite(&alpha, &lapsing, &beta.admin_email).await;
    app.clock.advance(chrono::Duration::days(30));
    let alpha = TestTenant {
        token: app.token(alpha.client_id, &alpha.client_secret).await,
        ..alpha
    };
    beta.token = app.token(beta.client_id, &beta.client_secret).await;
    gamma.token = app.token(gamma.client_id, &gamma.client_secret).await;

    let plant = alpha_community(&app, &alpha, "Plant").await;
    let grid = alpha_community(&app, &alpha, "Grid").await;
    let withdrawn = alpha_community(&app, &alpha, "Withdrawn").await;
    let declined = alpha_community(&app, &alpha, "Declined").await;
    app.invite(&alpha, &plant, &beta.admin_email).await;
    app.invite(&alpha, &grid, ops).await;
    app.invite(&alpha, &plant, &gamma.admin_email).await;
    let gone = app.invite_id(&alpha, &withdrawn, &beta.admin_email).await;
    let path = format!("{}/{gone}", invitations_path(alpha.id, &withdrawn));
    assert_eq!(
        app.delete(&path, &alpha.token).await.status(),
        StatusCode::NO_CONTENT
    );
    let no = app.invite_id(&alpha, &declined, ops).await;
    json_with_status(app.act(&beta.token, &no, "Decline").await, StatusCode::OK).await;

    let list = incoming(&app, &beta, "").await;
    let mut seen = pairs(&list);
    seen.sort();
    assert_eq!(
        seen,
        [
            ("Grid".to_string(), ops.to_string()),
            ("Plant".to_string(), beta.admin_email.clone()),
        ],
        "{list:?}"
    );
    for i in &list {
        assert_eq!(i["State"], "InvitationCreated");
        assert_eq!(i["IssuingTenantName"], "Alpha");
        assert_eq!(i["IssuingTenantId"], alpha.id.to_string());
        assert!(i["Expires"].is_string() && i["CommunityId"].is_string());
        assert!(
            i["EmailDelivery"].is_null(),
            "the inviter's mail is its own"
        );
    }
    // Gamma sees its own one only.
    assert_eq!(
        pairs(&incoming(&app, &gamma, "").await),
        [("Plant".to_string(), gamma.admin_email.clone())]
    );
    // I7's answer is unchanged: nothing accepted yet.
    let accepted = format!("/api/v1-preview/Tenants/{}/CommunityInvitations", beta.id);
    let body = json_with_status(app.get(&accepted, &beta.token).await, StatusCode::OK).await;
    assert_eq!(body, serde_json::json!([]));
}

#[tokio::test]
async fn the_list_pages_and_refuses_bad_paging_or_states() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let beta = app.tenant("Beta").await;
    for i in 0..5 {
        let c = app.community(&alpha, &format!("Community {i}")).await;
        app.invite(&alpha, &c, &beta.admin_email).await;
    }
    let all = pairs(&incoming(&app, &beta, "").await);
    assert_eq!(all.len(), 5);
    let first = pairs(&incoming(&app, &beta, "&skip=0&count=2").await);
    let second = pairs(&incoming(&app, &beta, "&skip=2&count=2").await);
    let last = pairs(&incoming(&app, &beta, "&skip=4&count=2").await);
    assert_eq!([first, second, last].concat(), all, "pages in one order");
    assert!(incoming(&app, &beta, "&skip=5").await.is_empty());

    let bad = format!("{}&count=1001", incoming_path(&beta));
    assert_error(
        app.get(&bad, &beta.token).await,
        StatusCode::BAD_REQUEST,
        "count",
    )
    .await;
    let unknown = format!(
        "/api/v1-preview/Tenants/{}/CommunityInvitations?state=Whatever",
        beta.id
    );
    let body = assert_error(
        app.get(&unknown, &beta.token).await,
        StatusCode::BAD_REQUEST,
        "InvitationCreated",
    )
    .await;
    assert!(body.to_string().contains("state"), "{body}");
}

#[tokio::test]
async fn only_the_tenants_own_administrators_may_list() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let beta = app.tenant("Beta").await;
    let c = app.community(&alpha, "Plant").await;
    app.invite(&alpha, &c, &beta.admin_email).await;

    // Another tenant's administrator, with Beta's id in the path.
    let path = incoming_path(&beta);
    assert_error(
        app.get(&path, &alpha.token).await,
        StatusCode::FORBIDDEN,
        "own tenant",
    )
    .await;
    // Beta's plain member.
    let (_, member) = app.client(beta.id, &[Role::TenantMember]).await;
    assert_eq!(
        app.get(&path, &member).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.http
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_listed_invitation_is_accepted_by_its_id_without_the_link() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let beta = app.tenant("Beta").await;
    let c = app.community(&alpha, "Plant").await;
    app.invite(&alpha, &c, &beta.admin_email).await;

    let list = incoming(&app, &beta, "").await;
    let id = list[0]["Id"].as_str().expect("Id").to_string();
    let accepted = app.accept(&beta.token, &id).await;
    assert_eq!(accepted["State"], "InvitationAccepted");

    // No longer open; listed by I7 instead, until Alpha confirms.
    assert!(incoming(&app, &beta, "").await.is_empty());
    let i7 = format!("/api/v1-preview/Tenants/{}/CommunityInvitations", beta.id);
    let body = json_with_status(app.get(&i7, &beta.token).await, StatusCode::OK).await;
    assert_eq!(body[0]["Id"], id.as_str());
    json_with_status(app.act(&alpha.token, &id, "Confirm").await, StatusCode::OK).await;
    assert_eq!(
        app.member_statuses(&alpha, &c).await,
        [
            ("Alpha".to_string(), "Active".to_string()),
            ("Beta".to_string(), "Active".to_string())
        ]
    );
}

/// The Communities page's rows of invitations to the tenant: community
/// names, in the page's order.
fn incoming_rows(page: &str) -> Vec<String> {
    page.split("data-incoming=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

async fn page(b: &Browser, path: &str) -> String {
    let r = b.get(path).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_communities_page_joins_and_declines_with_a_question_first() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let beta = app.tenant("Beta").await;
    let plant = app.community(&alpha, "Plant").await;
    let grid = app.community(&alpha, "Grid").await;
    let plant_invitation = app.invite_id(&alpha, &plant, &beta.admin_email).await;
    let grid_invitation = app.invite_id(&alpha, &grid, &beta.admin_email).await;

    let b = Browser::new(&app);
    b.login(&beta, "/communities").await;
    let html = page(&b, "/communities").await;
    let mut rows = incoming_rows(&html);
    rows.sort();
    assert_eq!(rows, ["Grid", "Plant"]);
    assert!(html.contains("Invitations to your tenant"), "{html}");
    let csrf = hidden(&html, "csrf");

    // Join: at once, then shown as awaiting confirmation.
    let joined = b
        .post(
            "/invitations/answer",
            &[
                ("csrf", &csrf),
                ("invitation", &plant_invitation),
                ("answer", "join"),
            ],
        )
        .await;
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&joined), "/communities");
    let html = page(&b, "/communities").await;
    assert_eq!(incoming_rows(&html), ["Grid"]);
    assert!(html.contains("data-awaiting=\"Plant\""), "{html}");
    assert!(html.contains("You joined."), "the result is shown: {html}");

    // Decline asks first; the question changes nothing.
    let decline = [
        ("csrf", csrf.as_str()),
        ("invitation", grid_invitation.as_str()),
        ("answer", "decline"),
    ];
    let asked = b.post("/invitations/answer", &decline).await;
    assert_eq!(asked.status(), StatusCode::OK);
    assert!(asked.text().await.unwrap().contains("Decline invitation?"));
    assert_eq!(incoming_rows(&page(&b, "/communities").await), ["Grid"]);
    let mut confirmed = decline.to_vec();
    confirmed.push(("confirm", "yes"));
    let declined = b.post("/invitations/answer", &confirmed).await;
    assert_eq!(declined.status(), StatusCode::SEE_OTHER);
    assert!(incoming_rows(&page(&b, "/communities").await).is_empty());

    use communityd::domain::invitation::InvitationState as S;
    let now = app.clock.now();
    let plant_state = invitation_record(&app, &plant_invitation).await;
    let grid_state = invitation_record(&app, &grid_invitation).await;
    assert_eq!(plant_state.state_at(now), S::InvitationAccepted);
    assert_eq!(grid_state.state_at(now), S::InvitationDeclined);
}

#[tokio::test]
async fn a_plain_member_sees_no_invitations_on_the_page() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let beta = app.tenant("Beta").await;
    let plant = app.community(&alpha, "Plant").await;
    let member = "member@beta.example";
    app.user(beta.id, member, &[Role::TenantMember]).await;
    app.invite(&alpha, &plant, member).await;

    let b = Browser::new(&app);
    let done = b
        .sign_in(&beta.name, member, "correct horse battery", "/communities")
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let html = page(&b, "/communities").await;
    assert!(incoming_rows(&html).is_empty(), "{html}");
    // Beta's administrator sees the one to its member's address.
    let admin = Browser::new(&app);
    admin.login(&beta, "/communities").await;
    assert_eq!(
        incoming_rows(&page(&admin, "/communities").await),
        ["Plant"]
    );
}
