//! Trusted partners: a community's `AllowedDomains` and
//! `AutoConfirmAllowedDomains`, set by the owner's Community
//! Administrators through the Communities PUT (and the edit page), checked
//! at invite, accept and confirm, and confirming joiners from those
//! domains as they accept.

use crate::helpers::*;
use crate::pages::{hidden, Browser};
use crate::smtp::SmtpCapture;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn community_path(owner: &TestTenant, community: &str) -> String {
    format!("{}/{community}", communities_path(owner.id))
}

async fn set_trusted(app: &TestApp, owner: &TestTenant, community: &str, body: Value) -> Value {
    let r = app
        .put_json(&community_path(owner, community), &owner.token, &body)
        .await;
    json_with_status(r, StatusCode::OK).await
}

async fn community_body(app: &TestApp, viewer: &TestTenant, community: &str) -> Value {
    let r = app
        .get(&community_path(viewer, community), &viewer.token)
        .await;
    json_with_status(r, StatusCode::OK).await
}

/// The viewer's audit events, newest first.
async fn audit(app: &TestApp, viewer: &TestTenant) -> Vec<Value> {
    let path = format!("/api/v1/Tenants/{}/AuditEvents?count=1000", viewer.id);
    let body = json_with_status(app.get(&path, &viewer.token).await, StatusCode::OK).await;
    body.as_array().expect("a list").clone()
}

async fn invitations_of(app: &TestApp, owner: &TestTenant, community: &str) -> Vec<Value> {
    let r = app
        .get(&invitations_path(owner.id, community), &owner.token)
        .await;
    let body = json_with_status(r, StatusCode::OK).await;
    body.as_array().expect("a list").clone()
}

#[tokio::test]
async fn administrators_set_and_everyone_in_it_reads_the_allowed_domains() {
    let app = spawn_app().await;
    let (alpha, beta, community) = app.partners().await;
    let before = community_body(&app, &alpha, &community).await;
    assert_eq!(before["AllowedDomains"], json!([]));
    assert_eq!(before["AutoConfirmAllowedDomains"], json!(false));
    assert_eq!(before["AllowedDomainsSetBy"], Value::Null);

    // Lower-cased, trimmed, duplicates dropped, in the order given.
    let set = set_trusted(
        &app,
        &alpha,
        &community,
        json!({
            "AllowedDomains": [" Partner.ORG ", "beta.example", "partner.org"],
            "AutoConfirmAllowedDomains": true
        }),
    )
    .await;
    assert_eq!(
        set["AllowedDomains"],
        json!(["partner.org", "beta.example"])
    );
    assert_eq!(set["AutoConfirmAllowedDomains"], json!(true));
    assert_eq!(set["AllowedDomainsSetBy"], json!("admin client"));
    assert!(set["AllowedDomainsSetDate"].is_string(), "{set}");
    assert_eq!(set["Name"], json!("Plant data"), "the rest unchanged");

    // A member tenant sees the same.
    let seen = community_body(&app, &beta, &community).await;
    assert_eq!(seen["AllowedDomains"], set["AllowedDomains"]);
    assert_eq!(seen["AutoConfirmAllowedDomains"], json!(true));
    assert_eq!(seen["AllowedDomainsSetBy"], json!("admin client"));

    // One part alone leaves the other; an empty list allows any domain.
    let off = set_trusted(
        &app,
        &alpha,
        &community,
        json!({"AutoConfirmAllowedDomains": false}),
    )
    .await;
    assert_eq!(
        off["AllowedDomains"],
        json!(["partner.org", "beta.example"])
    );
    assert_eq!(off["AutoConfirmAllowedDomains"], json!(false));
    let cleared = set_trusted(&app, &alpha, &community, json!({"AllowedDomains": []})).await;
    assert_eq!(cleared["AllowedDomains"], json!([]));

    // Each change is in the owner's audit log, naming the fields.
    let changes: Vec<Value> = audit(&app, &alpha)
        .await
        .into_iter()
        .filter(|e| e["Kind"] == "Community.Changed")
        .collect();
    assert_eq!(changes.len(), 3, "{changes:#?}");
    let first = &changes[2];
    assert_eq!(
        first["Detail"]["AllowedDomains"],
        json!(["partner.org", "beta.example"])
    );
    assert_eq!(first["Detail"]["AutoConfirmAllowedDomains"], json!(true));
    assert_eq!(
        first["Actor"]["PrincipalId"],
        json!(alpha.client_id.0.to_string())
    );
    assert_eq!(changes[1]["Detail"]["AllowedDomains"], Value::Null);
    assert_eq!(changes[0]["Detail"]["AllowedDomains"], json!([]));
}

