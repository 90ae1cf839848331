//! A namespace's default stream permissions (`.../AccessControl/Streams`):
//! the built-in list until an administrator chooses one, new streams get
//! it, `applyToExisting` gives it to the streams that exist while keeping
//! their shares, and only Tenant Administrators change it. The portal's
//! page edits it as ticks.

use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use crate::sds_fixtures::*;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn defaults_path(tenant: impl std::fmt::Display) -> String {
    format!("{}/AccessControl/Streams", ns(tenant))
}

fn entry(role: uuid::Uuid, rights: u32) -> Value {
    json!({"Trustee": {"Type": 3, "ObjectId": role, "TenantId": null}, "AccessType": 0, "AccessRights": rights})
}

fn list(entries: Vec<Value>) -> Value {
    json!({ "RoleTrusteeAccessControlEntries": entries })
}

async fn acl_of(app: &TestApp, t: &TestTenant, stream: &str) -> Value {
    json_with_status(
        app.get(
            &format!("{}/AccessControl", stream_path(t.id, stream)),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await
}

fn rights_of(acl: &Value, role: uuid::Uuid) -> Vec<u64> {
    acl["RoleTrusteeAccessControlEntries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["Trustee"]["ObjectId"] == json!(role))
        .map(|e| e["AccessRights"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn new_streams_get_the_namespace_default_once_an_administrator_sets_it() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let admin = Role::TenantAdministrator.instance_id(t.id.0);
    let member = Role::TenantMember.instance_id(t.id.0);
    // The built-in list until one is chosen.
    let built_in = json_with_status(
        app.get(&defaults_path(t.id), &t.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(rights_of(&built_in, admin), [31]);
    assert_eq!(rights_of(&built_in, member), [3]);

    let chosen = list(vec![entry(admin, 31), entry(member, 1)]);
    let r = app.put_json(&defaults_path(t.id), &t.token, &chosen).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let got = json_with_status(
        app.get(&defaults_path(t.id), &t.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(rights_of(&got, member), [1]);

    app.wave_stream(&t, "After", &[1]).await;
    let acl = acl_of(&app, &t, "After").await;
    assert_eq!(rights_of(&acl, admin), [31]);
    assert_eq!(
        rights_of(&acl, member),
        [1],
        "the new stream has the default"
    );
    // Another namespace keeps the built-in list.
    let other = format!(
        "/api/v1/Tenants/{}/Namespaces/other/AccessControl/Streams",
        t.id
    );
    let got = json_with_status(app.get(&other, &t.token).await, StatusCode::OK).await;
    assert_eq!(rights_of(&got, member), [3]);
}

#[tokio::test]
async fn only_administrators_change_the_default_and_bad_lists_are_refused() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let b = app.tenant("Partner").await;
    let community = app.community(&t, "Plant data").await;
    app.join(&t, &community, &b).await;
    let member = Role::TenantMember.instance_id(t.id.0);
    let (_, member_token) = app.client(t.id, &[Role::TenantMember]).await;
    let open = list(vec![entry(member, 31)]);
    // A Tenant Member reads the default but may not change it.
    let r = app.get(&defaults_path(t.id), &member_token).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .put_json(&defaults_path(t.id), &member_token, &open)
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "Tenant Administrator").await;
    // Another tenant's namespace is not the caller's.
    let r = app.put_json(&defaults_path(t.id), &b.token, &open).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A default cannot share: a community's role is not the tenant's.
    let community_role: uuid::Uuid = app.member_role(&t, &community).await.parse().unwrap();
    let r = app
        .put_json(
            &defaults_path(t.id),
            &t.token,
            &list(vec![entry(community_role, 1)]),
        )
        .await;
    let body = assert_error(r, StatusCode::BAD_REQUEST, "role of your tenant").await;
    assert_eq!(
        body["Parameter"],
        "RoleTrusteeAccessControlEntries[0].Trustee.ObjectId"
    );
    // A flag that is not true or false: 400 naming it, nothing stored.
    let r = app
        .put_json(
            &format!("{}?applyToExisting=maybe", defaults_path(t.id)),
            &t.token,
            &open,
        )
        .await;
    let body = assert_error(r, StatusCode::BAD_REQUEST, "true or false").await;
    assert_eq!(body["Parameter"], "applyToExisting");
    let got = json_with_status(
        app.get(&defaults_path(t.id), &t.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(rights_of(&got, member), [3], "nothing was stored");
}

#[tokio::test]
async fn applying_to_existing_streams_replaces_their_lists_and_keeps_their_shares() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let b = app.tenant("Partner").await;
    let community = app.community(&t, "Plant data").await;
    app.join(&t, &community, &b).await;
    let admin = Role::TenantAdministrator.instance_id(t.id.0);
    let member = Role::TenantMember.instance_id(t.id.0);
    for s in ["S1", "S2", "S3"] {
        app.wave_stream(&t, s, &[1]).await;
    }
    app.share_ok(&t, &community, "S1").await;
    // On S3 the administrators may not manage the list: it is skipped.
    let r = app
        .put_json(
            &format!("{}/AccessControl", stream_path(t.id, "S3")),
            &t.token,
            &list(vec![entry(admin, 3)]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // The client that made S3 owns it and could change it; an administrator
    // user that does not own it applies the default here.
    let (_, admin_token) = app.client(t.id, &[Role::TenantAdministrator]).await;

    let chosen = list(vec![entry(admin, 31), entry(member, 1)]);
    let r = app
        .put_json(
            &format!("{}?applyToExisting=true", defaults_path(t.id)),
            &admin_token,
            &chosen,
        )
        .await;
    let body = json_with_status(r, StatusCode::OK).await;
    assert_eq!(body["StreamsChanged"], 2, "{body}");
    assert_eq!(body["StreamsSkipped"], 1, "{body}");

    let s1 = acl_of(&app, &t, "S1").await;
    assert_eq!(rights_of(&s1, member), [1]);
    let community_role: uuid::Uuid = app.member_role(&t, &community).await.parse().unwrap();
    assert_eq!(rights_of(&s1, community_role), [1], "the share stays: {s1}");
    assert_eq!(rights_of(&acl_of(&app, &t, "S2").await, member), [1]);
    assert_eq!(
        rights_of(&acl_of(&app, &t, "S3").await, admin),
        [3],
        "skipped"
    );
    // The SHARES index agrees: the partner still finds S1, and only S1.
    assert_eq!(app.search_ids(&b, &community, "").await, ["S1"]);
}

#[tokio::test]
async fn the_portal_page_edits_the_default_as_ticks_and_applies_it() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let admin = Role::TenantAdministrator.instance_id(t.id.0);
    let member = Role::TenantMember.instance_id(t.id.0);
    app.wave_stream(&t, "Old", &[1]).await;
    let browser = Browser::new(&app);
    browser.login(&t, "/communities").await;
    let path = "/namespaces/default/stream-defaults";
    let page = browser.get(path).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains(&format!("value=\"{member}:1\" checked")),
        "{page}"
    );
    assert!(page.contains(&format!("value=\"{member}:2\" checked")));
    assert!(!page.contains(&format!("value=\"{member}:4\" checked")));
    let csrf = hidden(&page, "csrf");

    let (a1, a16, m1) = (
        format!("{admin}:1"),
        format!("{admin}:16"),
        format!("{member}:1"),
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("grant", a1.as_str()),
        ("grant", a16.as_str()),
        ("grant", m1.as_str()),
        ("apply_to_existing", "yes"),
    ];
    let done = browser.post(path, &form).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), path);
    let got = json_with_status(
        app.get(&defaults_path(t.id), &t.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(rights_of(&got, admin), [17]);
    assert_eq!(rights_of(&got, member), [1]);
    assert_eq!(
        rights_of(&acl_of(&app, &t, "Old").await, member),
        [1],
        "applied"
    );
    let page = browser.get(path).await.text().await.unwrap();
    assert!(page.contains("Default permissions saved"), "{page}");

    // A tick the page does not offer is refused, naming the field.
    let bad = [("csrf", csrf.as_str()), ("grant", "not-a-role:1")];
    let r = browser.post(path, &bad).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}
