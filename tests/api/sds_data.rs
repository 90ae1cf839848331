//! The SDS subset in a tenant's own namespace: types, streams, values and
//! the reads, with the 400s, 404s and 409s a client meets.

use crate::helpers::*;
use crate::sds_fixtures::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn orders(body: &Value) -> Vec<i64> {
    body.as_array()
        .expect("array")
        .iter()
        .map(|v| v["Order"].as_i64().expect("Order"))
        .collect()
}

#[tokio::test]
async fn types_and_streams_are_created_read_listed_and_deleted() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let path = format!("{}/Types/WaveData_SampleType", ns(t.id));
    let created = json_with_status(
        app.post_json(&path, &t.token, &wave_type()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["Id"], "WaveData_SampleType");
    // Codes sent by name are answered by number, as SDS answers them (the
    // OCS-era Python library reads nothing else).
    assert_eq!(created["SdsTypeCode"], 1);
    assert_eq!(created["Properties"][0]["SdsType"]["SdsTypeCode"], 9);
    assert_eq!(created["Properties"][1]["SdsType"]["SdsTypeCode"], 14);
    // The same definition again is found, by name or by number; a
    // different one conflicts.
    json_with_status(
        app.post_json(&path, &t.token, &wave_type()).await,
        StatusCode::OK,
    )
    .await;
    let mut by_number = wave_type();
    by_number["SdsTypeCode"] = json!(1);
    by_number["Properties"][0]["SdsType"]["SdsTypeCode"] = json!(9);
    by_number["Properties"][1]["SdsType"]["SdsTypeCode"] = json!(14);
    let found = json_with_status(
        app.post_json(&path, &t.token, &by_number).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["Properties"], created["Properties"]);
    let mut other = wave_type();
    other["Name"] = json!("changed");
    assert_error(
        app.post_json(&path, &t.token, &other).await,
        StatusCode::CONFLICT,
        "different type",
    )
    .await;

    app.wave_stream(&t, "Pump 1", &[]).await;
    // Ids are case-insensitive and keep their case; spaces travel encoded.
    let got = json_with_status(
        app.get(&stream_path(t.id, "pump%201"), &t.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(got["Id"], "Pump 1");
    assert_eq!(got["TypeId"], "WaveData_SampleType");
    let listed = json_with_status(
        app.get(&format!("{}/Streams?query=pump", ns(t.id)), &t.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let listed = json_with_status(
        app.get(&format!("{}/Streams?query=valve", ns(t.id)), &t.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed.as_array().map(Vec::len), Some(0));
    let typ = json_with_status(
        app.get(&format!("{}/Type", stream_path(t.id, "Pump%201")), &t.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(typ["Id"], "WaveData_SampleType");

    // A type in use cannot be deleted; after the stream goes it can.
    assert_error(
        app.delete(&path, &t.token).await,
        StatusCode::CONFLICT,
        "used by stream",
    )
    .await;
    assert_eq!(
        app.delete(&stream_path(t.id, "Pump%201"), &t.token)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_error(
        app.get(&stream_path(t.id, "Pump%201"), &t.token).await,
        StatusCode::NOT_FOUND,
        "does not exist",
    )
    .await;
    assert_eq!(
        app.delete(&path, &t.token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_error(
        app.get(&path, &t.token).await,
        StatusCode::NOT_FOUND,
        "does not exist",
    )
    .await;
}

#[tokio::test]
async fn values_are_inserted_updated_replaced_removed_and_read_by_index() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    app.wave_stream(&t, "s", &[10, -5, 0, 300, 2]).await;
    let data = format!("{}/Data", stream_path(t.id, "s"));
    let read = |q: &str| format!("{data}{q}");

    let all = json_with_status(
        app.get(&read("?startIndex=-100&endIndex=1000"), &t.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        orders(&all),
        [-5, 0, 2, 10, 300],
        "numbers sort as numbers, negatives first"
    );
    let window = json_with_status(
        app.get(&read("?startIndex=0&endIndex=10"), &t.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders(&window), [0, 2, 10], "window bounds are inclusive");
    let first = json_with_status(app.get(&read("/First"), &t.token).await, StatusCode::OK).await;
    assert_eq!(first["Order"], -5);
    let last = json_with_status(app.get(&read("/Last"), &t.token).await, StatusCode::OK).await;
    assert_eq!(last["Order"], 300);
    let at = json_with_status(app.get(&read("?index=2"), &t.token).await, StatusCode::OK).await;
    assert_eq!(at["Order"], 2);
    assert_error(
        app.get(&read("?index=3"), &t.token).await,
        StatusCode::NOT_FOUND,
        "no value at index",
    )
    .await;

    // Insert refuses an existing index and writes nothing of the batch.
    let dup = app
        .post_json(&data, &t.token, &json!([wave(7), wave(10)]))
        .await;
    assert_error(dup, StatusCode::CONFLICT, "already has a value").await;
    assert_error(
        app.get(&read("?index=7"), &t.token).await,
        StatusCode::NOT_FOUND,
        "no value",
    )
    .await;
    // Update writes or overwrites; replace only overwrites.
    let update = app
        .put_json(
            &data,
            &t.token,
            &json!([{"Order": 10, "Radians": 99.0}, wave(11)]),
        )
        .await;
    assert_eq!(update.status(), StatusCode::NO_CONTENT);
    let ten = json_with_status(app.get(&read("?index=10"), &t.token).await, StatusCode::OK).await;
    assert_eq!(ten["Radians"], 99.0);
    let replace = app
        .put_json(
            &format!("{data}?allowCreate=false"),
            &t.token,
            &json!([wave(12)]),
        )
        .await;
    assert_error(replace, StatusCode::NOT_FOUND, "no value at that index").await;
    let replace = app
        .put_json(
            &format!("{data}?allowCreate=false"),
            &t.token,
            &json!([wave(11)]),
        )
        .await;
    assert_eq!(replace.status(), StatusCode::NO_CONTENT);
    // Remove one, then a window.
    assert_eq!(
        app.delete(&read("?index=-5"), &t.token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_error(
        app.delete(&read("?index=-5"), &t.token).await,
        StatusCode::NOT_FOUND,
        "no value",
    )
    .await;
    assert_eq!(
        app.delete(&read("?startIndex=0&endIndex=10"), &t.token)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let rest = json_with_status(
        app.get(&read("?startIndex=-100&endIndex=1000"), &t.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders(&rest), [11, 300]);
    let ids = json_with_status(
        app.get(&read("?index=11&index=300&index=5"), &t.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders(&ids), [11, 300]);
}

#[tokio::test]
async fn windows_page_with_a_continuation_token_and_transform_reads_ranges() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let all: Vec<i64> = (0..25).collect();
    app.wave_stream(&t, "s", &all).await;
    let data = format!("{}/Data", stream_path(t.id, "s"));
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let page = json_with_status(
            app.get(
                &format!("{data}?startIndex=3&endIndex=20&count=5&continuationToken={token}"),
                &t.token,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        seen.extend(orders(&page["Results"]));
        pages += 1;
        match page["ContinuationToken"].as_str() {
            Some(next) => token = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, (3..=20).collect::<Vec<_>>());
    assert_eq!(pages, 4);
    let bad = app
        .get(
            &format!("{data}?startIndex=3&endIndex=20&count=5&continuationToken=%%%"),
            &t.token,
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "continuationToken").await;

    let forward = json_with_status(
        app.get(
            &format!("{data}/Transform?startIndex=10&count=3&skip=1"),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders(&forward), [11, 12, 13]);
    let back = json_with_status(
        app.get(
            &format!("{data}/Transform?startIndex=10&count=3&reversed=true"),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders(&back), [10, 9, 8]);
    let window = json_with_status(
        app.get(
            &format!("{data}/Transform?startIndex=23&endIndex=30"),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders(&window), [23, 24]);
}

#[tokio::test]
async fn datetime_string_and_compound_indexes_sort_by_value() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let make =
        |id: &str, keys: Value| json!({"Id": id, "SdsTypeCode": "Object", "Properties": keys});
    let types = [
        (
            "TimeType",
            make(
                "TimeType",
                json!([{"Id": "Time", "IsKey": true, "SdsType": {"SdsTypeCode": "DateTime"}}, {"Id": "V", "SdsType": {"SdsTypeCode": "Double"}}]),
            ),
        ),
        (
            "NameType",
            make(
                "NameType",
                json!([{"Id": "Tag", "IsKey": true, "SdsType": {"SdsTypeCode": "String"}}]),
            ),
        ),
        (
            "Pair",
            make(
                "Pair",
                json!([
            {"Id": "Order", "IsKey": true, "Order": 1, "SdsType": {"SdsTypeCode": "Int32"}},
            {"Id": "Multiplier", "IsKey": true, "Order": 2, "SdsType": {"SdsTypeCode": "Int32"}}]),
            ),
        ),
    ];
    for (id, body) in &types {
        let r = app
            .post_json(&format!("{}/Types/{id}", ns(t.id)), &t.token, body)
            .await;
        json_with_status(r, StatusCode::CREATED).await;
        let s = json!({"Id": format!("s-{id}"), "TypeId": id});
        json_with_status(
            app.post_json(&stream_path(t.id, &format!("s-{id}")), &t.token, &s)
                .await,
            StatusCode::CREATED,
        )
        .await;
    }
    let times = json!([
        {"Time": "2024-03-01T00:00:00Z", "V": 3}, {"Time": "2023-12-31T23:59:59.5Z", "V": 1},
        {"Time": "2024-01-01T00:00:00+01:00", "V": 2}
    ]);
    let data = format!("{}/Data", stream_path(t.id, "s-TimeType"));
    assert_eq!(
        app.post_json(&data, &t.token, &times).await.status(),
        StatusCode::NO_CONTENT
    );
    let window = json_with_status(
        app.get(
            &format!("{data}?startIndex=2023-12-31T00:00:00Z&endIndex=2024-02-01T00:00:00Z"),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let vs: Vec<i64> = window
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["V"].as_i64().unwrap())
        .collect();
    assert_eq!(
        vs,
        [2, 1],
        "+01:00 midnight is 23:00Z: an offset time sorts by its instant"
    );
    let bad = app
        .get(
            &format!("{data}?startIndex=yesterday&endIndex=2024-02-01T00:00:00Z"),
            &t.token,
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "startIndex").await;

    let data = format!("{}/Data", stream_path(t.id, "s-NameType"));
    let tags = json!([{"Tag": "pump-b"}, {"Tag": "pump"}, {"Tag": "pump-a"}, {"Tag": "valve"}]);
    assert_eq!(
        app.post_json(&data, &t.token, &tags).await.status(),
        StatusCode::NO_CONTENT
    );
    let window = json_with_status(
        app.get(&format!("{data}?startIndex=pump&endIndex=pump-z"), &t.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = window
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["Tag"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["pump", "pump-a", "pump-b"]);

    let data = format!("{}/Data", stream_path(t.id, "s-Pair"));
    let pairs = json!([
        {"Order": 10, "Multiplier": 8}, {"Order": 1, "Multiplier": 10}, {"Order": 2, "Multiplier": 2},
        {"Order": 10, "Multiplier": 3}, {"Order": 3, "Multiplier": 1}
    ]);
    assert_eq!(
        app.post_json(&data, &t.token, &pairs).await.status(),
        StatusCode::NO_CONTENT
    );
    let window = json_with_status(
        app.get(&format!("{data}?startIndex=2|1&endIndex=10|3"), &t.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let keys: Vec<(i64, i64)> = window
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["Order"].as_i64().unwrap(),
                v["Multiplier"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(keys, [(2, 2), (3, 1), (10, 3)]);
    assert_error(
        app.get(&format!("{data}?index=2"), &t.token).await,
        StatusCode::BAD_REQUEST,
        "'|'",
    )
    .await;
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    app.wave_stream(&t, "s", &[1]).await;
    let mut bad_type = wave_type();
    bad_type["Properties"][0]["SdsType"]["SdsTypeCode"] = json!("Int33");
    let r = app
        .post_json(
            &format!("{}/Types/WaveData_SampleType2", ns(t.id)),
            &t.token,
            &json!({"Id": "x"}),
        )
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "Id").await;
    bad_type["Id"] = json!("T2");
    let r = app
        .post_json(&format!("{}/Types/T2", ns(t.id)), &t.token, &bad_type)
        .await;
    let body = assert_error(r, StatusCode::BAD_REQUEST, "SdsTypeCode").await;
    assert_eq!(body["Parameter"], "Properties[0].SdsType.SdsTypeCode");
    let r = app
        .post_json(
            &stream_path(t.id, "s2"),
            &t.token,
            &json!({"Id": "s2", "TypeId": "Nope"}),
        )
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "TypeId").await;
    let data = format!("{}/Data", stream_path(t.id, "s"));
    let r = app
        .post_json(&data, &t.token, &json!([wave(2), {"Radians": 1.0}]))
        .await;
    let body = assert_error(r, StatusCode::BAD_REQUEST, "Order").await;
    assert_eq!(body["Parameter"], "[1]");
    let r = app
        .post_json(&data, &t.token, &json!([{"Order": "two"}]))
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "whole number").await;
    let r = app
        .send_raw(Method::POST, &data, &t.token, "[{\"Order\": 3,")
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "body").await;
    let r = app
        .get(
            &format!("{data}?startIndex=0&endIndex=9&filter=Radians%20lt"),
            &t.token,
        )
        .await;
    let body = assert_error(r, StatusCode::BAD_REQUEST, "found the end").await;
    assert_eq!(body["Parameter"], "filter");
    let r = app.get(&format!("{data}?startIndex=0"), &t.token).await;
    assert_error(r, StatusCode::BAD_REQUEST, "endIndex").await;
    let all = json_with_status(
        app.get(&format!("{data}?startIndex=0&endIndex=9"), &t.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders(&all), [1], "no failed batch left a value behind");
}

#[tokio::test]
async fn another_tenants_namespace_is_refused_and_writes_need_the_right() {
    let app = spawn_app().await;
    let a = app.tenant("Alpha").await;
    let b = app.tenant("Beta").await;
    app.wave_stream(&a, "s", &[1]).await;
    assert_error(
        app.get(&stream_path(a.id, "s"), &b.token).await,
        StatusCode::FORBIDDEN,
        "caller's own tenant",
    )
    .await;
    let r = app
        .post_json(
            &format!("{}/Data", stream_path(a.id, "s")),
            &b.token,
            &json!([wave(2)]),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "own tenant").await;
    assert_eq!(
        app.get(&stream_path(a.id, "s"), "not-a-token")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // A Tenant Member reads and writes but may not delete.
    let (_, member) = app
        .client(a.id, &[communityd::domain::role::Role::TenantMember])
        .await;
    let r = app
        .post_json(
            &format!("{}/Data", stream_path(a.id, "s")),
            &member,
            &json!([wave(2)]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.delete(&stream_path(a.id, "s"), &member).await,
        StatusCode::FORBIDDEN,
        "Delete",
    )
    .await;
}
