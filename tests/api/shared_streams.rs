//! Sharing streams into a community: who may share, the community search
//! (both routes) and its `Self` links, read-only access through them and
//! through the `community-id` header, and the membership rules: pause
//! hides, resume shows, removal, leaving and deletion revoke.

use crate::helpers::*;
use crate::sds_fixtures::*;
use communityd::domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

struct World {
    app: TestApp,
    a: TestTenant,
    b: TestTenant,
    community: String,
}

/// A owns a community B is an Active member of; A shares "Flow A".
async fn world() -> World {
    let app = spawn_app().await;
    let (a, b, community) = app.partners().await;
    app.wave_stream(&a, "Flow A", &[1, 2, 3]).await;
    app.share_ok(&a, &community, "Flow A").await;
    World {
        app,
        a,
        b,
        community,
    }
}

fn member_path(actor: &TestTenant, community: &str, member: &TestTenant) -> String {
    format!(
        "{}/{community}/communitytenants/{}",
        communities_path(actor.id),
        member.id
    )
}

async fn set_status(w: &World, actor: &TestTenant, member: &TestTenant, status: &str) {
    let r = w
        .app
        .put_json(
            &member_path(actor, &w.community, member),
            &actor.token,
            &json!({"Status": status}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{status}");
}

async fn search(w: &World, viewer: &TestTenant) -> Value {
    json_with_status(
        w.app
            .get(
                &format!("/api/v1-preview/Search/Communities/{}/Streams", w.community),
                &viewer.token,
            )
            .await,
        StatusCode::OK,
    )
    .await
}

async fn summary(w: &World, viewer: &TestTenant) -> (i64, i64) {
    let body = json_with_status(
        w.app
            .get(
                &format!("{}/{}/summary", communities_path(viewer.id), w.community),
                &viewer.token,
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

/// `Self` without the server's address, for the test client.
fn local(w: &World, link: &str) -> String {
    link.strip_prefix(&w.app.url)
        .expect("Self is absolute on this server")
        .to_string()
}

async fn acl_roles(app: &TestApp, owner: &TestTenant, stream: &str) -> Vec<String> {
    let acl = json_with_status(
        app.get(
            &format!("{}/AccessControl", stream_path(owner.id, stream)),
            &owner.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    acl["RoleTrusteeAccessControlEntries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["Trustee"]["ObjectId"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_member_finds_a_shared_stream_and_reads_it_through_self_and_the_header() {
    let w = world().await;
    let hits = search(&w, &w.b).await;
    let hit = &hits[0];
    assert_eq!(hits.as_array().map(Vec::len), Some(1));
    assert_eq!(hit["Id"], "Flow A");
    assert_eq!(hit["TypeId"], "WaveData_SampleType");
    assert_eq!(hit["TenantId"], w.a.id.to_string());
    assert_eq!(hit["TenantName"], "Alpha");
    assert_eq!(hit["NamespaceId"], "default");
    assert_eq!(hit["CommunityId"], w.community);
    let link = hit["Self"].as_str().unwrap();
    assert_eq!(
        local(&w, link),
        format!(
            "/api/v1-preview/communities/{}/tenants/{}/namespaces/default/streams/Flow%20A",
            w.community, w.a.id
        )
    );
    // The OCS-2021 route answers the same.
    let ocs = w
        .app
        .get(
            &format!(
                "/api/v1-preview/tenants/{}/search/communities/{}/streams?query=flow",
                w.b.id, w.community
            ),
            &w.b.token,
        )
        .await;
    assert_eq!(json_with_status(ocs, StatusCode::OK).await, hits);
    let other = w
        .app
        .get(
            &format!(
                "/api/v1-preview/tenants/{}/search/communities/{}/streams",
                w.a.id, w.community
            ),
            &w.b.token,
        )
        .await;
    assert_error(other, StatusCode::FORBIDDEN, "own tenant").await;

    let stream = json_with_status(
        w.app.get(&local(&w, link), &w.b.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stream["Id"], "Flow A");
    let last = json_with_status(
        w.app
            .get(&format!("{}/Data/Last", local(&w, link)), &w.b.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(last["Order"], 3);
    let window = json_with_status(
        w.app
            .get(
                &format!("{}/Data?startIndex=2&endIndex=3", local(&w, link)),
                &w.b.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(window.as_array().map(Vec::len), Some(2));
    let header = w
        .app
        .request(
            Method::GET,
            &format!("{}/Data/First", stream_path(w.a.id, "Flow%20A")),
            &w.b.token,
        )
        .header("community-id", &w.community)
        .send()
        .await
        .unwrap();
    assert_eq!(json_with_status(header, StatusCode::OK).await["Order"], 1);
    let preview = w
        .app
        .request(
            Method::GET,
            &format!(
                "/api/v1-preview/Tenants/{}/Namespaces/default/Streams/Flow%20A/Data/Last",
                w.a.id
            ),
            &w.b.token,
        )
        .header("community-id", &w.community)
        .send()
        .await
        .unwrap();
    assert_eq!(json_with_status(preview, StatusCode::OK).await["Order"], 3);

    // Every write is refused, through Self and through the header.
    let r = w
        .app
        .post_json(
            &format!("{}/Data", local(&w, link)),
            &w.b.token,
            &json!([wave(9)]),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "read-only").await;
    let r = send(&w.app, Method::DELETE, &local(&w, link), &w.b.token, None).await;
    assert_error(r, StatusCode::FORBIDDEN, "read-only").await;
    let r = w
        .app
        .request(
            Method::PUT,
            &format!("{}/Data", stream_path(w.a.id, "Flow%20A")),
            &w.b.token,
        )
        .header("community-id", &w.community)
        .json(&json!([wave(1)]))
        .send()
        .await
        .unwrap();
    assert_error(r, StatusCode::FORBIDDEN, "read-only").await;
    let r = send(
        &w.app,
        Method::PATCH,
        &format!("{}/AccessControl", local(&w, link)),
        &w.b.token,
        Some(json!([])),
    )
    .await;
    assert_error(r, StatusCode::FORBIDDEN, "read-only").await;
    let last = json_with_status(
        w.app
            .get(
                &format!("{}/Data/Last", stream_path(w.a.id, "Flow%20A")),
                &w.a.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(last["Order"], 3, "nothing was written");

    // Counts are real.
    assert_eq!(summary(&w, &w.b).await, (1, 0));
    assert_eq!(summary(&w, &w.a).await, (1, 1));
    let community = json_with_status(
        w.app
            .get(
                &format!("{}/{}", communities_path(w.a.id), w.community),
                &w.a.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            community["StreamsContributedCount"].clone(),
            community["TotalStreamsContributedCount"].clone()
        ),
        (json!(1), json!(1))
    );
}

#[tokio::test]
async fn search_takes_a_query_a_tenant_filter_and_paging() {
    let w = world().await;
    w.app.wave_stream(&w.b, "Flow B", &[]).await;
    w.app.share_ok(&w.b, &w.community, "Flow B").await;
    w.app.wave_stream(&w.b, "Level B", &[]).await;
    w.app.share_ok(&w.b, &w.community, "Level B").await;
    let mut all = w.app.search_ids(&w.a, &w.community, "").await;
    all.sort();
    assert_eq!(all, ["Flow A", "Flow B", "Level B"]);
    assert_eq!(
        w.app.search_ids(&w.a, &w.community, "level").await,
        ["Level B"]
    );
    assert_eq!(
        w.app.search_ids(&w.a, &w.community, "id:flow*").await.len(),
        2
    );
    let only_b = format!(
        "/api/v1-preview/Search/Communities/{}/Streams?searchTenantId={}",
        w.community, w.b.id
    );
    assert_eq!(
        json_with_status(w.app.get(&only_b, &w.a.token).await, StatusCode::OK)
            .await
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let paged = format!(
        "/api/v1-preview/Search/Communities/{}/Streams?skip=1&count=1",
        w.community
    );
    assert_eq!(
        json_with_status(w.app.get(&paged, &w.a.token).await, StatusCode::OK)
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let bad = format!(
        "/api/v1-preview/Search/Communities/{}/Streams?count=0",
        w.community
    );
    assert_error(
        w.app.get(&bad, &w.a.token).await,
        StatusCode::BAD_REQUEST,
        "count",
    )
    .await;
    let bad = format!(
        "/api/v1-preview/Search/Communities/{}/Streams?searchTenantId=x",
        w.community
    );
    assert_error(
        w.app.get(&bad, &w.a.token).await,
        StatusCode::BAD_REQUEST,
        "searchTenantId",
    )
    .await;
    assert_eq!(summary(&w, &w.a).await, (3, 1));
    assert_eq!(summary(&w, &w.b).await, (3, 2));
}

#[tokio::test]
async fn pausing_hides_a_tenants_shares_at_once_and_resuming_shows_them() {
    let w = world().await;
    let link = local(&w, search(&w, &w.b).await[0]["Self"].as_str().unwrap());
    set_status(&w, &w.a, &w.a, "Paused").await;
    assert_eq!(search(&w, &w.b).await, json!([]));
    assert_error(
        w.app.get(&format!("{link}/Data/Last"), &w.b.token).await,
        StatusCode::NOT_FOUND,
        "not shared",
    )
    .await;
    let header = w
        .app
        .request(
            Method::GET,
            &format!("{}/Data/Last", stream_path(w.a.id, "Flow%20A")),
            &w.b.token,
        )
        .header("community-id", &w.community)
        .send()
        .await
        .unwrap();
    assert_error(header, StatusCode::NOT_FOUND, "not shared").await;
    // A paused tenant cannot share more.
    w.app.wave_stream(&w.a, "Flow A2", &[]).await;
    let role = w.app.member_role(&w.a, &w.community).await;
    assert_error(
        w.app.share(&w.a, &w.a.token, "Flow A2", &role).await,
        StatusCode::FORBIDDEN,
        "Active member",
    )
    .await;
    set_status(&w, &w.a, &w.a, "Active").await;
    assert_eq!(w.app.search_ids(&w.b, &w.community, "").await, ["Flow A"]);
    assert_eq!(
        w.app
            .get(&format!("{link}/Data/Last"), &w.b.token)
            .await
            .status(),
        StatusCode::OK
    );

    // A paused reader sees nothing either: both tenants must be Active.
    set_status(&w, &w.a, &w.b, "Paused").await;
    assert_eq!(search(&w, &w.b).await, json!([]));
    assert_error(
        w.app.get(&format!("{link}/Data/Last"), &w.b.token).await,
        StatusCode::NOT_FOUND,
        "not shared",
    )
    .await;
    set_status(&w, &w.a, &w.b, "Active").await;
    assert_eq!(
        w.app
            .get(&format!("{link}/Data/Last"), &w.b.token)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn removal_revokes_shares_both_ways_and_a_returning_tenant_shares_again() {
    let w = world().await;
    w.app.wave_stream(&w.b, "Flow B", &[5]).await;
    w.app.share_ok(&w.b, &w.community, "Flow B").await;
    let role = w.app.member_role(&w.a, &w.community).await;
    let link = local(
        &w,
        search(&w, &w.b)
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["Id"] == "Flow A")
            .unwrap()["Self"]
            .as_str()
            .unwrap(),
    );
    assert!(acl_roles(&w.app, &w.b, "Flow B").await.contains(&role));

    let r = w
        .app
        .delete(&member_path(&w.a, &w.community, &w.b), &w.a.token)
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(w.app.search_ids(&w.a, &w.community, "").await, ["Flow A"]);
    assert!(
        !acl_roles(&w.app, &w.b, "Flow B").await.contains(&role),
        "B's entry left its list"
    );
    assert_eq!(summary(&w, &w.a).await, (1, 1));
    let r = w
        .app
        .get(
            &format!("/api/v1-preview/Search/Communities/{}/Streams", w.community),
            &w.b.token,
        )
        .await;
    assert_error(r, StatusCode::NOT_FOUND, "not a member").await;
    assert_error(
        w.app.get(&format!("{link}/Data/Last"), &w.b.token).await,
        StatusCode::NOT_FOUND,
        "not a member",
    )
    .await;

    // Back in, nothing of B's is shared until B shares again.
    w.app.join(&w.a, &w.community, &w.b).await;
    assert_eq!(w.app.search_ids(&w.a, &w.community, "").await, ["Flow A"]);
    w.app.share_ok(&w.b, &w.community, "Flow B").await;
    let mut all = w.app.search_ids(&w.a, &w.community, "").await;
    all.sort();
    assert_eq!(all, ["Flow A", "Flow B"]);
}

#[tokio::test]
async fn leaving_revokes_and_deleting_the_community_removes_every_share() {
    let w = world().await;
    w.app.wave_stream(&w.b, "Flow B", &[5]).await;
    w.app.share_ok(&w.b, &w.community, "Flow B").await;
    let role = w.app.member_role(&w.a, &w.community).await;
    let r = w
        .app
        .delete(&member_path(&w.b, &w.community, &w.b), &w.b.token)
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(!acl_roles(&w.app, &w.b, "Flow B").await.contains(&role));
    assert_eq!(w.app.search_ids(&w.a, &w.community, "").await, ["Flow A"]);

    assert!(acl_roles(&w.app, &w.a, "Flow A").await.contains(&role));
    let r = w
        .app
        .delete(
            &format!("{}/{}", communities_path(w.a.id), w.community),
            &w.a.token,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(
        !acl_roles(&w.app, &w.a, "Flow A").await.contains(&role),
        "deletion took A's entry"
    );
    // The stream is still A's own, with its data.
    let last = json_with_status(
        w.app
            .get(
                &format!("{}/Data/Last", stream_path(w.a.id, "Flow%20A")),
                &w.a.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(last["Order"], 3);
}

#[tokio::test]
async fn outsiders_get_404_and_members_without_the_member_role_get_nothing() {
    let w = world().await;
    let c = w.app.tenant("Gamma").await;
    let link = local(&w, search(&w, &w.b).await[0]["Self"].as_str().unwrap());
    for path in [
        format!("/api/v1-preview/Search/Communities/{}/Streams", w.community),
        format!(
            "/api/v1-preview/tenants/{}/search/communities/{}/streams",
            c.id, w.community
        ),
        link.clone(),
        format!("{link}/Data/Last"),
        format!("{link}/Data?startIndex=0&endIndex=9"),
    ] {
        assert_error(
            w.app.get(&path, &c.token).await,
            StatusCode::NOT_FOUND,
            "not a member",
        )
        .await;
    }
    let header = w
        .app
        .request(
            Method::GET,
            &format!("{}/Data/Last", stream_path(w.a.id, "Flow%20A")),
            &c.token,
        )
        .header("community-id", &w.community)
        .send()
        .await
        .unwrap();
    assert_error(header, StatusCode::NOT_FOUND, "not a member").await;
    // C cannot share into a community it is not in.
    w.app.wave_stream(&c, "Flow C", &[]).await;
    let role = w.app.member_role(&w.a, &w.community).await;
    assert_error(
        w.app.share(&c, &c.token, "Flow C", &role).await,
        StatusCode::BAD_REQUEST,
        "not a role",
    )
    .await;

    // A Tenant Member of B without community roles: an empty search, no reads.
    let (_, plain) = w.app.client(w.b.id, &[Role::TenantMember]).await;
    let r = w
        .app
        .get(
            &format!("/api/v1-preview/Search/Communities/{}/Streams", w.community),
            &plain,
        )
        .await;
    assert_eq!(json_with_status(r, StatusCode::OK).await, json!([]));
    assert_error(
        w.app.get(&format!("{link}/Data/Last"), &plain).await,
        StatusCode::FORBIDDEN,
        "Community Member",
    )
    .await;
    // And without the Share right it cannot share its own stream.
    w.app.wave_stream(&w.b, "Flow B", &[]).await;
    let role_b = w.app.member_role(&w.b, &w.community).await;
    assert_error(
        w.app.share(&w.b, &plain, "Flow B", &role_b).await,
        StatusCode::FORBIDDEN,
        "Share right",
    )
    .await;
}

#[tokio::test]
async fn the_tenants_tab_lists_shares_and_a_tenant_unshares_its_own_after_confirming() {
    use crate::pages::{hidden, location, Browser};
    let w = world().await;
    w.app.wave_stream(&w.b, "Flow B", &[]).await;
    w.app.share_ok(&w.b, &w.community, "Flow B").await;
    // Only a holder of Community Member sees other tenants' shares.
    crate::share_visibility::grant_member_to_admin_user(&w.app, &w.a, &w.community).await;
    let alpha = Browser::new(&w.app);
    alpha
        .login(&w.a, &format!("/communities/{}", w.community))
        .await;
    let page = alpha
        .get(&format!("/communities/{}", w.community))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-stream=\"Flow A\""), "{page}");
    assert!(page.contains("data-stream=\"Flow B\""));
    assert!(page.contains("no values yet"), "Flow B has no values");
    let unshare = format!(
        "/communities/{}/shares/default/Flow%20A/unshare",
        w.community
    );
    assert!(page.contains(&unshare), "A may unshare its own stream");
    assert!(
        !page.contains("/shares/default/Flow%20B/unshare"),
        "but not B's"
    );
    let csrf = hidden(&page, "csrf");

    // No CSRF token, no change; the first POST only asks.
    let r = alpha.post(&unshare, &[("confirm", "yes")]).await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let ask = alpha.post(&unshare, &[("csrf", &csrf)]).await;
    assert_eq!(ask.status(), StatusCode::OK);
    let ask = ask.text().await.unwrap();
    assert!(ask.contains("Stop sharing this stream?"));
    // It names the stream and the community as people know them, and its
    // button has the style of every action that takes something away.
    assert!(
        ask.contains("Stream &#x27;Flow A&#x27; will no longer be visible to the members of &#x27;Plant data&#x27;."),
        "{ask}"
    );
    assert!(ask.contains("class=\"danger\""), "{ask}");
    assert_eq!(
        w.app.search_ids(&w.b, &w.community, "flow").await.len(),
        2,
        "asking changed nothing"
    );
    let done = alpha
        .post(&unshare, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), format!("/communities/{}", w.community));
    assert_eq!(
        w.app.search_ids(&w.b, &w.community, "flow").await,
        ["Flow B"]
    );
    let page = alpha
        .get(&format!("/communities/{}", w.community))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Stream no longer shared"));
    assert!(!page.contains("data-stream=\"Flow A\""));
}

#[tokio::test]
async fn the_tenants_tab_shows_each_members_contact_shares_and_start_and_sets_ones_own_contact() {
    use crate::pages::{hidden, location, Browser};
    let w = world().await;
    let beta = Browser::new(&w.app);
    let tab = format!("/communities/{}", w.community);
    beta.login(&w.b, &tab).await;
    let page = beta.get(&tab).await.text().await.unwrap();
    let today = w.app.clock.now().format("%-d %b %Y").to_string();
    let row = |page: &str, tenant: &str| {
        let start = page
            .find(&format!("data-tenant=\"{tenant}\""))
            .expect("the tenant's row");
        let end = page[start..].find("</tr>").expect("row end") + start;
        page[start..end].to_string()
    };
    let alpha_row = row(&page, "Alpha");
    assert!(alpha_row.contains("data-shared-count=\"1\""), "{alpha_row}");
    assert!(alpha_row.contains(&today), "member since: {alpha_row}");
    assert!(row(&page, "Beta").contains("None given"));

    // A bad address: the tab again (400) with the address as sent.
    let csrf = hidden(&page, "csrf");
    let contact = format!("/communities/{}/contact", w.community);
    let refused = beta
        .post(
            &contact,
            &[("csrf", &csrf), ("contact_email", "not an address")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("value=\"not an address\""), "{refused}");
    assert!(refused.contains("id=\"contact-error\""), "{refused}");

    let saved = beta
        .post(
            &contact,
            &[("csrf", &csrf), ("contact_email", "ops@beta.example")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), tab);
    // Every member sees it, the API too.
    let alpha = Browser::new(&w.app);
    alpha.login(&w.a, &tab).await;
    let page = alpha.get(&tab).await.text().await.unwrap();
    assert!(row(&page, "Beta").contains("href=\"mailto:ops@beta.example\""));
    let members = json_with_status(
        w.app
            .get(
                &format!(
                    "{}/{}/communitytenants",
                    communities_path(w.a.id),
                    w.community
                ),
                &w.a.token,
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let beta_member = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["Name"] == "Beta")
        .expect("Beta")
        .clone();
    assert_eq!(beta_member["ContactEmail"], "ops@beta.example");
}
