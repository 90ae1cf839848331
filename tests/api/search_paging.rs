//! Community stream search paging: `orderBy` both ways, `pageSize` with a
//! `Link` header whose next link carries a `continuationToken`,
//! `maxPages`, `skip`/`count`, refused parameters naming themselves, and
//! 207 with a `PartialFailureResult` when the share budget stops the
//! search before a sharing tenant was fully searched.

use crate::helpers::*;
use crate::sds_fixtures::{ns, stream_path, wave_type};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

/// (id, name): name order is s2, s4, s3, s5, s1 whatever the case.
const STREAMS: [(&str, &str); 5] = [
    ("s1", "Echo"),
    ("s2", "alpha"),
    ("s3", "Charlie"),
    ("s4", "bravo"),
    ("s5", "Delta"),
];

async fn shared_streams(
    app: &TestApp,
    owner: &TestTenant,
    community: &str,
    streams: &[(&str, &str)],
) {
    let typed = app
        .post_json(
            &format!("{}/Types/WaveData_SampleType", ns(owner.id)),
            &owner.token,
            &wave_type(),
        )
        .await;
    assert!(typed.status().is_success());
    for (id, name) in streams {
        let body = json!({"Id": id, "TypeId": "WaveData_SampleType", "Name": name});
        let made = app
            .post_json(&stream_path(owner.id, id), &owner.token, &body)
            .await;
        assert_eq!(made.status(), StatusCode::CREATED);
        app.share_ok(owner, community, id).await;
    }
}

fn search_path(community: &str, query: &str) -> String {
    format!("/api/v1-preview/Search/Communities/{community}/Streams?{query}")
}

/// The path of the `rel` link of a Link header, if any.
fn link(response: &Response, rel: &str) -> Option<String> {
    let header = response.headers().get("link")?.to_str().ok()?.to_string();
    header.split(", ").find_map(|part| {
        let (url, relation) = part.split_once("; ")?;
        (relation == format!("rel=\"{rel}\"")).then(|| {
            let url = url.trim_start_matches('<').trim_end_matches('>');
            url[url.find("/api/").expect("an API link")..].to_string()
        })
    })
}

fn ids(body: &Value) -> Vec<&str> {
    body.as_array()
        .expect("array")
        .iter()
        .map(|s| s["Id"].as_str().expect("Id"))
        .collect()
}

/// Walks every page from `first`, returning the ids of each page.
async fn walk(app: &TestApp, token: &str, first: String) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut next = Some(first);
    while let Some(path) = next {
        let response = app.get(&path, token).await;
        assert_eq!(response.status(), StatusCode::OK);
        next = link(&response, "next");
        assert!(
            link(&response, "first").is_some(),
            "every paged answer links its first page"
        );
        let body: Value = response.json().await.expect("json");
        pages.push(ids(&body).into_iter().map(String::from).collect());
        assert!(pages.len() <= 10, "the walk ends");
    }
    pages
}

#[tokio::test]
async fn pages_follow_the_order_both_ways_through_their_tokens() {
    let app = spawn_app().await;
    let (owner, reader, community) = app.partners().await;
    shared_streams(&app, &owner, &community, &STREAMS).await;

    let pages = walk(&app, &reader.token, search_path(&community, "pageSize=2")).await;
    assert_eq!(pages, vec![vec!["s2", "s4"], vec!["s3", "s5"], vec!["s1"]]);
    let pages = walk(
        &app,
        &reader.token,
        search_path(&community, "pageSize=2&orderBy=name%20desc"),
    )
    .await;
    assert_eq!(pages, vec![vec!["s1", "s5"], vec!["s3", "s4"], vec!["s2"]]);
    let pages = walk(
        &app,
        &reader.token,
        search_path(&community, "pageSize=3&orderBy=Id"),
    )
    .await;
    assert_eq!(pages, vec![vec!["s1", "s2", "s3"], vec!["s4", "s5"]]);
    // maxPages ends the walk after two pages.
    let pages = walk(
        &app,
        &reader.token,
        search_path(&community, "pageSize=2&maxPages=2"),
    )
    .await;
    assert_eq!(pages, vec![vec!["s2", "s4"], vec!["s3", "s5"]]);
    // skip and count still page, in the same order, with no Link header.
    let response = app
        .get(&search_path(&community, "skip=1&count=2"), &reader.token)
        .await;
    assert!(response.headers().get("link").is_none());
    let body = json_with_status(response, StatusCode::OK).await;
    assert_eq!(ids(&body), vec!["s4", "s3"]);
    // A query narrows every page alike.
    let pages = walk(
        &app,
        &reader.token,
        search_path(&community, "pageSize=1&query=Name:*a*&orderBy=Name%20DESC"),
    )
    .await;
    assert_eq!(pages, vec![vec!["s5"], vec!["s3"], vec!["s4"], vec!["s2"]]);
}

