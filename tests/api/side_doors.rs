//! Nothing leaks through a side door: permission is checked before any
//! state is looked at (even a 204 "nothing changed" tells something), the
//! community list shows exactly what GET by id shows, and a login to a
//! tenant that is not Active answers the same for any password.

use crate::helpers::*;
use communityd::app::admin;
use communityd::domain::role::Role;
use communityd::domain::tenant::TenantState;
use reqwest::StatusCode;
use serde_json::json;

fn member_path(actor: &TestTenant, community: &str, member: &TestTenant) -> String {
    format!(
        "{}/{community}/communitytenants/{}",
        communities_path(actor.id),
        member.id
    )
}

#[tokio::test]
async fn a_status_change_that_changes_nothing_is_refused_to_who_may_not_make_it() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    app.join(&contoso, &community, &northwind).await;
    let (_, plain) = app.client(contoso.id, &[Role::TenantMember]).await;

    // A plain Tenant Member of the owner asks for the status each member
    // already has: a 204 would tell it that status.
    for (member, status) in [
        (&fabrikam, "Active"),
        (&contoso, "Active"),
        (&fabrikam, "Paused"),
    ] {
        let r = app
            .put_json(
                &member_path(&contoso, &community, member),
                &plain,
                &json!({ "Status": status }),
            )
            .await;
        assert_error(r, StatusCode::FORBIDDEN, "Community Administrator").await;
    }
    // A member tenant's administrator asks "Active" of another member:
    // that is the owner's to resume, whatever its status is.
    let r = app
        .put_json(
            &member_path(&fabrikam, &community, &northwind),
            &fabrikam.token,
            &json!({ "Status": "Active" }),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "owns the community").await;
    // The owner's administrator gets its 204.
    let r = app
        .put_json(
            &member_path(&contoso, &community, &fabrikam),
            &contoso.token,
            &json!({ "Status": "Active" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn the_community_list_and_get_by_id_agree_for_a_tenant_member() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let (plain_id, plain) = app.client(contoso.id, &[Role::TenantMember]).await;
    let list = communities_path(contoso.id);
    let item = format!("{list}/{community}");

    // No community role: neither the list nor the item shows it.
    let listed = json_with_status(app.get(&list, &plain).await, StatusCode::OK).await;
    assert_eq!(listed, json!([]), "the list shows what GET refuses");
    assert_error(
        app.get(&item, &plain).await,
        StatusCode::FORBIDDEN,
        "Community Member",
    )
    .await;

    // With Community Member granted, both show it.
    let roles = json_with_status(
        app.get(
            &format!("/api/v1-preview/Communities/{community}/Roles"),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let member_role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["Name"]
                .as_str()
                .unwrap_or_default()
                .ends_with("Community Member")
        })
        .unwrap()["Id"]
        .clone();
    let r = app
        .put_json(
            &format!("{item}/ClientCredentialClients/{plain_id}"),
            &contoso.token,
            &json!([member_role]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let listed = json_with_status(app.get(&list, &plain).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["Id"], community.as_str());
    let one = json_with_status(app.get(&item, &plain).await, StatusCode::OK).await;
    assert_eq!(one["Id"], listed[0]["Id"]);
    assert_eq!(one["Tenants"], listed[0]["Tenants"]);
}

#[tokio::test]
async fn an_empty_community_update_is_no_way_around_the_view_permission() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let (_, plain) = app.client(contoso.id, &[Role::TenantMember]).await;
    let r = app
        .put_json(
            &format!("{}/{community}", communities_path(contoso.id)),
            &plain,
            &json!({}),
        )
        .await;
    let body = assert_error(r, StatusCode::FORBIDDEN, "Community Member").await;
    assert!(!body.to_string().contains("Plant data"));
}

async fn deactivate(app: &TestApp, tenant: &TestTenant) {
    let store = app.ctx.store.clone();
    let id = tenant.id;
    tokio::task::spawn_blocking(move || {
        admin::set_tenant_state(&store, id, TenantState::Deactivated, chrono::Utc::now())
    })
    .await
    .unwrap()
    .unwrap();
}

#[tokio::test]
async fn a_login_to_a_deactivated_tenant_does_not_tell_whether_the_password_was_right() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    deactivate(&app, &contoso).await;
    let mut answers = Vec::new();
    for password in [contoso.admin_password.as_str(), "wrong password entirely"] {
        let r = communityd::app::identity::login(
            &app.ctx,
            contoso.id,
            &contoso.admin_email,
            password,
            crate::helpers::loopback(),
        )
        .await;
        answers.push(r.map(|_| ()).map_err(|e| e.to_string()));
    }
    assert!(answers[0].is_err(), "a deactivated tenant's user logged in");
    assert_eq!(
        answers[0], answers[1],
        "right and wrong passwords answer differently"
    );

    // Through the login form: the same status and the same words.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut pages = Vec::new();
    for password in [contoso.admin_password.as_str(), "wrong password entirely"] {
        let r = http
            .post(format!("{}/login", app.url))
            .header("cookie", "login_csrf=t")
            .form(&[
                ("login_csrf", "t"),
                ("tenant_id", &contoso.id.to_string()),
                ("email", &contoso.admin_email),
                ("password", password),
            ])
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        pages.push((
            status,
            text.contains("not active"),
            text.contains("not right"),
        ));
    }
    assert_eq!(pages[0], pages[1]);
    assert_eq!(pages[0], (StatusCode::FORBIDDEN, true, false));

    // And the token endpoint: a right and a wrong secret answer alike.
    let right = app
        .token_response(&contoso.client_id.to_string(), &contoso.client_secret)
        .await;
    let right = (right.status(), right.text().await.unwrap());
    let wrong = app
        .token_response(&contoso.client_id.to_string(), "not the secret")
        .await;
    let wrong = (wrong.status(), wrong.text().await.unwrap());
    assert_eq!(right, wrong);
    assert!(!right.1.contains("access_token"));
}
