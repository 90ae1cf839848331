//! `Data/Summaries` and `Data/Sampled`: exact statistics of intervals
//! (event-weighted and index-weighted, continuous and stepwise, on unevenly
//! spaced values), the events sampling them with each boundary type, their
//! bounds, and the same reads through a community, counted for usage.

use crate::helpers::*;
use crate::sds_fixtures::*;
use communityd::app::usage::flush::flush;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const BASE: &str = "2024-01-01T00:00:";

fn at(second: u32) -> String {
    format!("{BASE}{second:02}Z")
}

/// Time (index), Flow (continuous), Level (stepwise leading), Code
/// (discrete: not summarised), Label (text: not summarised).
fn gauge_type() -> Value {
    let number = |id: &str, mode: Option<&str>| {
        let mut p = json!({"Id": id, "SdsType": {"Id": "d", "SdsTypeCode": "Double"}});
        if let Some(mode) = mode {
            p["InterpolationMode"] = json!(mode);
        }
        p
    };
    json!({"Id": "Gauge", "SdsTypeCode": "Object", "Properties": [
        {"Id": "Time", "IsKey": true, "SdsType": {"Id": "t", "SdsTypeCode": "DateTime"}},
        number("Flow", None),
        number("Level", Some("StepwiseContinuousLeading")),
        {"Id": "Code", "InterpolationMode": "Discrete", "SdsType": {"Id": "i", "SdsTypeCode": "Int32"}},
        {"Id": "Label", "SdsType": {"Id": "s", "SdsTypeCode": "String"}}
    ]})
}

/// Seconds and values, unevenly spaced.
const POINTS: [(u32, f64); 5] = [(0, 10.0), (1, 20.0), (4, 40.0), (7, 5.0), (10, 10.0)];

