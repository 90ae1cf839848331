//! /metrics: Prometheus text with requests by route pattern and status,
//! latency histograms, outbox and invitation gauges, logins and token
//! requests by outcome, and throttled requests.

use crate::helpers::{invitations_path, spawn_app_with, TestApp};
use communityd::app::identity;
use reqwest::StatusCode;

async fn scrape(app: &TestApp) -> String {
    let response = app
        .http
        .get(format!("{}/metrics", app.url))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    response.text().await.expect("body")
}

/// The value of one sample line (`name{labels}`), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn requests_outcomes_outbox_and_invitations_are_counted() {
    let app = spawn_app_with(|s| s.auth_attempts_per_minute = 1).await;
    let owner = app.tenant("Contoso").await; // one successful token request
    let wrong = app
        .token_response(&owner.client_id.to_string(), "wrong secret")
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let throttled = app
        .token_response(&owner.client_id.to_string(), "wrong secret")
        .await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    let bad_login = identity::login(
        &app.ctx,
        owner.id,
        &owner.admin_email,
        "not the password",
        crate::helpers::loopback(),
    )
    .await;
    assert!(bad_login.is_err());

    let tenant_path = format!("/api/v1/Tenants/{}", owner.id);
    assert_eq!(app.get(&tenant_path, &owner.token).await.status(), 200);
    assert_eq!(app.get("/no/such/path", "").await.status(), 404);
    let community = app.community(&owner, "Plant data").await;
    app.invite(&owner, &community, "admin@fabrikam.example")
        .await;
    let _ = app
        .get(&invitations_path(owner.id, &community), &owner.token)
        .await;

    // The invitation email goes out through the file transport.
    let mut text = String::new();
    for _ in 0..200 {
        text = scrape(&app).await;
        // The counter moves when the send returns, the depth once it is recorded.
        if sample(&text, "communityd_outbox_deliveries_total{result=\"sent\"}") == Some(1.0)
            && sample(&text, "communityd_outbox_depth{status=\"queued\"}") == Some(0.0)
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let expect = |series: &str, value: f64| {
        assert_eq!(sample(&text, series), Some(value), "{series} in:\n{text}");
    };
    expect("communityd_outbox_deliveries_total{result=\"sent\"}", 1.0);
    expect("communityd_outbox_deliveries_total{result=\"failed\"}", 0.0);
    expect("communityd_outbox_depth{status=\"queued\"}", 0.0);
    expect("communityd_outbox_depth{status=\"retrying\"}", 0.0);
    expect("communityd_invitations{state=\"InvitationCreated\"}", 1.0);
    expect("communityd_invitations{state=\"InvitationAccepted\"}", 0.0);
    expect("communityd_token_requests_total{outcome=\"success\"}", 1.0);
    expect(
        "communityd_token_requests_total{outcome=\"bad_credentials\"}",
        1.0,
    );
    expect(
        "communityd_token_requests_total{outcome=\"throttled\"}",
        1.0,
    );
    expect("communityd_logins_total{outcome=\"bad_credentials\"}", 1.0);
    expect("communityd_logins_total{outcome=\"success\"}", 0.0);
    expect(
        "communityd_throttled_requests_total{route=\"/identity/connect/token\"}",
        1.0,
    );
    expect(
        "communityd_http_requests_total{method=\"GET\",route=\"/api/v1/tenants/{tenantId}\",status=\"200\"}",
        1.0,
    );
    expect(
        "communityd_http_requests_total{method=\"POST\",route=\"/identity/connect/token\",status=\"429\"}",
        1.0,
    );
    expect(
        "communityd_http_requests_total{method=\"GET\",route=\"(unmatched)\",status=\"404\"}",
        1.0,
    );
    expect(
        "communityd_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/tenants/{tenantId}\"}",
        1.0,
    );
    assert!(text.contains("communityd_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/tenants/{tenantId}\",le=\"+Inf\"} 1"));
    // Labels carry patterns, never ids.
    assert!(
        !text.contains(&owner.id.to_string()),
        "an id leaked into a label"
    );
    assert!(!text.contains(&community), "an id leaked into a label");
}

/// Made-up methods, however many and however long, share one `other`
/// series: no request can add series that live until the process ends.
#[tokio::test]
async fn made_up_methods_do_not_grow_the_series() {
    let app = crate::helpers::spawn_app().await;
    for i in 0..3_000 {
        let method = reqwest::Method::from_bytes(format!("X{i:04}{}", "Q".repeat(200)).as_bytes())
            .expect("a valid token");
        let response = app
            .http
            .request(method, format!("{}/api/v1/Tenants/{i}", app.url))
            .send()
            .await
            .expect("request sent");
        assert!(response.status().is_client_error(), "{}", response.status());
    }
    let text = scrape(&app).await;
    let series = text
        .lines()
        .filter(|l| l.starts_with("communityd_http_requests_total{"))
        .count();
    assert!(series <= 5, "{series} request series:\n{text}");
    assert!(text.len() < 64 * 1024, "a {} byte scrape", text.len());
    assert!(!text.contains("X0001"), "a method leaked into a label");
    assert!(text.contains("method=\"other\""), "{text}");
}
