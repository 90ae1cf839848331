//! Stream searches (a namespace's `Streams?query=` and a community's
//! search) are bounded: a query over 500 characters or 20 words is a 400
//! naming `query`, before any stream is looked at; a query at the bounds
//! still answers.

use crate::helpers::*;
use crate::sds_fixtures::*;
use reqwest::StatusCode;
use serde_json::Value;

fn ids(body: &Value) -> Vec<String> {
    body.as_array()
        .expect("array")
        .iter()
        .map(|s| s["Id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn queries_over_the_bounds_are_refused_naming_query() {
    let app = spawn_app().await;
    let a = app.tenant("Alpha").await;
    let community = app.community(&a, "Plant data").await;
    app.wave_stream(&a, "Flow", &[1]).await;
    app.share_ok(&a, &community, "Flow").await;
    let searches = [
        format!("{}/Streams", ns(a.id)),
        format!("/api/v1-preview/Search/Communities/{community}/Streams"),
    ];
    let too_long = format!("flow {}", "x".repeat(496));
    let too_many = vec!["f*"; 21].join("+");
    let longest = format!("flow {}", "*".repeat(495));
    let most = vec!["f*"; 20].join("+AND+");
    for search in &searches {
        for bad in [&too_long, &too_many] {
            let r = app.get(&format!("{search}?query={bad}"), &a.token).await;
            let body = assert_error(r, StatusCode::BAD_REQUEST, "at most").await;
            assert_eq!(body["Parameter"], "query", "{search}");
        }
        for good in [&longest, &most, &"id:*w".to_string()] {
            let found = json_with_status(
                app.get(&format!("{search}?query={good}"), &a.token).await,
                StatusCode::OK,
            )
            .await;
            assert_eq!(ids(&found), ["Flow"], "{search}?query={good}");
        }
    }
}
