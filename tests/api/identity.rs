//! Identity: OpenID discovery, the client_credentials token endpoint, and
//! how the API treats missing, bad, expired and revoked tokens.

use crate::helpers::{assert_error, json_with_status, spawn_app, spawn_app_with, TestApp};
use communityd::app::admin;
use communityd::domain::role::Role;
use communityd::domain::tenant::TenantState;
use reqwest::header::{CACHE_CONTROL, RETRY_AFTER};
use reqwest::{Response, StatusCode};
use serde_json::Value;

/// POST /identity/connect/token with an arbitrary form.
async fn token_form(app: &TestApp, form: &[(&str, &str)]) -> Response {
    app.http
        .post(format!("{}/identity/connect/token", app.url))
        .form(form)
        .send()
        .await
        .expect("request sent")
}

/// Asserts an OAuth error body (`{"error": ...}`) with the status, and that no token was issued.
async fn assert_oauth_error(response: Response, status: StatusCode, error: &str) -> Value {
    let body = json_with_status(response, status).await;
    assert_eq!(body["error"], error, "unexpected OAuth error body: {body}");
    assert!(
        body.get("access_token").is_none(),
        "an error response carried a token: {body}"
    );
    body
}

fn tenant_path(id: impl std::fmt::Display) -> String {
    format!("/api/v1/Tenants/{id}")
}

#[tokio::test]
async fn discovery_names_the_issuer_and_the_token_endpoint() {
    let app = spawn_app().await;

    let response = app
        .http
        .get(format!(
            "{}/identity/.well-known/openid-configuration",
            app.url
        ))
        .send()
        .await
        .expect("request sent");
    let body = json_with_status(response, StatusCode::OK).await;

    let issuer = body["issuer"].as_str().expect("issuer is a string");
    assert!(
        issuer.starts_with(&app.url),
        "issuer '{issuer}' is not under {}",
        app.url
    );
    let endpoint = body["token_endpoint"]
        .as_str()
        .expect("token_endpoint is a string");
    assert!(
        endpoint.starts_with(&app.url),
        "token_endpoint '{endpoint}' is not under {}",
        app.url
    );
    assert!(
        endpoint.ends_with("/identity/connect/token"),
        "token_endpoint '{endpoint}' is not the token route"
    );
}

#[tokio::test]
async fn a_client_with_the_right_secret_gets_a_bearer_token_that_works_for_an_hour() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app
        .token_response(&tenant.client_id.to_string(), &tenant.client_secret)
        .await;
    let cache_control = response
        .headers()
        .get(CACHE_CONTROL)
        .map(|v| v.to_str().unwrap_or_default().to_string());
    let body = json_with_status(response, StatusCode::OK).await;

    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(
        cache_control.as_deref(),
        Some("no-store"),
        "token responses must not be cached"
    );
    let token = body["access_token"]
        .as_str()
        .expect("access_token is a string");
    assert!(!token.is_empty());

    let tenant_body = json_with_status(
        app.get(&tenant_path(tenant.id), token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(tenant_body["Id"], tenant.id.to_string());
    assert_eq!(tenant_body["CompanyName"], "Contoso");
}

#[tokio::test]
async fn a_wrong_secret_is_an_invalid_client() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app
        .token_response(&tenant.client_id.to_string(), "not the secret")
        .await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_client").await;
}

#[tokio::test]
async fn an_unknown_client_id_is_an_invalid_client() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let unknown = uuid::Uuid::new_v4().to_string();
    let response = app.token_response(&unknown, &tenant.client_secret).await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_client").await;
}

#[tokio::test]
async fn a_client_id_that_is_not_a_guid_is_an_invalid_client() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app
        .token_response("not-a-guid", &tenant.client_secret)
        .await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_client").await;
}

#[tokio::test]
async fn a_token_request_without_grant_type_is_an_invalid_request() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let id = tenant.client_id.to_string();
    let response = token_form(
        &app,
        &[("client_id", &id), ("client_secret", &tenant.client_secret)],
    )
    .await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_request").await;
}

#[tokio::test]
async fn the_password_grant_is_an_unsupported_grant_type() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let id = tenant.client_id.to_string();
    let response = token_form(
        &app,
        &[
            ("grant_type", "password"),
            ("client_id", &id),
            ("client_secret", &tenant.client_secret),
            ("username", &tenant.admin_email),
            ("password", &tenant.admin_password),
        ],
    )
    .await;
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "unsupported_grant_type").await;
}

