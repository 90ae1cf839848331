//! Every line logged while a request runs names the request: its
//! operation id (the one the response's header gives the caller) and its
//! route pattern, even for a line written by a write transaction on the
//! committer's thread.

use crate::process::{seed_tenant, Served};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Waits (the log goes out through a buffer) for a line containing `needle`.
fn line_with(server: &Served, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = server.log();
        if let Some(line) = log.lines().find(|l| l.contains(needle)) {
            return line.to_string();
        }
        assert!(Instant::now() < deadline, "no line with {needle:?}: {log}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn a_use_case_log_line_carries_the_operation_id_of_its_response() {
    let dir = tempfile::tempdir().expect("dir");
    let owner = seed_tenant(dir.path(), "Contoso");
    let member = seed_tenant(dir.path(), "Fabrikam");
    let server = Served::start(dir.path(), &[("log_format", "text")]);
    let owner_token = server.token(&owner).await;
    let member_token = server.token(&member).await;
    let invitations = server.community(&owner, &owner_token).await;
    let invitation = server
        .create(
            &invitations,
            &owner_token,
            json!({ "InvitationRecipient": "admin@fabrikam.example" }),
        )
        .await;
    let id = invitation["Id"].as_str().expect("Id");
    let act = |token: String, action: &'static str| {
        let request = server
            .http
            .put(format!(
                // In OCS's casing: the route is known before routing
                // lower-cases the path.
                "{}/api/v1-preview/CommunityInvitations/{id}",
                server.url
            ))
            .bearer_auth(token)
            .json(&json!({ "Action": action }));
        async move {
            let response = request.send().await.expect("request sent");
            assert_eq!(response.status(), StatusCode::OK, "{action}");
            let operation = response.headers()["operation-id"]
                .to_str()
                .expect("header")
                .to_string();
            let _: Value = response.json().await.expect("json");
            operation
        }
    };
    act(member_token, "Accept").await;
    let operation = act(owner_token, "Confirm").await;

    let line = line_with(&server, "tenant confirmed");
    assert!(
        line.contains(&format!("operation_id={operation}")),
        "the confirmation's line names another request: {line}"
    );
    assert!(
        line.contains("route=/api/v1-preview/communityinvitations/{"),
        "{line}"
    );
    assert!(
        line.contains(&format!("tenant={}", owner.tenant)),
        "the line does not name the caller's tenant: {line}"
    );
}
