//! Sharing from the portal and looking at shared data: a tenant picks
//! streams on the community page, confirms, and its partner reads them
//! through the API and on the partner's page; the rules are the API's (the
//! Share right, an Active membership, all or nothing, a bound on how many);
//! a stream's page shows its latest values, a bounded window as a table
//! and a chart, and where it is shared.

use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use crate::sds_fixtures::*;
use crate::share_visibility::grant_member_to_admin_user;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::json;

struct World {
    app: TestApp,
    a: TestTenant,
    b: TestTenant,
    community: String,
}

/// A owns a community B is an Active member of.
async fn world() -> World {
    let app = spawn_app().await;
    let (a, b, community) = app.partners().await;
    World {
        app,
        a,
        b,
        community,
    }
}

/// A signed-in browser and its session's CSRF token.
async fn signed_in(app: &TestApp, tenant: &TestTenant) -> (Browser, String) {
    let browser = Browser::new(app);
    browser.login(tenant, "/communities").await;
    let page = browser.get("/communities").await.text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    (browser, csrf)
}

async fn text(r: reqwest::Response, status: StatusCode) -> String {
    assert_eq!(r.status(), status);
    r.text().await.unwrap()
}

/// The share form as the page posts it: each ticked stream once.
fn share_form<'a>(csrf: &'a str, streams: &[&'a str], confirm: bool) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![("csrf", csrf), ("namespace", "default")];
    form.extend(streams.iter().map(|s| ("stream", *s)));
    if confirm {
        form.push(("confirm", "yes"));
    }
    form
}

