//! /openapi.json: an OpenAPI 3.1 document whose every operation is routed
//! (no "no such route", no 405), with bearer auth and the ErrorResponse
//! statuses on API operations. tests/contract/run.sh checks responses
//! against it with schemathesis.

use crate::helpers::{json_with_status, spawn_app};
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn every_documented_operation_is_served_by_a_route() {
    let app = spawn_app().await;
    let owner = app.tenant("Contoso").await;
    let response = app
        .http
        .get(format!("{}/openapi.json", app.url))
        .send()
        .await
        .expect("request sent");
    let doc = json_with_status(response, StatusCode::OK).await;
    assert!(doc["openapi"]
        .as_str()
        .unwrap_or_default()
        .starts_with("3.1"));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, item) in paths {
        let concrete: String = path
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    owner.id.to_string()
                } else {
                    s.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, op) in item.as_object().expect("path item") {
            operations += 1;
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let api = path.starts_with("/api/");
            if api {
                for status in ["400", "401", "403", "404"] {
                    assert!(
                        op["responses"][status].is_object(),
                        "{method} {path} lacks {status}"
                    );
                }
            }
            let mut request = app.request(method.clone(), &concrete, &owner.token);
            if op["requestBody"].is_object() {
                request = request
                    .header("content-type", "application/json")
                    .body("{}");
            }
            let response = request.send().await.expect("request sent");
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_ne!(
                status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is documented but not routed"
            );
            assert!(
                !(status == StatusCode::NOT_FOUND && body["Reason"] == "no such route"),
                "{method} {path} is documented but not routed"
            );
        }
    }
    assert!(operations >= 49, "only {operations} operations documented");
}
