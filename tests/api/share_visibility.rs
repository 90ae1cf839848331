//! One rule decides whether another tenant's share is visible, on every
//! path that shows one: a deactivated tenant's shares hide as a paused
//! tenant's do and show again on reactivation (nothing is deleted), and the
//! portal's Tenants tab shows exactly what the API shows.

use crate::helpers::*;
use crate::pages::Browser;
use crate::sds_fixtures::*;
use communityd::app::admin;
use communityd::domain::role::Role;
use communityd::domain::tenant::TenantState;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A owns a community B is an Active member of; A shares "Flow A" (with
/// values) and B shares "Flow B"; both administrator users hold Community
/// Member.
struct World {
    app: TestApp,
    a: TestTenant,
    b: TestTenant,
    community: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let (a, b, community) = app.partners().await;
    app.wave_stream(&a, "Flow A", &[1, 2, 3]).await;
    app.share_ok(&a, &community, "Flow A").await;
    app.wave_stream(&b, "Flow B", &[7]).await;
    app.share_ok(&b, &community, "Flow B").await;
    grant_member_to_admin_user(&app, &a, &community).await;
    grant_member_to_admin_user(&app, &b, &community).await;
    World {
        app,
        a,
        b,
        community,
    }
}

async fn set_state(app: &TestApp, tenant: &TestTenant, state: TenantState) {
    let store = app.ctx.store.clone();
    let id = tenant.id;
    tokio::task::spawn_blocking(move || {
        admin::set_tenant_state(&store, id, state, chrono::Utc::now())
    })
    .await
    .unwrap()
    .unwrap();
}

/// The statuses of every way B reads A's "Flow A" through the community:
/// the community-scoped route and the `community-id` header, for the
/// stream, its type, its metadata and its values.
async fn read_statuses(w: &World) -> Vec<(String, StatusCode)> {
    let scoped = format!(
        "/api/v1-preview/communities/{}/tenants/{}/namespaces/default/streams/Flow%20A",
        w.community, w.a.id
    );
    let header = stream_path(w.a.id, "Flow%20A");
    let tails = [
        "",
        "/Type",
        "/Metadata",
        "/Data/Last",
        "/Data/First",
        "/Data?startIndex=1&endIndex=3",
    ];
    let mut out = Vec::new();
    for tail in tails {
        let path = format!("{scoped}{tail}");
        let status = w.app.get(&path, &w.b.token).await.status();
        out.push((path, status));
        let path = format!("{header}{tail}");
        let status = w
            .app
            .request(Method::GET, &path, &w.b.token)
            .header("community-id", &w.community)
            .send()
            .await
            .unwrap()
            .status();
        out.push((format!("{path} (community-id)"), status));
    }
    out
}

/// Stream ids both search routes give B.
async fn searches(w: &World) -> (Vec<String>, Vec<String>) {
    let adh = w.app.search_ids(&w.b, &w.community, "").await;
    let ocs = json_with_status(
        w.app
            .get(
                &format!(
                    "/api/v1-preview/tenants/{}/search/communities/{}/streams?searchTenantId={}",
                    w.b.id, w.community, w.a.id
                ),
                &w.b.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let ocs = ocs
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Id"].as_str().unwrap().to_string())
        .collect();
    (adh, ocs)
}

/// Grants `tenant`'s administrator user Community Member (the community's
/// roles go to the client that created or joined it, not to the user).
pub async fn grant_member_to_admin_user(app: &TestApp, tenant: &TestTenant, community: &str) {
    let role = app.member_role(tenant, community).await;
    let r = app
        .put_json(
            &format!(
                "{}/{community}/users/{}",
                communities_path(tenant.id),
                tenant.admin_user
            ),
            &tenant.token,
            &json!([role]),
        )
        .await;
    assert!(r.status().is_success(), "grant: {}", r.status());
}

/// B's summary: (TotalStreams, StreamsContributed).
async fn summary(w: &World) -> (i64, i64) {
    let body = json_with_status(
        w.app
            .get(
                &format!("{}/{}/summary", communities_path(w.b.id), w.community),
                &w.b.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    (
        body["TotalStreams"].as_i64().unwrap(),
        body["StreamsContributed"].as_i64().unwrap(),
    )
}

/// The Tenants tab as `who` (a tenant's administrator) sees it.
async fn tenants_tab(w: &World, who: &TestTenant) -> String {
    let browser = Browser::new(&w.app);
    let page = format!("/communities/{}", w.community);
    browser.login(who, &page).await;
    let response = browser.get(&page).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.unwrap()
}

fn lists_stream(html: &str, id: &str) -> bool {
    html.contains(&format!("data-stream=\"{id}\""))
}

#[tokio::test]
async fn a_deactivated_tenants_shares_hide_on_every_read_path_and_return_on_reactivation() {
    let w = world().await;
    for (path, status) in read_statuses(&w).await {
        assert_eq!(status, StatusCode::OK, "{path} before");
    }
    let both = (
        vec!["Flow A".to_string(), "Flow B".to_string()],
        vec!["Flow A".to_string()],
    );
    let (mut adh, ocs) = searches(&w).await;
    adh.sort();
    assert_eq!((adh, ocs), both);
    assert!(lists_stream(&tenants_tab(&w, &w.b).await, "Flow A"));
    assert_eq!(summary(&w).await, (2, 1));

    set_state(&w.app, &w.a, TenantState::Deactivated).await;
    for (path, status) in read_statuses(&w).await {
        assert_eq!(status, StatusCode::NOT_FOUND, "{path} while deactivated");
    }
    assert_eq!(
        searches(&w).await,
        (vec!["Flow B".to_string()], Vec::<String>::new()),
        "only B's own share is found"
    );
    let page = tenants_tab(&w, &w.b).await;
    assert!(!lists_stream(&page, "Flow A"), "{page}");
    assert!(lists_stream(&page, "Flow B"), "B still sees its own share");
    assert_eq!(summary(&w).await, (1, 1), "counts leave out what is hidden");

    set_state(&w.app, &w.a, TenantState::Active).await;
    for (path, status) in read_statuses(&w).await {
        assert_eq!(status, StatusCode::OK, "{path} after reactivation");
    }
    let (mut adh, ocs) = searches(&w).await;
    adh.sort();
    assert_eq!((adh, ocs), both, "nothing was deleted");
    let values = json_with_status(
        w.app
            .get(
                &format!(
                    "/api/v1-preview/communities/{}/tenants/{}/namespaces/default/streams/Flow%20A/Data?startIndex=1&endIndex=3",
                    w.community, w.a.id
                ),
                &w.b.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(values.as_array().map(Vec::len), Some(3));
    assert_eq!(summary(&w).await, (2, 1));
    assert!(lists_stream(&tenants_tab(&w, &w.b).await, "Flow A"));
}

#[tokio::test]
async fn the_tenants_tab_shows_other_tenants_shares_only_to_those_the_api_shows_them_to() {
    let w = world().await;
    // A member holding Community Member sees both tenants' shares.
    let page = tenants_tab(&w, &w.b).await;
    assert!(
        lists_stream(&page, "Flow A") && lists_stream(&page, "Flow B"),
        "{page}"
    );

    // A Tenant Administrator of B without a community role: the API's search
    // gives it nothing, and neither does the page (only B's own share).
    let email = "second-admin@beta.example";
    w.app
        .user(w.b.id, email, &[Role::TenantAdministrator])
        .await;
    let roleless = TestTenant {
        id: w.b.id,
        name: w.b.name.clone(),
        admin_user: w.b.admin_user,
        admin_email: email.to_string(),
        admin_password: "correct horse battery".to_string(),
        client_id: w.b.client_id,
        client_secret: w.b.client_secret.clone(),
        token: w.b.token.clone(),
    };
    let page = tenants_tab(&w, &roleless).await;
    assert!(
        page.contains("data-tenant=\"Alpha\""),
        "the tenants are listed"
    );
    assert!(!lists_stream(&page, "Flow A"), "{page}");
    assert!(!page.contains("Flow A"), "not even the name");
    assert!(
        lists_stream(&page, "Flow B"),
        "its own tenant's share it may read"
    );

    // B paused (by the owner): B sees none of A's shares, A none of B's.
    let r = w
        .app
        .put_json(
            &format!(
                "{}/{}/communitytenants/{}",
                communities_path(w.a.id),
                w.community,
                w.b.id
            ),
            &w.a.token,
            &json!({"Status": "Paused"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        w.app.search_ids(&w.b, &w.community, "").await,
        Vec::<String>::new()
    );
    let page = tenants_tab(&w, &w.b).await;
    assert!(!lists_stream(&page, "Flow A"), "{page}");
    assert!(!page.contains("Flow A"), "no name, no last-write time");
    assert!(lists_stream(&page, "Flow B"), "its own share stays listed");
    assert_eq!(w.app.search_ids(&w.a, &w.community, "").await, ["Flow A"]);
    let page = tenants_tab(&w, &w.a).await;
    assert!(!lists_stream(&page, "Flow B"), "{page}");
    assert!(lists_stream(&page, "Flow A"));
}