#[tokio::test]
async fn an_entry_that_is_not_a_domain_is_a_400_naming_the_field_and_the_entry() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let community = app.community(&alpha, "Plant data").await;
    let path = community_path(&alpha, &community);
    for bad in [
        "localhost",
        "partner .org",
        "https://partner.org",
        "ops@partner.org",
        "10.1.2.3",
        "partner..org",
    ] {
        let r = app
            .put_json(
                &path,
                &alpha.token,
                &json!({"AllowedDomains": ["ok.example", bad], "Name": "Renamed"}),
            )
            .await;
        let body = assert_error(r, StatusCode::BAD_REQUEST, "AllowedDomains").await;
        let reason = body["Reason"].as_str().unwrap();
        assert!(reason.contains(&format!("'{bad}'")), "{reason}");
    }
    let long_label = format!("{}.example", "a".repeat(64));
    let r = app
        .put_json(
            &path,
            &alpha.token,
            &json!({"AllowedDomains": [long_label]}),
        )
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "63").await;
    let long = format!("{}.example", ["abcdefghi"; 26].join("."));
    let r = app
        .put_json(&path, &alpha.token, &json!({"AllowedDomains": [long]}))
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "253").await;
    let many: Vec<String> = (0..51).map(|i| format!("d{i}.example")).collect();
    let r = app
        .put_json(&path, &alpha.token, &json!({"AllowedDomains": many}))
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "at most 50").await;
    let r = app
        .put_json(
            &path,
            &alpha.token,
            &json!({"AllowedDomains": "partner.org"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Nothing of any refused body was written.
    let body = community_body(&app, &alpha, &community).await;
    assert_eq!(body["AllowedDomains"], json!([]));
    assert_eq!(body["AllowedDomainsSetBy"], Value::Null);
    assert_eq!(body["Name"], json!("Plant data"));
}

#[tokio::test]
async fn only_the_owners_community_administrators_set_them() {
    let app = spawn_app().await;
    let (alpha, beta, community) = app.partners().await;
    let body = json!({"AllowedDomains": ["beta.example"]});
    // A member tenant's administrator: a Community Administrator there,
    // but not of the owning tenant.
    let r = app
        .put_json(&community_path(&beta, &community), &beta.token, &body)
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "owns the community").await;
    // The owner's Tenant Administrator without a community role.
    let (_, admin_only) = app.client(alpha.id, &[Role::TenantAdministrator]).await;
    let r = app
        .put_json(&community_path(&alpha, &community), &admin_only, &body)
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "Community Administrator").await;
    // A stranger finds no community.
    let stranger = app.tenant("Gamma").await;
    let r = app
        .put_json(
            &community_path(&stranger, &community),
            &stranger.token,
            &body,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let seen = community_body(&app, &alpha, &community).await;
    assert_eq!(seen["AllowedDomains"], json!([]));
}

#[tokio::test]
async fn an_invitation_to_a_domain_not_allowed_is_a_400_and_writes_nothing() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let community = app.community(&alpha, "Plant data").await;
    set_trusted(
        &app,
        &alpha,
        &community,
        json!({"AllowedDomains": ["partner.example"]}),
    )
    .await;
    for refused in ["admin@beta.example", "ops@eu.partner.example"] {
        let r = app
            .post_json(
                &invitations_path(alpha.id, &community),
                &alpha.token,
                &json!({"InvitationRecipient": refused}),
            )
            .await;
        let body = assert_error(r, StatusCode::BAD_REQUEST, "partner.example").await;
        assert!(
            body["Reason"]
                .as_str()
                .unwrap()
                .contains("InvitationRecipient"),
            "{body}"
        );
    }
    assert!(invitations_of(&app, &alpha, &community).await.is_empty());
    let created = audit(&app, &alpha)
        .await
        .into_iter()
        .filter(|e| e["Kind"] == "Invitation.Created")
        .count();
    assert_eq!(created, 0);
    // Any case of an allowed domain is the domain.
    app.invite(&alpha, &community, "Ops@Partner.EXAMPLE").await;
    assert_eq!(invitations_of(&app, &alpha, &community).await.len(), 1);
}

