//! Usage of a community: partners' reads through the community are counted
//! per stream, reader and UTC day (never the values), written in batches,
//! and reported to the owner of the streams and to the reader, grouped by
//! day, month, stream or reader, as JSON or CSV; the Usage tab draws it.

use crate::helpers::*;
use crate::pages::Browser;
use crate::sds_fixtures::*;
use chrono::Utc;
use communityd::app::usage::flush::flush;
use reqwest::{Method, StatusCode};
use serde_json::Value;

struct World {
    app: TestApp,
    /// Owns the community and shares "Flow A" and "Flow B".
    a: TestTenant,
    /// Reads through the community.
    b: TestTenant,
    c: TestTenant,
    community: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let a = app.tenant("Alpha").await;
    let b = app.tenant("Beta").await;
    let c = app.tenant("Gamma").await;
    let community = app.community(&a, "Plant data").await;
    app.join(&a, &community, &b).await;
    app.join(&a, &community, &c).await;
    app.wave_stream(&a, "Flow A", &[1, 2, 3]).await;
    app.wave_stream(&a, "Flow B", &[1, 2]).await;
    app.wave_stream(&a, "Private", &[1]).await;
    app.share_ok(&a, &community, "Flow A").await;
    app.share_ok(&a, &community, "Flow B").await;
    World {
        app,
        a,
        b,
        c,
        community,
    }
}

/// A read of `what` (after the stream's path) through the community.
async fn read(w: &World, reader: &TestTenant, stream: &str, what: &str) -> StatusCode {
    read_with(w, &reader.token, stream, what).await
}

async fn read_with(w: &World, token: &str, stream: &str, what: &str) -> StatusCode {
    w.app
        .request(
            Method::GET,
            &format!("{}{what}", stream_path(w.a.id, stream)),
            token,
        )
        .header("community-id", &w.community)
        .send()
        .await
        .unwrap()
        .status()
}

async fn flushed(w: &World) {
    flush(&w.app.ctx).await.expect("usage written");
}

fn usage_path(w: &World, viewer: &TestTenant) -> String {
    format!(
        "/api/v1/Communities/{}/Tenants/{}/Usage",
        w.community, viewer.id
    )
}

async fn usage(w: &World, viewer: &TestTenant, query: &str) -> Value {
    let path = format!("{}?{query}", usage_path(w, viewer));
    json_with_status(w.app.get(&path, &viewer.token).await, StatusCode::OK).await
}

fn today() -> String {
    Utc::now().format("%Y-%m-%d").to_string()
}

fn records(v: &Value) -> &Vec<Value> {
    v.as_array().expect("an array of records")
}

#[tokio::test]
async fn a_partners_reads_are_counted_per_stream_and_day_for_the_owner() {
    let w = world().await;
    assert_eq!(
        read(&w, &w.b, "Flow%20A", "/Data?startIndex=0&endIndex=10").await,
        StatusCode::OK
    );
    assert_eq!(
        read(&w, &w.b, "Flow%20A", "/Data/First").await,
        StatusCode::OK
    );
    // Reads of the owner's own data are not counted.
    let own = w
        .app
        .get(
            &format!("{}/Data/Last", stream_path(w.a.id, "Flow%20A")),
            &w.a.token,
        )
        .await;
    assert_eq!(own.status(), StatusCode::OK);
    flushed(&w).await;

    let all = usage(&w, &w.a, "groupBy=All").await;
    let rows = records(&all);
    assert_eq!(rows.len(), 1, "{all}");
    let r = &rows[0];
    assert_eq!(r["StartTime"], format!("{}T00:00:00.000Z", today()));
    assert_eq!(r["CommunityId"], w.community.as_str());
    assert_eq!(r["ReaderTenantId"], w.b.id.to_string());
    assert_eq!(r["OwnerTenantId"], w.a.id.to_string());
    assert_eq!(r["NamespaceId"], "default");
    assert_eq!(r["StreamId"], "Flow A");
    assert_eq!(r["Requests"], 2);
    assert_eq!(r["ValuesRead"], 4);
    assert_eq!(r["RefusedRequests"], 0);
    // Nothing that was read is kept.
    assert!(!all.to_string().contains("Radians"), "{all}");
}

