//! `filter` on value reads: windows (whole and paged), Transform windows
//! and ranges, on a tenant's own streams and through a community, and the
//! 400s for filters that are wrong or hostile.

use crate::helpers::*;
use crate::sds_fixtures::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

fn orders(body: &Value) -> Vec<i64> {
    body.as_array()
        .expect("array")
        .iter()
        .map(|v| v["Order"].as_i64().expect("Order"))
        .collect()
}

fn encoded(filter: &str) -> String {
    url::form_urlencoded::byte_serialize(filter.as_bytes()).collect()
}

async fn read(app: &TestApp, token: &str, path: &str) -> Value {
    json_with_status(app.get(path, token).await, StatusCode::OK).await
}

/// Orders 1 to 20 (Radians order / 10) in "Flow".
async fn flow() -> (TestApp, TestTenant) {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    app.wave_stream(&t, "Flow", &(1..=20).collect::<Vec<_>>())
        .await;
    (app, t)
}

const THIRDS: &str = "Order mod 3 eq 0";

#[tokio::test]
async fn a_filter_keeps_the_matching_values_of_windows_and_ranges() {
    let (app, t) = flow().await;
    let data = format!("{}/Data", stream_path(t.id, "Flow"));
    let window = |start: i64, end: i64, filter: &str| {
        format!(
            "{data}?startIndex={start}&endIndex={end}&filter={}",
            encoded(filter)
        )
    };
    let got = read(&app, &t.token, &window(1, 20, THIRDS)).await;
    assert_eq!(orders(&got), vec![3, 6, 9, 12, 15, 18]);
    let got = read(&app, &t.token, &window(4, 16, THIRDS)).await;
    assert_eq!(orders(&got), vec![6, 9, 12, 15]);
    let got = read(&app, &t.token, &window(1, 20, "Radians gt 1.5")).await;
    assert_eq!(orders(&got), vec![16, 17, 18, 19, 20]);
    let got = read(
        &app,
        &t.token,
        &window(1, 20, "(Order lt 3 or Order ge 19) and not (Order eq 2)"),
    )
    .await;
    assert_eq!(orders(&got), vec![1, 19, 20]);
    let got = read(&app, &t.token, &window(1, 20, "Order gt 100")).await;
    assert_eq!(got, serde_json::json!([]));
    // `filter=` with nothing is no filter, as AVEVA's client sends it.
    let got = read(
        &app,
        &t.token,
        &format!("{data}?startIndex=1&endIndex=20&filter="),
    )
    .await;
    assert_eq!(orders(&got).len(), 20);

    let transform = format!("{data}/Transform");
    let got = read(
        &app,
        &t.token,
        &format!(
            "{transform}?startIndex=1&endIndex=20&filter={}",
            encoded(THIRDS)
        ),
    )
    .await;
    assert_eq!(orders(&got), vec![3, 6, 9, 12, 15, 18]);
    // A range's skip and count count matching values.
    let got = read(
        &app,
        &t.token,
        &format!(
            "{transform}?startIndex=5&skip=1&count=3&filter={}",
            encoded(THIRDS)
        ),
    )
    .await;
    assert_eq!(orders(&got), vec![9, 12, 15]);
    let got = read(
        &app,
        &t.token,
        &format!(
            "{transform}?startIndex=16&count=2&reversed=True&filter={}",
            encoded(THIRDS)
        ),
    )
    .await;
    assert_eq!(orders(&got), vec![15, 12]);
    let got = read(
        &app,
        &t.token,
        &format!("{transform}?count=100&filter={}", encoded("Order le 2")),
    )
    .await;
    assert_eq!(orders(&got), vec![1, 2]);
}

#[tokio::test]
async fn pages_hold_matching_values_and_their_token_resumes_the_scan() {
    let (app, t) = flow().await;
    let first = format!(
        "{}/Data?startIndex=1&endIndex=20&count=2&filter={}",
        stream_path(t.id, "Flow"),
        encoded(THIRDS)
    );
    let mut pages = Vec::new();
    let mut token = String::new();
    loop {
        let page = read(
            &app,
            &t.token,
            &format!("{first}&continuationToken={token}"),
        )
        .await;
        pages.push(orders(&page["Results"]));
        match page["ContinuationToken"].as_str() {
            Some(next) => token = next.to_string(),
            None => break,
        }
        assert!(pages.len() < 10, "the pages never end");
    }
    assert_eq!(pages, vec![vec![3, 6], vec![9, 12], vec![15, 18]]);
}

