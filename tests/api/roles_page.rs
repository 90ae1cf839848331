//! The tenant's Roles page in the portal, and the tick boxes that give its
//! roles on the Users and Clients pages, driven over HTTP as a browser
//! would: a Tenant Administrator creates, renames and deletes a custom
//! role, each checked through the Roles API; a taken, built-in or empty
//! name comes back on the form; a Tenant Member reads the list and is
//! refused every change.

use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use crate::users::{sign_in, users};
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn roles_api(t: &TestTenant) -> String {
    format!("/api/v1/Tenants/{}/Roles", t.id)
}

/// The Roles page and its CSRF token, as the signed-in browser sees it.
async fn roles_page(b: &Browser) -> (String, String) {
    let page = b.get("/tenant/roles").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    (page, csrf)
}

/// The tenant's role named `name` as the Roles API lists it, if any.
async fn api_role(app: &TestApp, t: &TestTenant, name: &str) -> Option<Value> {
    let listed = json_with_status(app.get(&roles_api(t), &t.token).await, StatusCode::OK).await;
    listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["Name"] == name)
        .cloned()
}

async fn make_role(app: &TestApp, t: &TestTenant, name: &str) -> String {
    let made = json_with_status(
        app.post_json(&roles_api(t), &t.token, &json!({"Name": name}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    made["Id"].as_str().unwrap().to_string()
}

/// The role ids the API says an identity holds.
async fn role_ids(app: &TestApp, t: &TestTenant, path: &str) -> Vec<String> {
    let body = json_with_status(app.get(path, &t.token).await, StatusCode::OK).await;
    body["RoleIds"]
        .as_array()
        .expect("RoleIds")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// A refusal shown on the page: its status, the alert, and `needle`.
async fn assert_on_page(r: reqwest::Response, status: StatusCode, needle: &str) -> String {
    assert_eq!(r.status(), status);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("class=\"error\" role=\"alert\"") && page.contains(needle),
        "{needle}: {page}"
    );
    page
}

#[tokio::test]
async fn an_administrator_creates_renames_and_deletes_a_role_on_the_page() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let admin = Browser::new(&app);
    admin.login(&t, "/tenant/roles").await;
    let (page, csrf) = roles_page(&admin).await;
    assert!(
        page.contains("<a href=\"/tenant/roles\">Roles</a>"),
        "in the nav"
    );
    assert!(
        page.contains("Tenant Administrator <span class=\"badge\">Built-in</span>")
            && page.contains("Tenant Member <span class=\"badge\">Built-in</span>"),
        "{page}"
    );
    assert!(
        page.contains("New role") && !page.contains("/delete\""),
        "{page}"
    );

    // Create: the API lists the role with its description.
    let made = admin
        .post(
            "/tenant/roles",
            &[
                ("csrf", &csrf),
                ("name", " Data Steward "),
                ("description", "Shares plant streams"),
            ],
        )
        .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&made), "/tenant/roles");
    let role = api_role(&app, &t, "Data Steward").await.expect("created");
    assert_eq!(role["Description"], "Shares plant streams");
    let id = role["Id"].as_str().unwrap().to_string();
    let (page, _) = roles_page(&admin).await;
    assert!(
        page.contains("Role created") && page.contains("Data Steward"),
        "{page}"
    );
    assert!(
        page.contains(&format!("/tenant/roles/{id}/delete")),
        "{page}"
    );

    // A taken name (in any case), a built-in one and an empty one: the
    // form again with the reason and what was typed; nothing stored.
    let taken = admin
        .post(
            "/tenant/roles",
            &[
                ("csrf", &csrf),
                ("name", "data STEWARD"),
                ("description", "kept"),
            ],
        )
        .await;
    let taken = assert_on_page(taken, StatusCode::CONFLICT, "already has a role named").await;
    assert!(
        taken.contains("value=\"data STEWARD\"") && taken.contains("value=\"kept\""),
        "{taken}"
    );
    assert!(taken.contains("aria-invalid=\"true\""), "{taken}");
    let built_in = admin
        .post(
            "/tenant/roles",
            &[("csrf", &csrf), ("name", "tenant member")],
        )
        .await;
    assert_on_page(
        built_in,
        StatusCode::BAD_REQUEST,
        "The name is the name of a built-in role.",
    )
    .await;
    let empty = admin
        .post("/tenant/roles", &[("csrf", &csrf), ("name", "   ")])
        .await;
    assert_on_page(
        empty,
        StatusCode::BAD_REQUEST,
        "The name must not be empty.",
    )
    .await;
    let listed = json_with_status(app.get(&roles_api(&t), &t.token).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 3, "{listed}");

    // Rename: the API answers with the new name and description.
    let renamed = admin
        .post(
            &format!("/tenant/roles/{id}/edit"),
            &[
                ("csrf", &csrf),
                ("name", "Stream Steward"),
                ("description", "Shares streams"),
            ],
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    let role = api_role(&app, &t, "Stream Steward").await.expect("renamed");
    assert_eq!(
        (role["Id"].as_str(), role["Description"].as_str()),
        (Some(id.as_str()), Some("Shares streams"))
    );
    assert!(api_role(&app, &t, "Data Steward").await.is_none());

    // Renaming another role to a taken name: its own form, open, says why.
    let auditor = make_role(&app, &t, "Auditor").await;
    let clash = admin
        .post(
            &format!("/tenant/roles/{auditor}/edit"),
            &[
                ("csrf", &csrf),
                ("name", "stream steward"),
                ("description", ""),
            ],
        )
        .await;
    let clash = assert_on_page(clash, StatusCode::CONFLICT, "already has a role named").await;
    assert!(
        clash.contains("<details class=\"menu\" open>")
            && clash.contains("value=\"stream steward\""),
        "{clash}"
    );
    assert!(api_role(&app, &t, "Auditor").await.is_some());

    // Delete asks first, naming the role; then the role is gone.
    let delete = format!("/tenant/roles/{id}/delete");
    let asked = admin.post(&delete, &[("csrf", &csrf)]).await;
    assert_eq!(asked.status(), StatusCode::OK);
    let asked = asked.text().await.unwrap();
    assert!(
        asked.contains("Delete role?") && asked.contains("Delete the role Stream Steward?"),
        "{asked}"
    );
    assert!(
        api_role(&app, &t, "Stream Steward").await.is_some(),
        "asking deleted it"
    );
    let gone = admin
        .post(&delete, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(gone.status(), StatusCode::SEE_OTHER);
    let one = app.get(&format!("{}/{id}", roles_api(&t)), &t.token).await;
    assert_eq!(one.status(), StatusCode::NOT_FOUND);
    let (page, _) = roles_page(&admin).await;
    assert!(
        page.contains("Role deleted") && !page.contains("Stream Steward"),
        "{page}"
    );

    // A built-in role cannot be deleted; a form without the token does nothing.
    let member = Role::TenantMember.instance_id(t.id.0);
    let refused = admin
        .post(
            &format!("/tenant/roles/{member}/delete"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let forged = admin
        .post(
            "/tenant/roles",
            &[("csrf", "not-the-token"), ("name", "Forged")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(api_role(&app, &t, "Forged").await.is_none());
}

#[tokio::test]
async fn a_tenant_member_reads_the_roles_page_and_is_refused_every_change() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let steward = make_role(&app, &t, "Data Steward").await;
    app.user(t.id, "ada@contoso.example", &[Role::TenantMember])
        .await;
    let (ada, status) = sign_in(
        &app,
        "Contoso",
        "ada@contoso.example",
        "correct horse battery",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (page, csrf) = roles_page(&ada).await;
    assert!(
        page.contains("Data Steward") && page.contains("Built-in"),
        "{page}"
    );
    assert!(
        !page.contains("New role") && !page.contains("/delete\"") && !page.contains("/edit\""),
        "{page}"
    );
    for (path, form) in [
        ("/tenant/roles".to_string(), vec![("name", "Auditor")]),
        (
            format!("/tenant/roles/{steward}/edit"),
            vec![("name", "Renamed")],
        ),
        (format!("/tenant/roles/{steward}/delete"), vec![]),
        (
            format!("/tenant/roles/{steward}/delete"),
            vec![("confirm", "yes")],
        ),
    ] {
        let mut sent = vec![("csrf", csrf.as_str())];
        sent.extend(form);
        let r = ada.post(&path, &sent).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let listed = json_with_status(app.get(&roles_api(&t), &t.token).await, StatusCode::OK).await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Tenant Administrator", "Tenant Member", "Data Steward"]
    );
}

#[tokio::test]
async fn ticking_a_custom_role_on_the_users_page_gives_the_user_that_role() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let steward = make_role(&app, &t, "Data Steward").await;
    let ada = app
        .user(t.id, "ada@contoso.example", &[Role::TenantMember])
        .await;
    let member = Role::TenantMember.instance_id(t.id.0).to_string();
    let admin = Browser::new(&app);
    admin.login(&t, "/tenant/users").await;
    let page = admin.get("/tenant/users").await.text().await.unwrap();
    let tick = format!("name=\"custom_role\" value=\"{steward}\">");
    assert!(page.contains(&tick), "an unticked box per user: {page}");
    let csrf = hidden(&page, "csrf");
    let path = format!("/tenant/users/{ada}/roles");
    let api = format!("{}/{ada}", users(&t));

    let saved = admin
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("member", "yes"),
                ("custom_role", &steward),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        role_ids(&app, &t, &api).await,
        [member.clone(), steward.clone()]
    );
    let page = admin.get("/tenant/users").await.text().await.unwrap();
    assert!(
        page.contains(&format!(
            "name=\"custom_role\" value=\"{steward}\" checked>"
        )),
        "{page}"
    );

    // A role deleted since the page was shown: the reason, nothing saved.
    let unknown = uuid::Uuid::new_v4().to_string();
    let stale = admin
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("member", "yes"),
                ("custom_role", &unknown),
            ],
        )
        .await;
    assert_on_page(stale, StatusCode::BAD_REQUEST, "not one of your tenant").await;
    assert_eq!(
        role_ids(&app, &t, &api).await,
        [member.clone(), steward.clone()]
    );

    // Unticked, the role is taken away.
    let saved = admin
        .post(&path, &[("csrf", &csrf), ("member", "yes")])
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(role_ids(&app, &t, &api).await, [member]);
}

#[tokio::test]
async fn ticking_a_custom_role_on_the_clients_page_gives_the_client_that_role() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let steward = make_role(&app, &t, "Data Steward").await;
    let member = Role::TenantMember.instance_id(t.id.0).to_string();
    let admin = Browser::new(&app);
    admin.login(&t, "/clients").await;
    let page = admin.get("/clients").await.text().await.unwrap();
    assert!(
        page.contains(&format!("name=\"custom_role\" value=\"{steward}\">")),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");

    // Created with the role ticked.
    let made = admin
        .post(
            "/clients",
            &[
                ("csrf", &csrf),
                ("name", "steward script"),
                ("member", "on"),
                ("custom_role", &steward),
            ],
        )
        .await;
    assert_eq!(made.status(), StatusCode::OK);
    let shown = made.text().await.unwrap();
    let id = shown
        .split("id=\"client-id\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the client's id")
        .to_string();
    let api = format!("/api/v1/Tenants/{}/ClientCredentialClients/{id}", t.id);
    assert_eq!(
        role_ids(&app, &t, &api).await,
        [member.clone(), steward.clone()]
    );
    let page = admin.get("/clients").await.text().await.unwrap();
    assert!(page.contains("Tenant Member, Data Steward"), "{page}");

    // Its roles changed: the role taken away, then no tenant role at all.
    let roles = format!("/clients/{id}/roles");
    let saved = admin
        .post(&roles, &[("csrf", &csrf), ("member", "on")])
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), "/clients");
    assert_eq!(
        role_ids(&app, &t, &api).await,
        std::slice::from_ref(&member)
    );
    let none = admin
        .post(&roles, &[("csrf", &csrf), ("custom_role", &steward)])
        .await;
    assert_on_page(
        none,
        StatusCode::BAD_REQUEST,
        "The roles must name at least one tenant role",
    )
    .await;
    assert_eq!(role_ids(&app, &t, &api).await, [member]);

    // A role the tenant does not have, at creation: the form again.
    let unknown = uuid::Uuid::new_v4().to_string();
    let stale = admin
        .post(
            "/clients",
            &[
                ("csrf", &csrf),
                ("name", "stale script"),
                ("member", "on"),
                ("custom_role", &unknown),
            ],
        )
        .await;
    let stale = assert_on_page(stale, StatusCode::BAD_REQUEST, "not one of your tenant").await;
    assert!(stale.contains("value=\"stale script\""), "{stale}");
}