#[tokio::test]
async fn client_credentials_in_http_basic_get_a_token() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app
        .http
        .post(format!("{}/identity/connect/token", app.url))
        .basic_auth(tenant.client_id, Some(&tenant.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("request sent");
    let body = json_with_status(response, StatusCode::OK).await;
    assert_eq!(body["token_type"], "Bearer");
    let token = body["access_token"]
        .as_str()
        .expect("access_token is a string");
    json_with_status(
        app.get(&tenant_path(tenant.id), token).await,
        StatusCode::OK,
    )
    .await;

    // The same header with a wrong secret is refused.
    let response = app
        .http
        .post(format!("{}/identity/connect/token", app.url))
        .basic_auth(tenant.client_id, Some("not the secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("request sent");
    assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_client").await;
}

#[tokio::test]
async fn an_api_call_without_authorization_is_unauthorized() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app
        .http
        .get(format!("{}{}", app.url, tenant_path(tenant.id)))
        .send()
        .await
        .expect("request sent");
    assert_error(response, StatusCode::UNAUTHORIZED, "Authorization").await;
}

#[tokio::test]
async fn an_api_call_with_a_garbage_token_is_unauthorized() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app.get(&tenant_path(tenant.id), "garbage").await;
    assert_error(response, StatusCode::UNAUTHORIZED, "not valid").await;
}

#[tokio::test]
async fn an_api_call_with_a_tampered_signature_is_unauthorized() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let parts: Vec<&str> = tenant.token.split('.').collect();
    assert_eq!(parts.len(), 3, "the access token is a JWT");
    let signature = parts[2];
    // Change the first character: it carries six whole bits of the signature.
    let first = signature.chars().next().expect("a signature");
    let replacement = if first == 'A' { 'B' } else { 'A' };
    let tampered = format!(
        "{}.{}.{}{}",
        parts[0],
        parts[1],
        replacement,
        &signature[1..]
    );
    assert_ne!(tampered, tenant.token);

    let response = app.get(&tenant_path(tenant.id), &tampered).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "not valid").await;

    // The untouched token still works, so the 401 was the tampering.
    json_with_status(
        app.get(&tenant_path(tenant.id), &tenant.token).await,
        StatusCode::OK,
    )
    .await;
}

#[tokio::test]
async fn an_expired_token_is_unauthorized_and_says_so() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    json_with_status(
        app.get(&tenant_path(tenant.id), &tenant.token).await,
        StatusCode::OK,
    )
    .await;

    app.clock.advance(chrono::Duration::hours(2));

    let response = app.get(&tenant_path(tenant.id), &tenant.token).await;
    assert_error(response, StatusCode::UNAUTHORIZED, "expired").await;

    // A fresh token, issued at the moved clock, works again.
    let fresh = app.token(tenant.client_id, &tenant.client_secret).await;
    json_with_status(
        app.get(&tenant_path(tenant.id), &fresh).await,
        StatusCode::OK,
    )
    .await;
}

#[tokio::test]
async fn a_client_of_a_deactivated_tenant_gets_no_token_and_its_token_stops_working() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    json_with_status(
        app.get(&tenant_path(tenant.id), &tenant.token).await,
        StatusCode::OK,
    )
    .await;

    let store = app.ctx.store.clone();
    let id = tenant.id;
    let changed = tokio::task::spawn_blocking(move || {
        admin::set_tenant_state(&store, id, TenantState::Deactivated, chrono::Utc::now())
    })
    .await
    .expect("admin task")
    .expect("tenant deactivated");
    assert_eq!(changed.state, TenantState::Deactivated);

    let response = app
        .token_response(&tenant.client_id.to_string(), &tenant.client_secret)
        .await;
    let body = json_with_status(response, StatusCode::BAD_REQUEST).await;
    assert!(body["error"].is_string(), "not an OAuth error body: {body}");
    assert!(
        body.get("access_token").is_none(),
        "a deactivated tenant's client got a token: {body}"
    );

    let response = app.get(&tenant_path(tenant.id), &tenant.token).await;
    assert_error(response, StatusCode::FORBIDDEN, "not Active").await;
}

#[tokio::test]
async fn repeated_token_requests_for_one_client_are_throttled_with_retry_after() {
    let app = spawn_app_with(|s| s.auth_attempts_per_minute = 3).await;
    // Made directly, so no token request has used this client's allowance yet.
    let store = app.ctx.store.clone();
    let (client, other) = tokio::task::spawn_blocking(move || {
        let now = chrono::Utc::now();
        let t = admin::create_tenant(&store, "Contoso", "admin@contoso.example", None, now)
            .expect("tenant");
        let c = admin::create_client(
            &store,
            t.tenant_id,
            "throttled",
            &[Role::TenantAdministrator],
            now,
        )
        .expect("client");
        let o = admin::create_client(
            &store,
            t.tenant_id,
            "other",
            &[Role::TenantAdministrator],
            now,
        )
        .expect("client");
        (c, o)
    })
    .await
    .expect("fixture task");
    let id = client.client_id.to_string();

    for attempt in 1..=3 {
        let response = app.token_response(&id, "not the secret").await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "attempt {attempt} was not a plain failure"
        );
        assert_oauth_error(response, StatusCode::BAD_REQUEST, "invalid_client").await;
    }

    let response = app.token_response(&id, "not the secret").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .expect("a 429 carries Retry-After")
        .to_str()
        .expect("Retry-After is text")
        .parse::<u64>()
        .expect("Retry-After is whole seconds");
    assert!(
        (1..=60).contains(&retry_after),
        "Retry-After {retry_after}s is not within a minute"
    );
    assert!(response
        .json::<Value>()
        .await
        .expect("json body")
        .get("access_token")
        .is_none());

    // Even the right secret waits: the throttle comes before any secret is checked.
    let response = app.token_response(&id, &client.client_secret).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);

    // The limit is per client: another client of the same tenant is served.
    app.token(other.client_id, &other.client_secret).await;
}