#[tokio::test]
async fn refused_paging_parameters_name_themselves() {
    let app = spawn_app().await;
    let (owner, reader, community) = app.partners().await;
    shared_streams(&app, &owner, &community, &STREAMS[..3]).await;

    let first = app
        .get(&search_path(&community, "pageSize=1"), &reader.token)
        .await;
    let next = link(&first, "next").expect("a next page");
    let token = next
        .split("continuationToken=")
        .nth(1)
        .expect("token")
        .to_string();
    let mut chars: Vec<char> = token.chars().collect();
    chars[2] = if chars[2] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    for (query, field) in [
        (
            format!("pageSize=1&continuationToken={tampered}"),
            "continuationToken",
        ),
        (
            "pageSize=1&continuationToken=nonsense".to_string(),
            "continuationToken",
        ),
        // The token of another order is not this search's.
        (
            format!("pageSize=1&orderBy=Id&continuationToken={token}"),
            "continuationToken",
        ),
        ("pageSize=0".to_string(), "pageSize"),
        ("pageSize=1001".to_string(), "pageSize"),
        ("pageSize=2&maxPages=0".to_string(), "maxPages"),
        ("orderBy=Colour".to_string(), "orderBy"),
        ("orderBy=Name%20sideways".to_string(), "orderBy"),
    ] {
        let response = app
            .get(&search_path(&community, &query), &reader.token)
            .await;
        let body = json_with_status(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(body["Parameter"], json!(field), "{query}: {body}");
    }
    // The untouched token works.
    let response = app.get(&next, &reader.token).await;
    let body = json_with_status(response, StatusCode::OK).await;
    assert_eq!(ids(&body), vec!["s3"]);
}

#[tokio::test]
async fn a_search_stopped_by_its_budget_answers_207_naming_the_unsearched_tenant() {
    let app = spawn_app_with(|s| s.search_share_budget = 3).await;
    let (owner, reader, community) = app.partners().await;
    let third = app.tenant("Gamma").await;
    app.join(&owner, &community, &third).await;
    shared_streams(
        &app,
        &owner,
        &community,
        &[("a1", "a one"), ("a2", "a two")],
    )
    .await;
    shared_streams(
        &app,
        &third,
        &community,
        &[("g1", "g one"), ("g2", "g two")],
    )
    .await;
    // Shares are examined by tenant id: the first tenant fully, the second in part.
    let (first, second) = if owner.id.0 < third.id.0 {
        (&owner, &third)
    } else {
        (&third, &owner)
    };

    let response = app
        .get(&search_path(&community, "orderBy=TenantId"), &reader.token)
        .await;
    let body = json_with_status(response, StatusCode::MULTI_STATUS).await;
    for key in ["OperationId", "Error", "ReasonPhrase"] {
        assert!(body[key].is_string(), "{key}: {body}");
    }
    let data = body["Data"].as_array().expect("Data");
    assert_eq!(data.len(), 3, "{body}");
    let from_first = data
        .iter()
        .filter(|h| h["TenantId"] == json!(first.id))
        .count();
    assert_eq!(from_first, 2, "{body}");
    let children = body["ChildErrors"].as_array().expect("ChildErrors");
    assert_eq!(children.len(), 1, "{body}");
    assert_eq!(children[0]["TenantId"], json!(second.id));
    assert_eq!(children[0]["StatusCode"], 408);
    for key in ["OperationId", "Error", "Reason", "Resolution"] {
        assert!(children[0][key].is_string(), "{key}: {body}");
    }

    // The second tenant alone fits the budget: a whole answer.
    let alone = format!("searchTenantId={}", second.id);
    let response = app
        .get(&search_path(&community, &alone), &reader.token)
        .await;
    let body = json_with_status(response, StatusCode::OK).await;
    assert_eq!(body.as_array().expect("array").len(), 2, "{body}");
}
