//! /health/live and /health/ready: no authentication, no tenant data, and
//! the mail transport's last known state.

use crate::helpers::{invitations_path, json_with_status, spawn_app, spawn_app_with};
use crate::smtp::SmtpCapture;
use reqwest::StatusCode;
use serde_json::Value;

async fn ready_body(app: &crate::helpers::TestApp) -> (StatusCode, Value) {
    let response = app
        .http
        .get(format!("{}/health/ready", app.url))
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    (status, response.json().await.expect("json"))
}

/// Readiness once the background worker has started (it is spawned with
/// the server, so the first request can beat it).
async fn wait_ready(app: &crate::helpers::TestApp) -> Value {
    for _ in 0..200 {
        let (status, body) = ready_body(app).await;
        if status == StatusCode::OK {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("never ready: {:?}", ready_body(app).await);
}

#[tokio::test]
async fn live_and_ready_answer_without_authentication() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(format!("{}/health/live", app.url))
        .send()
        .await
        .expect("request sent");
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );
    let body = json_with_status(response, StatusCode::OK).await;
    assert_eq!(body, serde_json::json!({ "Status": "live" }));

    let body = wait_ready(&app).await;
    assert_eq!(body["Status"], "ready");
    assert_eq!(body["Database"], "ok");
    assert_eq!(body["OutboxWorker"], "running");
    assert_eq!(body["MailTransport"]["Status"], "unknown");
}

#[tokio::test]
async fn ready_reports_the_mail_transport_state_without_its_error() {
    let mut smtp = SmtpCapture::start().await;
    let url = smtp.url();
    smtp.stop();
    let app = spawn_app_with(move |s| s.smtp_url = url).await;
    let owner = app.tenant("Contoso").await;
    let community = app.community(&owner, "Plant data").await;
    app.invite(&owner, &community, "admin@fabrikam.example")
        .await;
    let mut body = Value::Null;
    for _ in 0..200 {
        body = wait_ready(&app).await;
        if body["MailTransport"]["Status"] == "failing" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    // Still ready: the outbox keeps the email and retries.
    assert_eq!(body["Status"], "ready");
    assert_eq!(body["MailTransport"]["Status"], "failing", "{body}");
    assert!(body["MailTransport"]["Since"].is_string());
    let text = body.to_string();
    assert!(
        !text.contains("refused") && !text.contains("127.0.0.1"),
        "{text}"
    );

    smtp.resume().await;
    app.ctx.clock.advance(chrono::Duration::seconds(60));
    app.ctx.mail_ready.notify_one();
    smtp.wait_for(1).await;
    for _ in 0..200 {
        body = wait_ready(&app).await;
        if body["MailTransport"]["Status"] == "ok" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("mail transport never reported ok: {body}");
}

#[tokio::test]
async fn health_routes_reveal_no_tenant_data() {
    let app = spawn_app().await;
    let owner = app.tenant("Contoso").await;
    let community = app.community(&owner, "Plant data").await;
    let _ = app
        .get(&invitations_path(owner.id, &community), &owner.token)
        .await;
    let body = wait_ready(&app).await.to_string();
    assert!(!body.contains("Contoso") && !body.contains(&owner.id.to_string()));
}