#[tokio::test]
async fn a_colleague_invited_with_a_custom_role_ticked_holds_it() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let steward = make_role(&app, &t, "Data Steward").await;
    let member = Role::TenantMember.instance_id(t.id.0).to_string();
    let admin = Browser::new(&app);
    admin.login(&t, "/tenant/users").await;
    let page = admin.get("/tenant/users").await.text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    let invite = |email: &'static str, role: String| {
        let (admin, csrf) = (&admin, csrf.clone());
        async move {
            admin
                .post(
                    "/tenant/users/invite",
                    &[
                        ("csrf", csrf.as_str()),
                        ("email", email),
                        ("member", "yes"),
                        ("custom_role", role.as_str()),
                    ],
                )
                .await
        }
    };

    // A role that is not the tenant's: the reason, and nobody invited.
    let stale = invite("bob@contoso.example", uuid::Uuid::new_v4().to_string()).await;
    assert_on_page(stale, StatusCode::BAD_REQUEST, "not one of your tenant").await;
    let listed = json_with_status(app.get(&users(&t), &t.token).await, StatusCode::OK).await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "only the administrator"
    );

    let sent = invite("ada@contoso.example", steward.clone()).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let listed = json_with_status(app.get(&users(&t), &t.token).await, StatusCode::OK).await;
    let ada = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["Email"] == "ada@contoso.example")
        .expect("Ada was invited")
        .clone();
    assert_eq!(ada["RoleIds"], serde_json::json!([member, steward]));
}
