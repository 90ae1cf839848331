//! Interpolated reads (`.../Data/Interpolated`, `.../Data/Transform/Interpolated`),
//! a stream's interpolation and extrapolation settings and property
//! overrides, and the boundary types of window and range reads: each with
//! the exact numbers SDS's read characteristics give, on the owner's
//! routes and through a community.

use crate::helpers::*;
use crate::sds_fixtures::*;
use communityd::app::usage::flush::flush;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A type with a DateTime index and a property per interpolation mode.
fn reading_type() -> Value {
    let double = json!({"SdsTypeCode": "Double"});
    json!({
        "Id": "Reading", "SdsTypeCode": "Object",
        "Properties": [
            {"Id": "Time", "IsKey": true, "SdsType": {"SdsTypeCode": "DateTime"}},
            {"Id": "Value", "SdsType": double},
            {"Id": "Count", "SdsType": {"SdsTypeCode": "Int32"}},
            {"Id": "Step", "InterpolationMode": "StepwiseContinuousLeading", "SdsType": double},
            {"Id": "Trail", "InterpolationMode": 2, "SdsType": double},
            {"Id": "Gap", "InterpolationMode": "Discrete", "SdsType": double},
            {"Id": "Label", "SdsType": {"SdsTypeCode": "String"}},
            {"Id": "Lead", "InterpolationMode": "ContinuousNullableLeading", "SdsType": {"SdsTypeCode": "NullableDouble"}},
            {"Id": "Lag", "InterpolationMode": "ContinuousNullableTrailing", "SdsType": {"SdsTypeCode": "NullableDouble"}}
        ]
    })
}

fn reading(minute: u32, value: f64, lead: Option<f64>) -> Value {
    json!({
        "Time": format!("2024-01-01T00:{minute:02}:00Z"), "Value": value, "Count": value as i64,
        "Step": value, "Trail": value, "Gap": value, "Label": format!("m{minute}"),
        "Lead": lead, "Lag": lead
    })
}

/// Readings at minutes 0 (10), 1 (20) and 2 (40, with nulls).
fn readings() -> Value {
    json!([
        reading(0, 10.0, Some(1.0)),
        reading(1, 20.0, Some(2.0)),
        reading(2, 40.0, None)
    ])
}