#[tokio::test]
async fn streams_shared_from_the_portal_are_read_by_the_partner_through_the_api() {
    let w = world().await;
    for s in ["Flow 1", "Flow 2", "Other"] {
        w.app.wave_stream(&w.a, s, &[1, 2, 3]).await;
    }
    let (alpha, csrf) = signed_in(&w.app, &w.a).await;
    let tab = text(
        alpha.get(&format!("/communities/{}", w.community)).await,
        StatusCode::OK,
    )
    .await;
    let share = format!("/communities/{}/share", w.community);
    assert!(tab.contains(&format!("href=\"{share}\"")), "{tab}");

    // The picker searches the namespace with the SDS stream search.
    let picker = text(
        alpha
            .get(&format!("{share}?namespace=default&query=Flow"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(picker.contains("value=\"Flow 1\""), "{picker}");
    assert!(picker.contains("value=\"Flow 2\""));
    assert!(!picker.contains("value=\"Other\""), "the search narrows");

    // The first POST asks, naming the streams and the community.
    let ask = text(
        alpha
            .post(&share, &share_form(&csrf, &["Flow 1", "Flow 2"], false))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(ask.contains("Share these streams?"), "{ask}");
    assert!(ask.contains("Plant data") && ask.contains("Flow 1") && ask.contains("Flow 2"));
    assert!(
        w.app
            .search_ids(&w.b, &w.community, "flow")
            .await
            .is_empty(),
        "asking shares nothing"
    );

    let done = alpha
        .post(&share, &share_form(&csrf, &["Flow 1", "Flow 2"], true))
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), format!("/communities/{}", w.community));
    let mut found = w.app.search_ids(&w.b, &w.community, "flow").await;
    found.sort();
    assert_eq!(found, ["Flow 1", "Flow 2"]);
    let last = w
        .app
        .get(
            &format!(
                "/api/v1-preview/Communities/{}/Tenants/{}/Namespaces/default/Streams/Flow%201/Data/Last",
                w.community, w.a.id
            ),
            &w.b.token,
        )
        .await;
    let last = json_with_status(last, StatusCode::OK).await;
    assert_eq!(last["Order"], 3);

    // The tab says so, and the shared streams are marked on the picker.
    let tab = text(
        alpha.get(&format!("/communities/{}", w.community)).await,
        StatusCode::OK,
    )
    .await;
    assert!(tab.contains("Streams shared"), "{tab}");
    let picker = text(alpha.get(&share).await, StatusCode::OK).await;
    assert!(!picker.contains("value=\"Flow 1\""), "already shared");
    assert!(picker.contains("value=\"Other\""));
}

/// B shares from the portal; A's answers about B's shares.
async fn shared_by_b(w: &World) -> Vec<String> {
    let body = json_with_status(
        w.app
            .get(
                &format!(
                    "/api/v1-preview/Search/Communities/{}/Streams?searchTenantId={}",
                    w.community, w.b.id
                ),
                &w.b.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    body.as_array()
        .unwrap()
        .iter()
        .map(|s| s["Id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn without_the_share_right_or_while_paused_nothing_is_shared() {
    let w = world().await;
    w.app.wave_stream(&w.b, "Open", &[1]).await;
    w.app.wave_stream(&w.b, "Locked", &[1]).await;
    // On "Locked" the administrators may read, write and manage the list,
    // but not share.
    let admin = Role::TenantAdministrator.instance_id(w.b.id.0);
    let r = w
        .app
        .put_json(
            &format!("{}/AccessControl", stream_path(w.b.id, "Locked")),
            &w.b.token,
            &json!({"RoleTrusteeAccessControlEntries": [
                {"Trustee": {"Type": 3, "ObjectId": admin}, "AccessType": 0, "AccessRights": 11}
            ]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (beta, csrf) = signed_in(&w.app, &w.b).await;
    let share = format!("/communities/{}/share", w.community);

    // All or nothing: "Open" alone would be allowed, but not with "Locked".
    let r = beta
        .post(&share, &share_form(&csrf, &["Open", "Locked"], true))
        .await;
    let page = text(r, StatusCode::FORBIDDEN).await;
    assert!(page.contains("Share right"), "{page}");
    assert!(shared_by_b(&w).await.is_empty(), "nothing written");

    // More than the bound is refused before anything is read.
    let many: Vec<String> = (0..101).map(|i| format!("S{i}")).collect();
    let mut form = vec![("csrf", csrf.as_str()), ("confirm", "yes")];
    form.extend(many.iter().map(|s| ("stream", s.as_str())));
    let page = text(beta.post(&share, &form).await, StatusCode::BAD_REQUEST).await;
    assert!(page.contains("most 100 streams"), "{page}");
    // None at all, too.
    let r = beta.post(&share, &[("csrf", csrf.as_str())]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // The owner pauses B: B can no longer share there.
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
    let r = beta.post(&share, &share_form(&csrf, &["Open"], true)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = beta.get(&share).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let tab = text(
        beta.get(&format!("/communities/{}", w.community)).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        !tab.contains(&format!("href=\"{share}\"")),
        "no button while paused"
    );
    let stream = json_with_status(
        w.app
            .get(
                &format!("{}/AccessControl", stream_path(w.b.id, "Open")),
                &w.b.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        stream["RoleTrusteeAccessControlEntries"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "the list is as it was made: {stream}"
    );
}

#[tokio::test]
async fn the_stream_page_shows_latest_values_a_window_table_and_chart_and_where_it_is_shared() {
    let w = world().await;
    let orders: Vec<i64> = (0..30).collect();
    w.app.wave_stream(&w.a, "Wave", &orders).await;
    w.app.share_ok(&w.a, &w.community, "Wave").await;
    let (alpha, _) = signed_in(&w.app, &w.a).await;

    let page = text(alpha.get("/streams/default/Wave").await, StatusCode::OK).await;
    assert!(page.contains("Latest values"));
    assert!(page.contains("<td>29</td>"), "the newest value: {page}");
    assert!(!page.contains("<td>9</td>"), "only the latest 20");
    assert!(!page.contains("<svg"), "no window asked for");
    assert!(page.contains("Plant data"), "shared with the community");
    assert!(page.contains(&format!(
        "/communities/{}/shares/default/Wave/unshare",
        w.community
    )));

    let page = text(
        alpha
            .get("/streams/default/Wave?startIndex=5&endIndex=24")
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains("data-window-count=\"20\""), "{page}");
    assert!(page.contains("<svg"));
    assert!(
        page.contains("data-series=\"Radians\" data-points=\"20\""),
        "{page}"
    );
    assert!(page.contains("<td>0.5</td>") && page.contains("<td>2.4</td>"));
    assert!(!page.contains("<script"), "the chart needs no script");

    // A reversed window is a 400 naming the field on the page.
    let page = text(
        alpha
            .get("/streams/default/Wave?startIndex=20&endIndex=5")
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(page.contains("data-field=\"endIndex\""), "{page}");
    assert!(page.contains("comes before the start index"));
    assert!(!page.contains("<svg"));
    let page = text(
        alpha.get("/streams/default/Wave?startIndex=3").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(page.contains("data-field=\"endIndex\""), "{page}");
    let page = text(
        alpha
            .get("/streams/default/Wave?startIndex=three&endIndex=5")
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(page.contains("data-field=\"startIndex\""), "{page}");

    // Another tenant's stream is not found; nor is one that does not exist.
    let (beta, _) = signed_in(&w.app, &w.b).await;
    assert_eq!(
        beta.get("/streams/default/Wave").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        alpha.get("/streams/default/Nope").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_long_window_is_charted_with_at_most_five_hundred_points() {
    let w = world().await;
    let orders: Vec<i64> = (0..1200).collect();
    w.app.wave_stream(&w.a, "Long", &orders).await;
    let (alpha, _) = signed_in(&w.app, &w.a).await;
    let page = text(
        alpha
            .get("/streams/default/Long?startIndex=0&endIndex=1199")
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains("data-window-count=\"1200\""));
    // Every third value: 400 points.
    assert!(page.contains("data-points=\"400\""), "{}", &page[..2000]);
    assert!(page.contains("the table lists the first 1000"));
}

#[tokio::test]
async fn a_partner_sees_a_shared_stream_through_the_community_until_it_is_unshared() {
    let w = world().await;
    w.app.wave_stream(&w.a, "Flow A", &[1, 2, 3]).await;
    w.app.share_ok(&w.a, &w.community, "Flow A").await;
    let partner_page = format!(
        "/communities/{}/tenants/{}/streams/default/Flow%20A",
        w.community, w.a.id
    );
    let (beta, _) = signed_in(&w.app, &w.b).await;
    // Without Community Member, refused as the API refuses it.
    assert_eq!(
        beta.get(&partner_page).await.status(),
        StatusCode::FORBIDDEN
    );
    grant_member_to_admin_user(&w.app, &w.b, &w.community).await;
    let tab = text(
        beta.get(&format!("/communities/{}", w.community)).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        tab.contains(&partner_page),
        "the Tenants tab links it: {tab}"
    );
    let page = text(
        beta.get(&format!("{partner_page}?startIndex=1&endIndex=3"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(page.contains("Shared by"), "{page}");
    assert!(page.contains("data-points=\"3\""), "{page}");
    assert!(!page.contains("/unshare"), "a partner cannot unshare");

    // A tenant outside the community finds nothing.
    let c = w.app.tenant("Gamma").await;
    let (gamma, _) = signed_in(&w.app, &c).await;
    assert_eq!(
        gamma.get(&partner_page).await.status(),
        StatusCode::NOT_FOUND
    );

    // Unshared: gone for the partner.
    let role = w.app.member_role(&w.a, &w.community).await;
    let acl = json_with_status(
        w.app
            .get(
                &format!("{}/AccessControl", stream_path(w.a.id, "Flow A")),
                &w.a.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let kept: Vec<_> = acl["RoleTrusteeAccessControlEntries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["Trustee"]["ObjectId"] != json!(role))
        .cloned()
        .collect();
    let r = w
        .app
        .put_json(
            &format!("{}/AccessControl", stream_path(w.a.id, "Flow A")),
            &w.a.token,
            &json!({"RoleTrusteeAccessControlEntries": kept}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        beta.get(&partner_page).await.status(),
        StatusCode::NOT_FOUND
    );
}
