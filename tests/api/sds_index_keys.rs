//! Every value has one key, and whatever a write stores can be named again
//! to read or delete it: `-0.0` is `0.0`, numbers outside the index
//! property's type are refused, strings are exact and a `|` inside a part
//! of a compound index is written `\|`; stream ids with `+` or `%` work
//! when the client percent-encodes them.

use crate::helpers::*;
use crate::sds_fixtures::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A type `id` with the given properties, and stream `s-{id}` of it.
async fn stream_of(app: &TestApp, t: &TestTenant, id: &str, properties: Value) -> String {
    let body = json!({"Id": id, "SdsTypeCode": "Object", "Properties": properties});
    let r = app
        .post_json(&format!("{}/Types/{id}", ns(t.id)), &t.token, &body)
        .await;
    json_with_status(r, StatusCode::CREATED).await;
    let stream = format!("s-{id}");
    let body = json!({"Id": stream, "TypeId": id});
    let r = app
        .post_json(&stream_path(t.id, &stream), &t.token, &body)
        .await;
    json_with_status(r, StatusCode::CREATED).await;
    format!("{}/Data", stream_path(t.id, &stream))
}

fn key(id: &str, code: &str, order: i64) -> Value {
    json!({"Id": id, "IsKey": true, "Order": order, "SdsType": {"SdsTypeCode": code}})
}

fn query(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// How many values lie between -1000 and 1000.
async fn count(app: &TestApp, t: &TestTenant, data: &str) -> usize {
    let r = app
        .get(&format!("{data}?startIndex=-1000&endIndex=1000"), &t.token)
        .await;
    json_with_status(r, StatusCode::OK)
        .await
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn zero_and_minus_zero_are_one_index() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let data = stream_of(&app, &t, "Floats", json!([key("X", "Double", 0)])).await;
    let r = app
        .post_json(&data, &t.token, &json!([{"X": 0.0, "V": 1}]))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .post_json(&data, &t.token, &json!([{"X": -0.0, "V": 2}]))
        .await;
    assert_error(r, StatusCode::CONFLICT, "already has a value").await;
    let found = json_with_status(
        app.get(&format!("{data}?index=-0"), &t.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["V"], 1, "{found}");
    assert_eq!(count(&app, &t, &data).await, 1);
    let r = app.get(&format!("{data}?index=NaN"), &t.token).await;
    assert_error(r, StatusCode::BAD_REQUEST, "index").await;
}

#[tokio::test]
async fn numbers_outside_the_index_type_are_refused_naming_the_value() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let data = stream_of(&app, &t, "Ints", json!([key("N", "Int32", 0)])).await;
    let r = app
        .post_json(&data, &t.token, &json!([{"N": 1}, {"N": 9e18}]))
        .await;
    let body = assert_error(r, StatusCode::BAD_REQUEST, "Int32").await;
    assert!(
        body["Reason"].as_str().unwrap().starts_with("[1]"),
        "{body}"
    );
    assert_eq!(
        count(&app, &t, &data).await,
        0,
        "nothing of the request is stored"
    );
    let r = app.get(&format!("{data}?index=2147483648"), &t.token).await;
    assert_error(r, StatusCode::BAD_REQUEST, "index").await;
    let data = stream_of(&app, &t, "Bytes", json!([key("B", "Byte", 0)])).await;
    let r = app.post_json(&data, &t.token, &json!([{"B": 256}])).await;
    assert_error(r, StatusCode::BAD_REQUEST, "Byte").await;
}

#[tokio::test]
async fn strings_written_with_separators_or_spaces_are_read_and_deleted_by_index() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let props = json!([key("Name", "String", 1), key("N", "Int32", 2)]);
    let data = stream_of(&app, &t, "Pairs", props).await;
    let names = ["a|b", " padded ", r"back\slash|", "|"];
    let values: Vec<Value> = names.iter().map(|n| json!({"Name": n, "N": 7})).collect();
    let r = app.post_json(&data, &t.token, &Value::Array(values)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for name in names {
        let escaped = name.replace('\\', r"\\").replace('|', r"\|");
        let index = query(&format!("{escaped}|7"));
        let found = json_with_status(
            app.get(&format!("{data}?index={index}"), &t.token).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(found["Name"], name, "{name:?}");
        let r = app.delete(&format!("{data}?index={index}"), &t.token).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{name:?}");
    }
    let r = app
        .get(
            &format!(
                "{data}?startIndex={}&endIndex={}",
                query("|0"),
                query("~|9")
            ),
            &t.token,
        )
        .await;
    assert_eq!(json_with_status(r, StatusCode::OK).await, json!([]));

    // A single-part string index is exact: outer spaces are part of it.
    let data = stream_of(&app, &t, "Tags", json!([key("Tag", "String", 0)])).await;
    let r = app
        .post_json(
            &data,
            &t.token,
            &json!([{"Tag": " pump "}, {"Tag": "pump"}]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let found = json_with_status(
        app.get(&format!("{data}?index={}", query(" pump ")), &t.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["Tag"], " pump ");
}

#[tokio::test]
async fn stream_ids_with_plus_or_percent_are_found_when_encoded() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    app.wave_stream(&t, "seed", &[]).await;
    for (id, encoded) in [("a+b", "a%2Bb"), ("100%", "100%25"), ("x%2By", "x%252By")] {
        let body = json!({"Id": id, "TypeId": "WaveData_SampleType"});
        let r = app
            .post_json(&stream_path(t.id, encoded), &t.token, &body)
            .await;
        let created = json_with_status(r, StatusCode::CREATED).await;
        assert_eq!(created["Id"], id);
        let r = app.get(&stream_path(t.id, encoded), &t.token).await;
        assert_eq!(
            json_with_status(r, StatusCode::OK).await["Id"],
            id,
            "{encoded}"
        );
        let data = format!("{}/Data", stream_path(t.id, encoded));
        let r = app.post_json(&data, &t.token, &json!([wave(1)])).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{encoded}");
        let r = app.delete(&stream_path(t.id, encoded), &t.token).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{encoded}");
    }
    // A literal '+' in a path is a '+'.
    let body = json!({"Id": "c+d", "TypeId": "WaveData_SampleType"});
    let r = app
        .post_json(&stream_path(t.id, "c+d"), &t.token, &body)
        .await;
    json_with_status(r, StatusCode::CREATED).await;
    let r = app.get(&stream_path(t.id, "c%2Bd"), &t.token).await;
    assert_eq!(json_with_status(r, StatusCode::OK).await["Id"], "c+d");
}