async fn gauge(app: &TestApp, owner: &TestTenant, stream: &str, points: &[(u32, f64)]) {
    let r = app
        .post_json(
            &format!("{}/Types/Gauge", ns(owner.id)),
            &owner.token,
            &gauge_type(),
        )
        .await;
    assert!(r.status().is_success(), "type: {}", r.status());
    let body = json!({"Id": stream, "TypeId": "Gauge"});
    let r = app
        .post_json(&stream_path(owner.id, stream), &owner.token, &body)
        .await;
    assert!(r.status().is_success(), "stream: {}", r.status());
    let values: Vec<Value> = points
        .iter()
        .map(|(s, v)| json!({"Time": at(*s), "Flow": v, "Level": v, "Code": 1, "Label": "x"}))
        .collect();
    let r = app
        .post_json(
            &format!("{}/Data", stream_path(owner.id, stream)),
            &owner.token,
            &json!(values),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

async fn get_ok(app: &TestApp, token: &str, path: &str) -> Value {
    json_with_status(app.get(path, token).await, StatusCode::OK).await
}

fn close(found: &Value, expected: f64) {
    let f = found
        .as_f64()
        .unwrap_or_else(|| panic!("a number: {found}"));
    assert!((f - expected).abs() < 1e-9, "{f} != {expected}");
}

/// The reference statistics, computed the plain way (two passes over the
/// segments), for `points` held continuously or stepwise-leading.
struct Expected {
    mean: f64,
    sd: f64,
    pop_sd: f64,
    total: f64,
    weighted_mean: f64,
    weighted_sd: f64,
    weighted_pop_sd: f64,
}

fn expected(points: &[(f64, f64)], leading: bool) -> Expected {
    let segments: Vec<(f64, f64)> = points
        .windows(2)
        .map(|w| {
            let value = if leading {
                w[0].1
            } else {
                (w[0].1 + w[1].1) / 2.0
            };
            (value, w[1].0 - w[0].0)
        })
        .collect();
    let n = segments.len() as f64;
    let total: f64 = segments.iter().map(|s| s.0).sum();
    let mean = total / n;
    let squares: f64 = segments.iter().map(|s| (s.0 - mean).powi(2)).sum();
    let weight: f64 = segments.iter().map(|s| s.1).sum();
    let weight_squares: f64 = segments.iter().map(|s| s.1 * s.1).sum();
    let weighted_mean = segments.iter().map(|s| s.0 * s.1).sum::<f64>() / weight;
    let spread: f64 = segments
        .iter()
        .map(|s| s.1 * (s.0 - weighted_mean).powi(2))
        .sum();
    Expected {
        mean,
        sd: (squares / (n - 1.0)).sqrt(),
        pop_sd: (squares / n).sqrt(),
        total,
        weighted_mean,
        weighted_sd: (spread / (weight - weight_squares / weight)).sqrt(),
        weighted_pop_sd: (spread / weight).sqrt(),
    }
}

fn check(summaries: &Value, property: &str, e: &Expected) {
    close(&summaries["Mean"][property], e.mean);
    close(&summaries["StandardDeviation"][property], e.sd);
    close(
        &summaries["PopulationStandardDeviation"][property],
        e.pop_sd,
    );
    close(&summaries["Total"][property], e.total);
    close(&summaries["WeightedMean"][property], e.weighted_mean);
    close(
        &summaries["WeightedStandardDeviation"][property],
        e.weighted_sd,
    );
    close(
        &summaries["WeightedPopulationStandardDeviation"][property],
        e.weighted_pop_sd,
    );
}

fn summaries_path(owner: &TestTenant, stream: &str, query: &str) -> String {
    format!("{}/Data/Summaries?{query}", stream_path(owner.id, stream))
}

#[tokio::test]
async fn one_interval_weighs_uneven_spacing_continuously_and_stepwise() {
    let app = spawn_app().await;
    let owner = app.tenant("Contoso").await;
    gauge(&app, &owner, "g", &POINTS).await;
    let query = format!("startIndex={}&endIndex={}&count=1", at(0), at(10));
    let body = get_ok(&app, &owner.token, &summaries_path(&owner, "g", &query)).await;
    let intervals = body.as_array().expect("intervals");
    assert_eq!(intervals.len(), 1, "{body}");
    let one = &intervals[0];
    assert_eq!(one["Start"]["Time"], at(0));
    close(&one["Start"]["Flow"], 10.0);
    assert_eq!(one["End"]["Time"], at(10));
    let s = &one["Summaries"];
    assert_eq!(s["Count"], json!({"Time": 5, "Flow": 5, "Level": 5}));
    assert_eq!(
        s["Mean"].as_object().unwrap().len(),
        2,
        "Code and Label are not summarised: {s}"
    );
    close(&s["Minimum"]["Flow"], 5.0);
    close(&s["Maximum"]["Flow"], 40.0);
    close(&s["Range"]["Flow"], 35.0);
    let points: Vec<(f64, f64)> = POINTS.iter().map(|(t, v)| (f64::from(*t), *v)).collect();
    check(s, "Flow", &expected(&points, false));
    check(s, "Level", &expected(&points, true));
    // By hand: trapezoids 15·1 + 30·3 + 22.5·3 + 7.5·3 over 10 s; steps 10·1 + 20·3 + 40·3 + 5·3.
    close(&s["WeightedMean"]["Flow"], 19.5);
    close(&s["WeightedMean"]["Level"], 20.5);
    // A filter leaves out the 5 at 7 s: the segments join 4 s to 10 s.
    let filtered = format!("{query}&filter=Flow%20gt%206");
    let body = get_ok(&app, &owner.token, &summaries_path(&owner, "g", &filtered)).await;
    let f = &body[0]["Summaries"];
    assert_eq!(f["Count"]["Flow"], 4, "{f}");
    close(
        &f["WeightedMean"]["Flow"],
        (15.0 + 30.0 * 3.0 + 25.0 * 6.0) / 10.0,
    );
    close(&f["Minimum"]["Flow"], 10.0);
    for name in [
        "Count",
        "Minimum",
        "Maximum",
        "Range",
        "Mean",
        "StandardDeviation",
        "PopulationStandardDeviation",
        "Total",
        "Skewness",
        "Kurtosis",
        "WeightedMean",
        "WeightedStandardDeviation",
        "WeightedPopulationStandardDeviation",
    ] {
        assert!(s[name].is_object(), "{name}: {s}");
    }
}

#[tokio::test]
async fn interval_edges_are_interpolated_and_stored_edges_count_in_both() {
    let app = spawn_app().await;
    let owner = app.tenant("Contoso").await;
    gauge(&app, &owner, "g", &POINTS).await;
    // Edges at 0, 5 and 10: 5 falls between 4 (40) and 7 (5).
    let query = format!("startIndex={}&endIndex={}&count=2", at(0), at(10));
    let body = get_ok(&app, &owner.token, &summaries_path(&owner, "g", &query)).await;
    let (first, second) = (&body[0], &body[1]);
    assert_eq!(first["End"]["Time"], at(5));
    let flow_at_5 = 40.0 + (5.0 - 40.0) / 3.0;
    close(&first["End"]["Flow"], flow_at_5);
    close(&first["End"]["Level"], 40.0);
    assert_eq!(first["End"], second["Start"]);
    assert_eq!(first["Summaries"]["Count"]["Time"], 3);
    assert_eq!(second["Summaries"]["Count"]["Time"], 2);
    let left = [(0.0, 10.0), (1.0, 20.0), (4.0, 40.0), (5.0, flow_at_5)];
    check(&first["Summaries"], "Flow", &expected(&left, false));
    let right = [(5.0, flow_at_5), (7.0, 5.0), (10.0, 10.0)];
    check(&second["Summaries"], "Flow", &expected(&right, false));

    // The SDS docs' example (there hourly): 0, 10, 20, 30, 40 in two intervals.
    let even: Vec<(u32, f64)> = (0..5).map(|h| (h, f64::from(h) * 10.0)).collect();
    gauge(&app, &owner, "even", &even).await;
    let query = format!("startIndex={}&endIndex={}&count=2", at(0), at(4));
    let body = get_ok(&app, &owner.token, &summaries_path(&owner, "even", &query)).await;
    let s = &body[0]["Summaries"];
    assert_eq!(
        s["Count"]["Flow"], 3,
        "the stored value at the shared edge counts in both"
    );
    assert_eq!(body[1]["Summaries"]["Count"]["Flow"], 3);
    close(&s["Mean"]["Flow"], 10.0);
    close(&s["StandardDeviation"]["Flow"], 50f64.sqrt());
    close(&s["PopulationStandardDeviation"]["Flow"], 5.0);
    close(&s["Total"]["Flow"], 20.0);
    close(&s["Skewness"]["Flow"], 0.0);
    close(&s["Kurtosis"]["Flow"], -2.0);
    close(&body[1]["Summaries"]["Total"]["Flow"], 60.0);
    close(&body[1]["Summaries"]["Minimum"]["Flow"], 20.0);
}

#[tokio::test]
async fn summaries_and_samples_refuse_what_they_cannot_answer() {
    let app = spawn_app().await;
    let owner = app.tenant("Contoso").await;
    gauge(&app, &owner, "g", &POINTS).await;
    app.wave_stream(&owner, "w", &[1, 2]).await;
    let (s, e) = (at(0), at(10));
    let refused = [
        (
            "g",
            format!("Summaries?startIndex={s}&endIndex={e}&count=0"),
            "count",
        ),
        (
            "g",
            format!("Summaries?startIndex={s}&endIndex={e}&count=10001"),
            "count",
        ),
        (
            "g",
            format!("Summaries?startIndex={s}&endIndex={e}"),
            "count",
        ),
        (
            "g",
            format!("Summaries?startIndex={e}&endIndex={s}&count=2"),
            "endIndex",
        ),
        (
            "g",
            format!("Summaries?startIndex=soon&endIndex={e}&count=2"),
            "startIndex",
        ),
        (
            "g",
            format!("Summaries?startIndex={s}&endIndex={e}&count=2&filter=Flow%20gt"),
            "filter",
        ),
        (
            "g",
            format!("Sampled?startIndex={s}&endIndex={e}&intervals=2&sampleBy=Flow&filter=(Flow"),
            "filter",
        ),
        (
            "g",
            format!("Transform/Summaries?startIndex={s}&endIndex={e}&count=2&streamViewId=v"),
            "streamViewId",
        ),
        (
            "g",
            format!("Sampled?startIndex={s}&endIndex={e}&intervals=2"),
            "sampleBy",
        ),
        (
            "g",
            format!("Sampled?startIndex={s}&endIndex={e}&intervals=2&sampleBy=Label"),
            "sampleBy",
        ),
        (
            "g",
            format!("Sampled?startIndex={s}&endIndex={e}&intervals=2&sampleBy=Code"),
            "sampleBy",
        ),
        (
            "g",
            format!("Sampled?startIndex={s}&endIndex={e}&intervals=0&sampleBy=Flow"),
            "intervals",
        ),
        (
            "g",
            format!("Sampled?startIndex={s}&endIndex={e}&intervals=2&sampleBy=Flow&boundaryType=9"),
            "boundaryType",
        ),
    ];
    for (stream, what, field) in &refused {
        let r = app
            .get(
                &format!("{}/Data/{what}", stream_path(owner.id, stream)),
                &owner.token,
            )
            .await;
        let body = json_with_status(r, StatusCode::BAD_REQUEST).await;
        assert_eq!(body["Parameter"], *field, "{what}: {body}");
    }
    // A WaveData stream (an Int32 index) summarises its Radians.
    let body = get_ok(
        &app,
        &owner.token,
        &format!(
            "{}/Data/Summaries?startIndex=1&endIndex=2&count=1",
            stream_path(owner.id, "w")
        ),
    )
    .await;
    close(&body[0]["Summaries"]["WeightedMean"]["Radians"], 0.15);
}

async fn sampled(app: &TestApp, owner: &TestTenant, query: &str) -> Vec<String> {
    let path = format!("{}/Data/Sampled?{query}", stream_path(owner.id, "g"));
    let body = get_ok(app, &owner.token, &path).await;
    body.as_array()
        .expect("events")
        .iter()
        .map(|e| format!("{}={}", e["Time"].as_str().unwrap_or_default(), e["Flow"]))
        .collect()
}

#[tokio::test]
async fn samples_are_the_first_last_least_and_greatest_of_each_interval() {
    let app = spawn_app().await;
    let owner = app.tenant("Contoso").await;
    gauge(&app, &owner, "g", &POINTS).await;
    let ev = |s: u32, v: &str| format!("{}={v}", at(s));
    let query = format!(
        "startIndex={}&endIndex={}&intervals=2&sampleBy=Flow",
        at(0),
        at(10)
    );
    assert_eq!(
        sampled(&app, &owner, &query).await,
        [ev(0, "10.0"), ev(4, "40.0"), ev(7, "5.0"), ev(10, "10.0")]
    );
    // Outside adds the stored events beyond both ends.
    let query = format!(
        "startIndex={}&endIndex={}&intervals=2&sampleBy=Flow,Level&boundaryType=Outside",
        at(2),
        at(9)
    );
    assert_eq!(
        sampled(&app, &owner, &query).await,
        [ev(1, "20.0"), ev(4, "40.0"), ev(7, "5.0"), ev(10, "10.0")]
    );
    // ExactOrCalculated adds the events at the ends, interpolated.
    let query = format!(
        "startIndex={}&endIndex={}&intervals=2&sampleBy=Flow&startBoundaryType=ExactOrCalculated&endBoundaryType=3",
        at(2),
        at(9)
    );
    let found = sampled(&app, &owner, &query).await;
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!(found[1..3], [ev(4, "40.0"), ev(7, "5.0")]);
    let flow_at = |e: &str| e.split('=').nth(1).unwrap().parse::<f64>().unwrap();
    assert!(
        (flow_at(&found[0]) - (20.0 + 20.0 / 3.0)).abs() < 1e-9,
        "{found:?}"
    );
    assert!(
        (flow_at(&found[3]) - (5.0 + 5.0 * 2.0 / 3.0)).abs() < 1e-9,
        "{found:?}"
    );
}

#[tokio::test]
async fn a_partner_reads_summaries_through_the_community_and_is_counted() {
    let app = spawn_app().await;
    let (a, b, community) = app.partners().await;
    gauge(&app, &a, "g", &POINTS).await;
    let query = format!("startIndex={}&endIndex={}&count=1", at(0), at(10));
    let path = summaries_path(&a, "g", &query);
    let read = |token: String| {
        app.request(Method::GET, &path, &token)
            .header("community-id", &community)
            .send()
    };
    // Not shared yet: refused as if absent, and counted for the owner.
    assert_eq!(
        read(b.token.clone()).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    app.share_ok(&a, &community, "g").await;
    let body = json_with_status(read(b.token.clone()).await.unwrap(), StatusCode::OK).await;
    close(&body[0]["Summaries"]["WeightedMean"]["Flow"], 19.5);
    let sample = format!(
        "{}/Data/Sampled?startIndex={}&endIndex={}&intervals=1&sampleBy=Flow",
        stream_path(a.id, "g"),
        at(0),
        at(10)
    );
    let r = app
        .request(Method::GET, &sample, &b.token)
        .header("community-id", &community)
        .send()
        .await
        .unwrap();
    let events = json_with_status(r, StatusCode::OK).await;
    // The first (0 s), greatest (4 s), least (7 s) and last (10 s).
    assert_eq!(events.as_array().map(Vec::len), Some(4), "{events}");
    flush(&app.ctx).await.expect("usage written");
    let usage = get_ok(
        &app,
        &a.token,
        &format!(
            "/api/v1/Communities/{community}/Tenants/{}/Usage?groupBy=All",
            a.id
        ),
    )
    .await;
    let row = &usage[0];
    assert_eq!(row["Requests"], 3, "{usage}");
    assert_eq!(row["RefusedRequests"], 1, "{usage}");
    assert_eq!(row["ValuesRead"], 10, "{usage}");
}