async fn reading_stream(app: &TestApp, owner: &TestTenant, id: &str, settings: Value) {
    let r = app
        .post_json(
            &format!("{}/Types/Reading", ns(owner.id)),
            &owner.token,
            &reading_type(),
        )
        .await;
    assert!(r.status().is_success(), "type: {}", r.status());
    let mut body = json!({"Id": id, "TypeId": "Reading"});
    body.as_object_mut()
        .unwrap()
        .extend(settings.as_object().cloned().unwrap_or_default());
    json_with_status(
        app.post_json(&stream_path(owner.id, id), &owner.token, &body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let r = app
        .post_json(
            &format!("{}/Data", stream_path(owner.id, id)),
            &owner.token,
            &readings(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

async fn get_ok(app: &TestApp, token: &str, path: &str) -> Value {
    json_with_status(app.get(path, token).await, StatusCode::OK).await
}

fn interpolated(owner: &TestTenant, stream: &str, query: &str) -> String {
    format!(
        "{}/Data/Transform/Interpolated?{query}",
        stream_path(owner.id, stream)
    )
}

#[tokio::test]
async fn each_interpolation_mode_gives_its_value_between_events() {
    let app = spawn_app().await;
    let a = app.tenant("Contoso").await;
    reading_stream(&app, &a, "tank", json!({})).await;
    let at = get_ok(
        &app,
        &a.token,
        &interpolated(&a, "tank", "index=2024-01-01T00:00:15Z"),
    )
    .await;
    assert_eq!(
        at,
        json!([{
            "Time": "2024-01-01T00:00:15Z", "Value": 12.5, "Count": 12, "Step": 10.0,
            "Trail": 20.0, "Gap": null, "Label": null, "Lead": 1.25, "Lag": 1.25
        }])
    );
    // Between a value and a null: Continuous is null, the nullable modes
    // take their side.
    let at = get_ok(
        &app,
        &a.token,
        &interpolated(&a, "tank", "index=2024-01-01T00:01:30Z"),
    )
    .await;
    assert_eq!(
        at,
        json!([{
            "Time": "2024-01-01T00:01:30Z", "Value": 30.0, "Count": 30, "Step": 20.0,
            "Trail": 40.0, "Gap": null, "Label": null, "Lead": 2.0, "Lag": null
        }])
    );
    // The other path answers the same.
    let plain = get_ok(
        &app,
        &a.token,
        &format!(
            "{}/Data/Interpolated?index=2024-01-01T00:01:30Z",
            stream_path(a.id, "tank")
        ),
    )
    .await;
    assert_eq!(plain, at);
}

#[tokio::test]
async fn an_index_collection_keeps_stored_events_and_extrapolates_beyond_the_data() {
    let app = spawn_app().await;
    let a = app.tenant("Contoso").await;
    reading_stream(&app, &a, "tank", json!({})).await;
    let query = "index=2024-01-01T00:01:00Z&index=2023-12-31T23:59:00Z&index=2024-01-01T00:05:00Z";
    let events = get_ok(&app, &a.token, &interpolated(&a, "tank", query)).await;
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(
        events[0],
        reading(1, 20.0, Some(2.0)),
        "a stored event as stored"
    );
    assert_eq!(events[1]["Time"], "2023-12-31T23:59:00Z");
    assert_eq!(
        (events[1]["Value"].clone(), events[1]["Label"].clone()),
        (json!(10.0), json!("m0")),
        "before the data: the first event's values (All)"
    );
    assert_eq!(
        events[1]["Gap"],
        Value::Null,
        "Discrete stays null beyond the data"
    );
    assert_eq!(
        (events[2]["Time"].clone(), events[2]["Value"].clone()),
        (json!("2024-01-01T00:05:00Z"), json!(40.0)),
        "after the data: the last event's values"
    );
}

#[tokio::test]
async fn evenly_spaced_indexes_include_both_ends() {
    let app = spawn_app().await;
    let a = app.tenant("Contoso").await;
    reading_stream(&app, &a, "tank", json!({})).await;
    let query = "startIndex=2024-01-01T00:00:00Z&endIndex=2024-01-01T00:02:00Z&count=5";
    let events = get_ok(&app, &a.token, &interpolated(&a, "tank", query)).await;
    let pairs: Vec<(Value, Value)> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["Time"].clone(), e["Value"].clone()))
        .collect();
    assert_eq!(
        pairs,
        [
            (json!("2024-01-01T00:00:00Z"), json!(10.0)),
            (json!("2024-01-01T00:00:30Z"), json!(15.0)),
            (json!("2024-01-01T00:01:00Z"), json!(20.0)),
            (json!("2024-01-01T00:01:30Z"), json!(30.0)),
            (json!("2024-01-01T00:02:00Z"), json!(40.0)),
        ]
    );
    // A numeric index is spaced by value.
    app.wave_stream(&a, "wave", &[0, 10, 20]).await;
    let waves = get_ok(
        &app,
        &a.token,
        &interpolated(&a, "wave", "startIndex=0&endIndex=20&count=3"),
    )
    .await;
    assert_eq!(
        waves,
        json!([{"Order": 0, "Radians": 0.0}, {"Order": 10, "Radians": 1.0}, {"Order": 20, "Radians": 2.0}])
    );
    let between = get_ok(
        &app,
        &a.token,
        &interpolated(&a, "wave", "index=5&index=15"),
    )
    .await;
    assert_eq!(
        between,
        json!([{"Order": 5, "Radians": 0.5}, {"Order": 15, "Radians": 1.5}])
    );
}

#[tokio::test]
async fn extrapolation_modes_decide_the_events_beyond_the_data() {
    let app = spawn_app().await;
    let a = app.tenant("Contoso").await;
    let query = "index=2023-12-31T23:00:00Z&index=2024-01-01T05:00:00Z";
    for (mode, expected) in [
        (
            json!("All"),
            vec!["2023-12-31T23:00:00Z", "2024-01-01T05:00:00Z"],
        ),
        (json!("None"), vec![]),
        (json!(2), vec!["2024-01-01T05:00:00Z"]),
        (json!("Backward"), vec!["2023-12-31T23:00:00Z"]),
    ] {
        let id = format!("tank-{}", mode.to_string().replace('"', ""));
        reading_stream(&app, &a, &id, json!({"ExtrapolationMode": mode})).await;
        let events = get_ok(&app, &a.token, &interpolated(&a, &id, query)).await;
        let times: Vec<&str> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["Time"].as_str().unwrap())
            .collect();
        assert_eq!(times, expected, "{mode}");
    }
}

#[tokio::test]
async fn stream_settings_are_kept_answered_by_number_and_used() {
    let app = spawn_app().await;
    let a = app.tenant("Contoso").await;
    let settings = json!({
        "InterpolationMode": "StepwiseContinuousTrailing", "ExtrapolationMode": "none",
        "PropertyOverrides": [{"SdsTypePropertyId": "value", "InterpolationMode": "Discrete", "Uom": "m3"}]
    });
    reading_stream(&app, &a, "tank", settings).await;
    let shown = get_ok(&app, &a.token, &stream_path(a.id, "tank")).await;
    assert_eq!(shown["InterpolationMode"], 2);
    assert_eq!(shown["ExtrapolationMode"], 1);
    assert_eq!(
        shown["PropertyOverrides"],
        json!([{"SdsTypePropertyId": "Value", "Uom": "m3", "InterpolationMode": 3}])
    );
    let at = get_ok(
        &app,
        &a.token,
        &interpolated(&a, "tank", "index=2024-01-01T00:00:15Z"),
    )
    .await;
    assert_eq!(at[0]["Value"], Value::Null, "the override");
    assert_eq!(at[0]["Count"], 20, "the stream's mode");
    assert_eq!(at[0]["Label"], "m1", "the stream's mode for strings too");
    assert_eq!(at[0]["Step"], 10.0, "the property's own mode comes first");
    let beyond = get_ok(
        &app,
        &a.token,
        &interpolated(&a, "tank", "index=2025-01-01T00:00:00Z"),
    )
    .await;
    assert_eq!(beyond, json!([]), "ExtrapolationMode None");

    // PUT changes them; a POST of the same stream with other settings is a conflict.
    let update = json!({"Id": "tank", "TypeId": "Reading", "InterpolationMode": 0});
    let r = app
        .put_json(&stream_path(a.id, "tank"), &a.token, &update)
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let shown = get_ok(&app, &a.token, &stream_path(a.id, "tank")).await;
    assert_eq!(shown["InterpolationMode"], 0);
    assert!(shown.get("PropertyOverrides").is_none(), "{shown}");
    let at = get_ok(
        &app,
        &a.token,
        &interpolated(&a, "tank", "index=2024-01-01T00:00:15Z"),
    )
    .await;
    assert_eq!(
        (at[0]["Value"].clone(), at[0]["Count"].clone()),
        (json!(12.5), json!(12))
    );
    let r = app
        .post_json(
            &stream_path(a.id, "tank"),
            &a.token,
            &json!({"Id": "tank", "TypeId": "Reading"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // A type's own modes are kept and answered too.
    let mut typed = reading_type();
    typed["Id"] = json!("Stepped");
    typed["InterpolationMode"] = json!("Discrete");
    let shown = json_with_status(
        app.post_json(&format!("{}/Types/Stepped", ns(a.id)), &a.token, &typed)
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(shown["InterpolationMode"], 3);
}

#[tokio::test]
async fn bad_settings_name_the_field() {
    let app = spawn_app().await;
    let a = app.tenant("Contoso").await;
    let r = app
        .post_json(
            &format!("{}/Types/Reading", ns(a.id)),
            &a.token,
            &reading_type(),
        )
        .await;
    assert!(r.status().is_success());
    for (settings, field) in [
        (
            json!({"InterpolationMode": "Sideways"}),
            "InterpolationMode",
        ),
        (json!({"ExtrapolationMode": 7}), "ExtrapolationMode"),
        (
            json!({"PropertyOverrides": [{"SdsTypePropertyId": "Pressure"}]}),
            "PropertyOverrides[0].SdsTypePropertyId",
        ),
        (
            json!({"PropertyOverrides": [{"SdsTypePropertyId": "Value", "InterpolationMode": 9}]}),
            "PropertyOverrides[0].InterpolationMode",
        ),
    ] {
        let mut body = json!({"Id": "bad", "TypeId": "Reading"});
        body.as_object_mut()
            .unwrap()
            .extend(settings.as_object().cloned().unwrap());
        let r = app
            .post_json(&stream_path(a.id, "bad"), &a.token, &body)
            .await;
        let error = assert_error(r, StatusCode::BAD_REQUEST, "").await;
        assert_eq!(error["Parameter"], field, "{settings}");
    }
    let r = app.get(&stream_path(a.id, "bad"), &a.token).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "nothing was created");
}

async fn orders(app: &TestApp, owner: &TestTenant, path_and_query: &str) -> Value {
    let body = get_ok(
        app,
        &owner.token,
        &format!("{}{path_and_query}", stream_path(owner.id, "wave")),
    )
    .await;
    let values = body.get("Results").unwrap_or(&body);
    Value::Array(
        values
            .as_array()
            .unwrap()
            .iter()
            .map(|v| json!([v["Order"], v["Radians"]]))
            .collect(),
    )
}

#[tokio::test]
async fn window_boundaries_add_or_leave_out_their_ends() {
    let app = spawn_app().await;
    let a = app.tenant("Contoso").await;
    app.wave_stream(&a, "wave", &[10, 20, 30, 40, 50]).await;
    let cases = [
        (
            "/Data?startIndex=20&endIndex=40",
            json!([[20, 2.0], [30, 3.0], [40, 4.0]]),
        ),
        (
            "/Data?startIndex=20&endIndex=40&boundaryType=Exact",
            json!([[20, 2.0], [30, 3.0], [40, 4.0]]),
        ),
        (
            "/Data?startIndex=20&endIndex=40&boundaryType=Inside",
            json!([[30, 3.0]]),
        ),
        (
            "/Data?startIndex=20&endIndex=40&boundaryType=2",
            json!([[10, 1.0], [20, 2.0], [30, 3.0], [40, 4.0], [50, 5.0]]),
        ),
        (
            "/Data?startIndex=15&endIndex=35&boundaryType=outside",
            json!([[10, 1.0], [20, 2.0], [30, 3.0], [40, 4.0]]),
        ),
        (
            "/Data?startIndex=15&endIndex=35&boundaryType=ExactOrCalculated",
            json!([[15, 1.5], [20, 2.0], [30, 3.0], [35, 3.5]]),
        ),
        (
            "/Data?startIndex=20&endIndex=40&boundaryType=3",
            json!([[20, 2.0], [30, 3.0], [40, 4.0]]),
        ),
        (
            "/Data?startIndex=20&endIndex=40&startBoundaryType=Outside&endBoundaryType=Inside",
            json!([[10, 1.0], [20, 2.0], [30, 3.0]]),
        ),
        (
            "/Data/Transform?startIndex=15&endIndex=35&boundaryType=3",
            json!([[15, 1.5], [20, 2.0], [30, 3.0], [35, 3.5]]),
        ),
        (
            "/Data?startIndex=60&endIndex=70&boundaryType=Outside",
            json!([[50, 5.0]]),
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(orders(&app, &a, query).await, expected, "{query}");
    }
    // Paged: the start's extra event on the first page, the end's on the last.
    let first = get_ok(
        &app,
        &a.token,
        &format!(
            "{}/Data?startIndex=15&endIndex=35&count=2&boundaryType=Outside",
            stream_path(a.id, "wave")
        ),
    )
    .await;
    let got: Vec<&Value> = first["Results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["Order"])
        .collect();
    assert_eq!(got, [&json!(10), &json!(20)]);
    let token = first["ContinuationToken"].as_str().expect("a next page");
    let next = orders(
        &app,
        &a,
        &format!("/Data?startIndex=15&endIndex=35&count=2&boundaryType=Outside&continuationToken={token}"),
    )
    .await;
    assert_eq!(next, json!([[30, 3.0], [40, 4.0]]));
}

#[tokio::test]
async fn range_boundaries_move_the_start() {
    let app = spawn_app().await;
    let a = app.tenant("Contoso").await;
    app.wave_stream(&a, "wave", &[10, 20, 30, 40, 50]).await;
    let cases = [
        (
            "startIndex=15&count=2&boundary_type=0",
            json!([[20, 2.0], [30, 3.0]]),
        ),
        (
            "startIndex=20&count=2&boundary_type=1",
            json!([[30, 3.0], [40, 4.0]]),
        ),
        (
            "startIndex=15&count=2&boundary_type=2",
            json!([[10, 1.0], [20, 2.0]]),
        ),
        (
            "startIndex=15&count=2&boundary_type=3",
            json!([[15, 1.5], [20, 2.0]]),
        ),
        (
            "startIndex=15&count=2&skip=1&boundary_type=3",
            json!([[20, 2.0], [30, 3.0]]),
        ),
        (
            "startIndex=20&count=2&boundary_type=3",
            json!([[20, 2.0], [30, 3.0]]),
        ),
        (
            "startIndex=25&count=2&reversed=true&boundary_type=2",
            json!([[30, 3.0], [20, 2.0]]),
        ),
        (
            "startIndex=25&count=2&reversed=true&boundaryType=ExactOrCalculated",
            json!([[25, 2.5], [20, 2.0]]),
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(
            orders(&app, &a, &format!("/Data/Transform?{query}")).await,
            expected,
            "{query}"
        );
    }
}

#[tokio::test]
async fn bounds_are_refused_naming_the_parameter() {
    let app = spawn_app().await;
    let a = app.tenant("Contoso").await;
    app.wave_stream(&a, "wave", &[1, 2, 3]).await;
    let base = stream_path(a.id, "wave");
    for (query, field) in [
        (
            "/Data/Transform/Interpolated?startIndex=0&endIndex=10&count=250001",
            "count",
        ),
        (
            "/Data/Transform/Interpolated?startIndex=0&endIndex=10&count=0",
            "count",
        ),
        (
            "/Data/Transform/Interpolated?startIndex=0&endIndex=10",
            "count",
        ),
        (
            "/Data/Transform/Interpolated?endIndex=10&count=2",
            "startIndex",
        ),
        ("/Data/Transform/Interpolated?index=x", "index"),
        ("/Data/Interpolated?index=99999999999", "index"),
        (
            "/Data/Interpolated?index=1&filter=Radians%20gt%201",
            "filter",
        ),
        (
            "/Data?startIndex=0&endIndex=10&boundaryType=9",
            "boundaryType",
        ),
        (
            "/Data?startIndex=0&endIndex=10&startBoundaryType=Sideways",
            "startBoundaryType",
        ),
        (
            "/Data/Transform?startIndex=0&count=2&boundary_type=4",
            "boundary_type",
        ),
    ] {
        let r = app.get(&format!("{base}{query}"), &a.token).await;
        let error = assert_error(r, StatusCode::BAD_REQUEST, "").await;
        assert_eq!(error["Parameter"], field, "{query}");
    }
    // An empty filter is what the library sends by default.
    let r = app
        .get(
            &format!("{base}/Data/Transform/Interpolated?index=1&filter="),
            &a.token,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // A string index cannot be spaced.
    let named = json!({"Id": "Named", "SdsTypeCode": 1, "Properties": [
        {"Id": "Name", "IsKey": true, "SdsType": {"SdsTypeCode": "String"}},
        {"Id": "V", "SdsType": {"SdsTypeCode": "Double"}}
    ]});
    let r = app
        .post_json(&format!("{}/Types/Named", ns(a.id)), &a.token, &named)
        .await;
    assert!(r.status().is_success());
    let r = app
        .post_json(
            &stream_path(a.id, "named"),
            &a.token,
            &json!({"Id": "named", "TypeId": "Named"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .get(
            &format!(
                "{}/Data/Transform/Interpolated?startIndex=a&endIndex=c&count=3",
                stream_path(a.id, "named")
            ),
            &a.token,
        )
        .await;
    let error = assert_error(r, StatusCode::BAD_REQUEST, "evenly spaced").await;
    assert_eq!(error["Parameter"], "startIndex");
}

#[tokio::test]
async fn a_partner_reads_interpolated_events_through_the_community_and_is_counted() {
    let app = spawn_app().await;
    let (a, b, community) = app.partners().await;
    app.wave_stream(&a, "Flow A", &[0, 10, 20]).await;
    app.share_ok(&a, &community, "Flow A").await;
    let hits = json_with_status(
        app.get(
            &format!("/api/v1-preview/Search/Communities/{community}/Streams"),
            &b.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let link = hits[0]["Self"]
        .as_str()
        .unwrap()
        .strip_prefix(&app.url)
        .unwrap()
        .to_string();
    let through_self = get_ok(
        &app,
        &b.token,
        &format!("{link}/Data/Transform/Interpolated?startIndex=5&endIndex=15&count=3"),
    )
    .await;
    assert_eq!(
        through_self,
        json!([{"Order": 5, "Radians": 0.5}, {"Order": 10, "Radians": 1.0}, {"Order": 15, "Radians": 1.5}])
    );
    let header = app
        .request(
            Method::GET,
            &format!(
                "{}/Data/Interpolated?index=25",
                stream_path(a.id, "Flow%20A")
            ),
            &b.token,
        )
        .header("community-id", &community)
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_with_status(header, StatusCode::OK).await,
        json!([{"Order": 25, "Radians": 2.0}]),
        "after the data: the last event's values"
    );
    // A stranger to the community reads nothing.
    let stranger = app.tenant("Stranger").await;
    let r = app
        .get(
            &format!("{link}/Data/Interpolated?index=5"),
            &stranger.token,
        )
        .await;
    assert!(r.status().is_client_error());
    assert_ne!(r.status(), StatusCode::OK);
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
    let row = usage
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ReaderTenantId"] == b.id.to_string())
        .expect("the partner's reads");
    assert_eq!(row["Requests"], 2, "{usage}");
    assert_eq!(row["ValuesRead"], 4, "{usage}");
}