#[tokio::test]
async fn accepting_is_refused_once_the_list_no_longer_allows_the_recipient() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let beta = app.tenant("Beta").await;
    let community = app.community(&alpha, "Plant data").await;
    let id = app.invite_id(&alpha, &community, &beta.admin_email).await;
    set_trusted(
        &app,
        &alpha,
        &community,
        json!({"AllowedDomains": ["partner.example"], "AutoConfirmAllowedDomains": true}),
    )
    .await;
    let r = app.act(&beta.token, &id, "Accept").await;
    assert_error(
        r,
        StatusCode::CONFLICT,
        "accepts only partners invited at partner.example",
    )
    .await;
    assert_eq!(
        app.member_statuses(&alpha, &community).await,
        vec![("Alpha".to_string(), "Active".to_string())]
    );
    // With the domain listed again, the same invitation is accepted.
    set_trusted(
        &app,
        &alpha,
        &community,
        json!({"AllowedDomains": ["partner.example", "beta.example"], "AutoConfirmAllowedDomains": false}),
    )
    .await;
    let accepted = app.accept(&beta.token, &id).await;
    assert_eq!(accepted["State"], "InvitationAccepted");
}

#[tokio::test]
async fn confirming_is_refused_once_the_list_no_longer_allows_the_recipient() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let beta = app.tenant("Beta").await;
    let community = app.community(&alpha, "Plant data").await;
    let id = app.invite_id(&alpha, &community, &beta.admin_email).await;
    app.accept(&beta.token, &id).await;
    set_trusted(
        &app,
        &alpha,
        &community,
        json!({"AllowedDomains": ["partner.example"]}),
    )
    .await;
    let r = app.act(&alpha.token, &id, "Confirm").await;
    assert_error(r, StatusCode::CONFLICT, "accepts only partners invited at").await;
    // The community-tenants route confirms through the same rule.
    let r = app
        .put_json(
            &format!(
                "{}/communitytenants/{}",
                community_path(&alpha, &community),
                beta.id
            ),
            &alpha.token,
            &json!({"Status": "Active"}),
        )
        .await;
    assert_error(r, StatusCode::CONFLICT, "accepts only partners invited at").await;
    assert_eq!(
        app.member_statuses(&alpha, &community).await,
        vec![
            ("Alpha".to_string(), "Active".to_string()),
            ("Beta".to_string(), "AwaitingConfirmation".to_string())
        ]
    );
    set_trusted(&app, &alpha, &community, json!({"AllowedDomains": []})).await;
    let confirmed =
        json_with_status(app.act(&alpha.token, &id, "Confirm").await, StatusCode::OK).await;
    assert_eq!(confirmed["State"], "InvitationCompleted");
}

async fn app_with_smtp(smtp: &SmtpCapture) -> TestApp {
    let url = smtp.url();
    spawn_app_with(move |s| s.smtp_url = url).await
}