#[tokio::test]
async fn usage_is_grouped_by_day_month_stream_and_reader() {
    let w = world().await;
    read(&w, &w.b, "Flow%20A", "/Data?startIndex=0&endIndex=10").await;
    read(&w, &w.c, "Flow%20B", "/Data/Last").await;
    flushed(&w).await;
    // The next day, b reads again (with a token of that day).
    w.app.clock.advance(chrono::Duration::days(1));
    let b_token = w.app.token(w.b.client_id, &w.b.client_secret).await;
    let a_token = w.app.token(w.a.client_id, &w.a.client_secret).await;
    assert_eq!(
        read_with(&w, &b_token, "Flow%20B", "/Data?startIndex=0&endIndex=10").await,
        StatusCode::OK
    );
    flushed(&w).await;
    let get = |query: &'static str| {
        let path = format!("{}?{query}", usage_path(&w, &w.a));
        let app = &w.app;
        let token = a_token.clone();
        async move { json_with_status(app.get(&path, &token).await, StatusCode::OK).await }
    };

    let none = get("").await;
    assert_eq!(records(&none).len(), 1, "{none}");
    assert_eq!(
        (none[0]["Requests"].as_u64(), none[0]["ValuesRead"].as_u64()),
        (Some(3), Some(6))
    );
    assert!(none[0].get("StreamId").is_none(), "{none}");

    let days = get("groupBy=Day").await;
    let per_day: Vec<u64> = records(&days)
        .iter()
        .map(|r| r["ValuesRead"].as_u64().unwrap())
        .collect();
    assert_eq!(per_day, vec![4, 2], "{days}");

    let months = get("groupBy=Month").await;
    let total: u64 = records(&months)
        .iter()
        .map(|r| r["ValuesRead"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 6, "{months}");
    assert!(records(&months)
        .iter()
        .all(|r| r.get("ReaderTenantId").is_none()));

    let streams = get("groupBy=Stream").await;
    let per_stream: Vec<(String, u64)> = records(&streams)
        .iter()
        .map(|r| {
            (
                r["StreamId"].as_str().unwrap().to_string(),
                r["Requests"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        per_stream,
        vec![("Flow A".into(), 1), ("Flow B".into(), 2)],
        "{streams}"
    );

    let readers = get("groupBy=ReaderTenant").await;
    let mut per_reader: Vec<(String, u64)> = records(&readers)
        .iter()
        .map(|r| {
            (
                r["ReaderTenantId"].as_str().unwrap().to_string(),
                r["ValuesRead"].as_u64().unwrap(),
            )
        })
        .collect();
    per_reader.sort();
    let mut expected = vec![(w.b.id.to_string(), 5), (w.c.id.to_string(), 1)];
    expected.sort();
    assert_eq!(per_reader, expected, "{readers}");

    let r = w
        .app
        .get(&format!("{}?groupBy=Week", usage_path(&w, &w.a)), &a_token)
        .await;
    assert_error_names(r, "groupBy").await;
}

async fn assert_error_names(r: reqwest::Response, field: &str) {
    let body = json_with_status(r, StatusCode::BAD_REQUEST).await;
    assert!(body.to_string().contains(field), "{field}: {body}");
}

#[tokio::test]
async fn the_csv_form_has_one_line_per_record() {
    let w = world().await;
    read(&w, &w.b, "Flow%20A", "/Data?startIndex=0&endIndex=10").await;
    flushed(&w).await;
    let r = w
        .app
        .request(
            Method::GET,
            &format!("{}?groupBy=All", usage_path(&w, &w.a)),
            &w.a.token,
        )
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = r.text().await.unwrap();
    let day = today();
    let next = (Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%d");
    assert_eq!(
        body,
        format!(
            "StartTime,EndTime,CommunityId,ReaderTenantId,OwnerTenantId,NamespaceId,StreamId,Requests,ValuesRead,RefusedRequests\r\n\
             {day}T00:00:00.000Z,{next}T00:00:00.000Z,{},{},{},default,Flow A,1,3,0\r\n",
            w.community, w.b.id, w.a.id
        )
    );
}

#[tokio::test]
async fn a_refused_read_of_an_existing_stream_is_counted_for_the_owner_only() {
    let w = world().await;
    // Not shared: refused as if absent.
    assert_eq!(
        read(&w, &w.b, "Private", "/Data/Last").await,
        StatusCode::NOT_FOUND
    );
    // No such stream: not counted (nobody can fill the owner's counts).
    assert_eq!(
        read(&w, &w.b, "Made%20up", "/Data/Last").await,
        StatusCode::NOT_FOUND
    );
    flushed(&w).await;
    let owner = usage(&w, &w.a, "groupBy=Stream").await;
    assert_eq!(records(&owner).len(), 1, "{owner}");
    assert_eq!(owner[0]["StreamId"], "Private");
    assert_eq!(
        (
            owner[0]["Requests"].as_u64(),
            owner[0]["RefusedRequests"].as_u64()
        ),
        (Some(1), Some(1))
    );
    // The reader is not told that the stream it may not see exists.
    let reader = usage(&w, &w.b, "groupBy=Stream").await;
    assert_eq!(records(&reader).len(), 0, "{reader}");
}

#[tokio::test]
async fn a_reader_sees_its_own_reads_and_a_stranger_sees_nothing() {
    let w = world().await;
    read(&w, &w.b, "Flow%20A", "/Data/First").await;
    read(&w, &w.c, "Flow%20B", "/Data/First").await;
    flushed(&w).await;
    let mine = usage(&w, &w.b, "groupBy=All").await;
    assert_eq!(records(&mine).len(), 1, "{mine}");
    assert_eq!(mine[0]["ReaderTenantId"], w.b.id.to_string());
    assert!(!mine.to_string().contains(&w.c.id.to_string()), "{mine}");

    // A tenant outside the community, with its own id in the path: 404;
    // with the owner's: 403.
    let stranger = w.app.tenant("Delta").await;
    let r = w.app.get(&usage_path(&w, &stranger), &stranger.token).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = w.app.get(&usage_path(&w, &w.a), &stranger.token).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn reversed_and_overlong_ranges_name_their_field() {
    let w = world().await;
    let path = usage_path(&w, &w.a);
    let r = w
        .app
        .get(
            &format!("{path}?startTime=2026-06-02&endTime=2026-06-01"),
            &w.a.token,
        )
        .await;
    assert_error_names(r, "endTime").await;
    let r = w
        .app
        .get(
            &format!("{path}?startTime=2024-01-01&endTime=2025-06-01"),
            &w.a.token,
        )
        .await;
    assert_error_names(r, "endTime").await;
    let r = w
        .app
        .get(&format!("{path}?startTime=2020-01-01"), &w.a.token)
        .await;
    assert_error_names(r, "startTime").await;
    let r = w
        .app
        .get(&format!("{path}?startTime=soon"), &w.a.token)
        .await;
    assert_error_names(r, "startTime").await;
    let r = w
        .app
        .get(
            &format!("{path}?startTime=2026-01-01T00:00:00Z&endTime=2026-12-31T23:59:59Z"),
            &w.a.token,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn flushes_add_up_and_never_overwrite() {
    let w = world().await;
    for _ in 0..2 {
        read(&w, &w.b, "Flow%20A", "/Data/First").await;
    }
    flushed(&w).await;
    let first = usage(&w, &w.a, "").await;
    assert_eq!(first[0]["Requests"], 2);
    for _ in 0..3 {
        read(&w, &w.b, "Flow%20A", "/Data/First").await;
    }
    flushed(&w).await;
    // Nothing new: a flush of nothing changes nothing.
    flushed(&w).await;
    let second = usage(&w, &w.a, "").await;
    assert_eq!(second[0]["Requests"], 5);
    assert_eq!(second[0]["ValuesRead"], 5);
}

#[tokio::test]
async fn counting_can_be_turned_off() {
    let app = spawn_app_with(|s| s.usage_counting = false).await;
    let (a, b, community) = app.partners().await;
    app.wave_stream(&a, "Flow A", &[1]).await;
    app.share_ok(&a, &community, "Flow A").await;
    let r = app
        .request(
            Method::GET,
            &format!("{}/Data/First", stream_path(a.id, "Flow%20A")),
            &b.token,
        )
        .header("community-id", &community)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    flush(&app.ctx).await.unwrap();
    let path = format!("/api/v1/Communities/{community}/Tenants/{}/Usage", a.id);
    let body = json_with_status(app.get(&path, &a.token).await, StatusCode::OK).await;
    assert_eq!(body, serde_json::json!([]), "nothing was counted");
}

#[tokio::test]
async fn the_usage_tab_draws_a_chart_a_table_and_offers_the_csv() {
    let w = world().await;
    read(&w, &w.b, "Flow%20A", "/Data?startIndex=0&endIndex=10").await;
    flushed(&w).await;
    let owner = Browser::new(&w.app);
    owner
        .login(&w.a, &format!("/communities/{}", w.community))
        .await;
    let r = owner
        .get(&format!("/communities/{}?tab=usage", w.community))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains(">Usage</a>"), "the tab: {page}");
    assert_eq!(
        page.matches("<svg").count(),
        2,
        "a daily and a monthly chart: {page}"
    );
    assert!(!page.contains("<script"), "no script: {page}");
    assert!(
        page.contains(r#"<tr data-stream="Flow A" data-reader="Beta">"#),
        "the table: {page}"
    );
    let link = page
        .split("<a href=\"")
        .find(|s| s.contains("Download CSV"))
        .and_then(|s| s.split('"').next())
        .expect("a CSV link")
        .replace("&amp;", "&");
    let csv = owner.get(&link).await;
    assert_eq!(csv.status(), StatusCode::OK);
    let body = csv.text().await.unwrap();
    assert!(body.starts_with("StartTime,EndTime,"), "{body}");
    assert!(
        body.contains(&format!(",{},{},default,Flow A,1,3,0\r\n", w.b.id, w.a.id)),
        "{body}"
    );

    // A stranger signed in finds no such community.
    let stranger = w.app.tenant("Delta").await;
    let other = Browser::new(&w.app);
    other.login(&stranger, "/communities").await;
    let r = other.get(&link).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