async fn refused_filter(app: &TestApp, t: &TestTenant, query: &str, needle: &str) {
    let body = assert_error(
        app.get(
            &format!("{}/Data?{query}", stream_path(t.id, "Flow")),
            &t.token,
        )
        .await,
        StatusCode::BAD_REQUEST,
        needle,
    )
    .await;
    assert_eq!(body["Parameter"], "filter", "{body}");
}

#[tokio::test]
async fn wrong_and_hostile_filters_are_400_naming_filter_and_fast() {
    let (app, t) = flow().await;
    let window = |f: &str| format!("startIndex=1&endIndex=20&filter={}", encoded(f));
    let started = Instant::now();
    refused_filter(&app, &t, &window("Order gt"), "found the end").await;
    refused_filter(&app, &t, &window("Order == 1"), "'='").await;
    refused_filter(&app, &t, &window("'a' gt 1"), "cannot compare").await;
    refused_filter(&app, &t, &window("soundex(Order) eq 1"), "not a function").await;
    let deep = format!("{}Order eq 1{}", "(".repeat(1100), ")".repeat(1100));
    refused_filter(&app, &t, &window(&deep), "at most 2000 characters").await;
    let deep = format!("{}Order eq 1{}", "(".repeat(500), ")".repeat(500));
    refused_filter(&app, &t, &window(&deep), "nests more than 32").await;
    let many = vec!["Order eq 1"; 120].join(" or ");
    refused_filter(&app, &t, &window(&many), "more than 100").await;
    let nots = format!("{}Order eq 1", "not ".repeat(400));
    refused_filter(&app, &t, &window(&nots), "nests more than 32").await;
    // A filter on values read by index is refused, not ignored.
    refused_filter(
        &app,
        &t,
        &format!("index=3&filter={}", encoded(THIRDS)),
        "index",
    )
    .await;
    let range = format!(
        "{}/Data/Transform?startIndex=1&count=5&filter={}",
        stream_path(t.id, "Flow"),
        encoded("Order eq")
    );
    let body = assert_error(
        app.get(&range, &t.token).await,
        StatusCode::BAD_REQUEST,
        "filter",
    )
    .await;
    assert_eq!(body["Parameter"], "filter");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_partner_filters_a_shared_stream_through_the_header_and_the_community_route() {
    let app = spawn_app().await;
    let (a, b, community) = app.partners().await;
    app.wave_stream(&a, "Flow", &(1..=20).collect::<Vec<_>>())
        .await;
    app.wave_stream(&a, "Secret", &[3, 6]).await;
    app.share_ok(&a, &community, "Flow").await;
    let query = format!("Data?startIndex=1&endIndex=20&filter={}", encoded(THIRDS));
    let header = app
        .request(
            Method::GET,
            &format!(
                "/api/v1-preview/Tenants/{}/Namespaces/default/Streams/Flow/{query}",
                a.id
            ),
            &b.token,
        )
        .header("community-id", &community)
        .send()
        .await
        .unwrap();
    let got = json_with_status(header, StatusCode::OK).await;
    assert_eq!(orders(&got), vec![3, 6, 9, 12, 15, 18]);
    let mount = format!(
        "/api/v1-preview/Communities/{community}/Tenants/{}/Namespaces/default/Streams",
        a.id
    );
    let got = read(&app, &b.token, &format!("{mount}/Flow/{query}")).await;
    assert_eq!(orders(&got), vec![3, 6, 9, 12, 15, 18]);
    // What is not shared stays hidden, filter or not.
    assert_error(
        app.get(&format!("{mount}/Secret/{query}"), &b.token).await,
        StatusCode::NOT_FOUND,
        "not shared",
    )
    .await;
}