#[tokio::test]
async fn a_joiner_from_a_trusted_domain_is_confirmed_as_it_accepts() {
    let smtp = SmtpCapture::start().await;
    let app = app_with_smtp(&smtp).await;
    let alpha = app.tenant("Alpha").await;
    let beta = app.tenant("Beta").await;
    let community = app.community(&alpha, "Plant data").await;
    set_trusted(
        &app,
        &alpha,
        &community,
        json!({"AllowedDomains": ["beta.example"], "AutoConfirmAllowedDomains": true}),
    )
    .await;
    let id = app.invite_id(&alpha, &community, &beta.admin_email).await;
    let answered = app.accept(&beta.token, &id).await;
    assert_eq!(answered["State"], "InvitationCompleted");
    let both = vec![
        ("Alpha".to_string(), "Active".to_string()),
        ("Beta".to_string(), "Active".to_string()),
    ];
    assert_eq!(app.member_statuses(&alpha, &community).await, both);
    assert_eq!(app.member_statuses(&beta, &community).await, both);
    // The joiner is told it is a member; nobody is asked to confirm.
    smtp.wait_for_email(&beta.admin_email, "now a member").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let subjects: Vec<String> = smtp.emails().iter().map(|e| e.subject.clone()).collect();
    assert!(
        !subjects.iter().any(|s| s.contains("awaits confirmation")),
        "{subjects:?}"
    );
    // The accepting client holds the community roles a confirm gives.
    let clients = json_with_status(
        app.get(
            &format!(
                "{}/ClientCredentialClients",
                community_path(&beta, &community)
            ),
            &beta.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(clients[0]["RoleIds"].as_array().unwrap().len(), 2);

    // Both sides' logs: Beta accepted, then the service confirmed it for
    // the community (no actor), saying why.
    for viewer in [&alpha, &beta] {
        let events = audit(&app, viewer).await;
        let kinds: Vec<&str> = events.iter().map(|e| e["Kind"].as_str().unwrap()).collect();
        let confirmed = kinds.iter().position(|k| *k == "Membership.Confirmed");
        let accepted = kinds.iter().position(|k| *k == "Invitation.Accepted");
        let (Some(confirmed), Some(accepted)) = (confirmed, accepted) else {
            panic!("{kinds:?}");
        };
        assert!(confirmed < accepted, "newest first: {kinds:?}");
        let event = &events[confirmed];
        assert_eq!(event["Actor"], Value::Null, "{event}");
        assert_eq!(
            event["Detail"]["ConfirmedBy"],
            json!("AutoConfirmAllowedDomains")
        );
        assert_eq!(event["Detail"]["Invitation"], json!(id));
    }
}

#[tokio::test]
async fn no_joiner_is_confirmed_automatically_with_the_switch_off_or_no_list() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let beta = app.tenant("Beta").await;
    let gamma = app.tenant("Gamma").await;
    let listed = app.community(&alpha, "Listed, switch off").await;
    set_trusted(
        &app,
        &alpha,
        &listed,
        json!({"AllowedDomains": ["beta.example"], "AutoConfirmAllowedDomains": false}),
    )
    .await;
    let id = app.invite_id(&alpha, &listed, &beta.admin_email).await;
    assert_eq!(
        app.accept(&beta.token, &id).await["State"],
        "InvitationAccepted"
    );

    // The switch alone trusts nobody: with no list, any domain is invited
    // and every joiner is confirmed by hand.
    let open = app.community(&alpha, "Switch on, no list").await;
    set_trusted(
        &app,
        &alpha,
        &open,
        json!({"AutoConfirmAllowedDomains": true}),
    )
    .await;
    let id = app.invite_id(&alpha, &open, &gamma.admin_email).await;
    assert_eq!(
        app.accept(&gamma.token, &id).await["State"],
        "InvitationAccepted"
    );
    for (community, joiner) in [(&listed, "Beta"), (&open, "Gamma")] {
        assert_eq!(
            app.member_statuses(&alpha, community).await,
            vec![
                ("Alpha".to_string(), "Active".to_string()),
                (joiner.to_string(), "AwaitingConfirmation".to_string())
            ]
        );
    }
}

#[tokio::test]
async fn the_community_page_shows_them_and_the_owner_sets_them_there() {
    let app = spawn_app().await;
    let (alpha, beta, community) = app.partners().await;
    // The person signing in needs the community role the API client has.
    let grant = app
        .put_json(
            &format!(
                "{}/Users/{}",
                community_path(&alpha, &community),
                alpha.admin_user.0
            ),
            &alpha.token,
            &json!([
                Role::CommunityMember
                    .instance_id(community.parse().unwrap())
                    .to_string(),
                Role::CommunityAdministrator
                    .instance_id(community.parse().unwrap())
                    .to_string()
            ]),
        )
        .await;
    assert!(grant.status().is_success(), "{}", grant.status());
    let owner = Browser::new(&app);
    owner.login(&alpha, "/communities").await;
    let details_path = format!("/communities/{community}");
    let edit_path = format!("/communities/{community}/edit");
    let save_path = format!("/communities/{community}/trusted-domains");
    let page = owner.get(&details_path).await.text().await.unwrap();
    assert!(!page.contains("Trusted partners:"), "none set yet");
    let form = owner.get(&edit_path).await.text().await.unwrap();
    assert!(form.contains(&format!("action=\"{save_path}\"")), "{form}");
    let csrf = hidden(&form, "csrf");

    // Not a domain: the form again, with what was typed and why.
    let bad = owner
        .post(
            &save_path,
            &[
                ("csrf", &csrf),
                ("allowed_domains", "beta.example\nnot a domain"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad = bad.text().await.unwrap();
    assert!(bad.contains("id=\"trusted-error\""), "{bad}");
    assert!(bad.contains("AllowedDomains"), "{bad}");
    assert!(
        bad.contains("beta.example\nnot a domain</textarea>"),
        "{bad}"
    );
    assert_eq!(
        community_body(&app, &alpha, &community).await["AllowedDomains"],
        json!([])
    );

    let saved = owner
        .post(
            &save_path,
            &[
                ("csrf", &csrf),
                ("allowed_domains", "Beta.example, partner.example"),
                ("auto_confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let body = community_body(&app, &alpha, &community).await;
    assert_eq!(
        body["AllowedDomains"],
        json!(["beta.example", "partner.example"])
    );
    assert_eq!(body["AutoConfirmAllowedDomains"], json!(true));
    assert_eq!(body["AllowedDomainsSetBy"], json!(alpha.admin_email));

    // Every member's page shows the list, the switch and who set them.
    let member = Browser::new(&app);
    member.login(&beta, "/communities").await;
    for browser in [&owner, &member] {
        let page = browser.get(&details_path).await.text().await.unwrap();
        assert!(
            page.contains("data-trusted-domains=\"beta.example,partner.example\""),
            "{page}"
        );
        assert!(page.contains("confirmed automatically"), "{page}");
        assert!(
            page.contains(&format!("Set by {}", alpha.admin_email)),
            "{page}"
        );
    }
    let form = owner.get(&edit_path).await.text().await.unwrap();
    assert!(
        form.contains("beta.example\npartner.example</textarea>"),
        "{form}"
    );
    assert!(
        form.contains("name=\"auto_confirm\" value=\"yes\" checked"),
        "{form}"
    );

    // An unticked box turns the switch off; a member tenant may not save.
    let off = owner
        .post(
            &save_path,
            &[("csrf", &csrf), ("allowed_domains", "beta.example")],
        )
        .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        community_body(&app, &alpha, &community).await["AutoConfirmAllowedDomains"],
        json!(false)
    );
    let page = member.get(&details_path).await.text().await.unwrap();
    let member_csrf = hidden(&page, "csrf");
    let refused = member
        .post(
            &save_path,
            &[("csrf", &member_csrf), ("allowed_domains", "")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        community_body(&app, &alpha, &community).await["AllowedDomains"],
        json!(["beta.example"])
    );
}
