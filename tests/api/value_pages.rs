//! Every read of a stream's values is capped at one documented maximum
//! (`count` from 1 to 250,000); a number outside it is a 400 naming
//! `count`, never clamped to the cap, read past it, or wrapped to an empty
//! page without a continuation token.

use crate::helpers::*;
use crate::sds_fixtures::*;
use reqwest::StatusCode;
use serde_json::Value;

const MAX_VALUES: &str = "250000";

fn orders(body: &Value) -> Vec<i64> {
    body.as_array()
        .expect("array")
        .iter()
        .map(|v| v["Order"].as_i64().expect("Order"))
        .collect()
}

#[tokio::test]
async fn counts_outside_the_page_cap_are_refused_naming_count() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let all: Vec<i64> = (0..30).collect();
    app.wave_stream(&t, "s", &all).await;
    let data = format!("{}/Data", stream_path(t.id, "s"));
    let out_of_range = [
        "0",
        "250001",
        "1000000000",
        "18446744073709551615",
        "18446744073709551616",
        "-1",
        "ten",
    ];
    for count in out_of_range {
        for read in [
            format!("{data}?startIndex=0&endIndex=29&count={count}"),
            format!("{data}/Transform?startIndex=0&endIndex=29&count={count}"),
            format!("{data}/Transform?startIndex=0&count={count}"),
            format!("{data}/Transform?count={count}&reversed=true"),
        ] {
            let r = app.get(&read, &t.token).await;
            let body = assert_error(r, StatusCode::BAD_REQUEST, MAX_VALUES).await;
            assert_eq!(body["Parameter"], "count", "{read}");
        }
    }
}

#[tokio::test]
async fn a_page_at_the_cap_answers_every_value_with_the_right_token() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let all: Vec<i64> = (0..30).collect();
    app.wave_stream(&t, "s", &all).await;
    let data = format!("{}/Data", stream_path(t.id, "s"));
    let page = json_with_status(
        app.get(
            &format!("{data}?startIndex=0&endIndex=29&count={MAX_VALUES}"),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders(&page["Results"]), all);
    assert_eq!(page["ContinuationToken"], Value::Null);
    let page = json_with_status(
        app.get(
            &format!("{data}?startIndex=0&endIndex=29&count=29"),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders(&page["Results"]), (0..29).collect::<Vec<_>>());
    let token = page["ContinuationToken"].as_str().expect("a next page");
    let last = json_with_status(
        app.get(
            &format!("{data}?startIndex=0&endIndex=29&count=29&continuationToken={token}"),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders(&last["Results"]), [29]);
    assert_eq!(last["ContinuationToken"], Value::Null);
    let range = json_with_status(
        app.get(
            &format!("{data}/Transform?count={MAX_VALUES}&reversed=true&skip=27"),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders(&range), [2, 1, 0]);
    let empty = json_with_status(
        app.get(
            &format!("{data}?startIndex=20&endIndex=10&count=5"),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(empty["Results"], serde_json::json!([]));
    assert_eq!(empty["ContinuationToken"], Value::Null);
}

/// The bounds the handlers enforce are in the API document, for every
/// mount the reads answer at, so a schema-driven client or fuzzer knows them.
#[tokio::test]
async fn the_api_document_states_the_read_parameters_and_their_bounds() {
    let app = spawn_app().await;
    let doc = json_with_status(
        app.http
            .get(format!("{}/openapi.json", app.url))
            .send()
            .await
            .expect("request sent"),
        StatusCode::OK,
    )
    .await;
    let paths = doc["paths"].as_object().expect("paths");
    let param = |path: &str, name: &str| -> Value {
        paths[path]["get"]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name).cloned())
            .unwrap_or_else(|| panic!("{path} documents no {name}: {}", paths[path]["get"]))
    };
    let mut reads = 0;
    for path in paths.keys() {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with("/data") || lower.ends_with("/data/transform") {
            reads += 1;
            let count = param(path, "count");
            assert_eq!(count["in"], "query");
            assert_eq!(count["schema"]["minimum"], 1, "{path}");
            assert_eq!(count["schema"]["maximum"], 250_000, "{path}");
            param(path, "startIndex");
            param(path, "endIndex");
        }
        if lower.ends_with("/data/transform") {
            assert_eq!(param(path, "skip")["schema"]["minimum"], 0);
            param(path, "reversed");
        }
        if lower.ends_with("/data") {
            param(path, "continuationToken");
        }
        // A stream list takes a search; the Streams collection's access
        // control list (`.../AccessControl/Streams`) is no list.
        if lower.ends_with("/streams") && !lower.ends_with("/accesscontrol/streams") {
            assert_eq!(param(path, "query")["schema"]["maxLength"], 500, "{path}");
            assert_eq!(param(path, "count")["schema"]["maximum"], 1000, "{path}");
        }
    }
    assert!(reads >= 6, "the value reads of every mount: {reads}");
}

/// A value may be as large as a request body, so a count alone does not
/// bound an answer: a page ends early at 32 MiB with a token for the rest,
/// and a read that cannot page is refused past it.
#[tokio::test]
async fn an_answer_is_bounded_in_bytes_whatever_the_values_size() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    app.wave_stream(&t, "s", &[]).await;
    let data = format!("{}/Data", stream_path(t.id, "s"));
    let padding = "x".repeat(200_000);
    let values = 170; // 34 MB
    for order in 0..values {
        let value = serde_json::json!([{"Order": order, "Radians": 0.0, "Padding": padding}]);
        let r = app.post_json(&data, &t.token, &value).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    let end = values - 1;
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let r = app
            .get(
                &format!("{data}?startIndex=0&endIndex={end}&count=1000&continuationToken={token}"),
                &t.token,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let bytes = r.bytes().await.expect("body");
        assert!(bytes.len() <= 32 << 20, "a page of {} bytes", bytes.len());
        let page: Value = serde_json::from_slice(&bytes).expect("JSON");
        seen.extend(orders(&page["Results"]));
        pages += 1;
        match page["ContinuationToken"].as_str() {
            Some(next) => token = next.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, (0..values).collect::<Vec<_>>());
    assert_eq!(pages, 2);
    let whole = app
        .get(&format!("{data}?startIndex=0&endIndex={end}"), &t.token)
        .await;
    assert_error(whole, StatusCode::BAD_REQUEST, "in pages").await;
    let range = app
        .get(
            &format!("{data}/Transform?startIndex=0&count=1000"),
            &t.token,
        )
        .await;
    let body = assert_error(range, StatusCode::BAD_REQUEST, "fewer").await;
    assert_eq!(body["Parameter"], "count");

    // Naming indexes one by one is bounded the same way, repeats included.
    let query = vec!["index=3"; 200].join("&");
    let repeated = app.get(&format!("{data}?{query}"), &t.token).await;
    let body = assert_error(repeated, StatusCode::BAD_REQUEST, "fewer indexes").await;
    assert_eq!(body["Parameter"], "index");
    let few = app
        .get(&format!("{data}?index=3&index=5&index=9999"), &t.token)
        .await;
    assert_eq!(orders(&json_with_status(few, StatusCode::OK).await), [3, 5]);
}
