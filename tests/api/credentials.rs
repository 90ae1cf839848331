//! Secrets under attack: failure budgets per (identity, address) and per
//! address, one budget for every spelling of a client id, unknown
//! identities that cost no argon2 run, and a bounded hashing queue. Other
//! addresses are real: loopback is a whole /8, so a client bound to
//! 127.0.0.2 is another source than the test's usual 127.0.0.1.

use crate::helpers::{json_with_status, spawn_app_with, TestApp};
use reqwest::header::RETRY_AFTER;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use std::net::{IpAddr, Ipv4Addr};

/// An HTTP client whose connections come from 127.0.0.`last`.
pub fn client_from(last: u8) -> Client {
    Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

async fn token_from(app: &TestApp, http: &Client, id: &str, secret: &str) -> Response {
    http.post(format!("{}/identity/connect/token", app.url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .expect("request sent")
}

async fn oauth_error(response: Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(body.get("access_token").is_none(), "{body}");
    (
        status,
        body["error"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn failures_from_another_address_never_block_the_owners_secret() {
    let app = spawn_app_with(|s| s.auth_attempts_per_minute = 3).await;
    let tenant = app.tenant("Contoso").await;
    let id = tenant.client_id.to_string();
    let attacker = client_from(2);
    for _ in 0..3 {
        let r = token_from(&app, &attacker, &id, "guess").await;
        assert_eq!(
            oauth_error(r).await,
            (StatusCode::BAD_REQUEST, "invalid_client".into())
        );
    }
    let r = token_from(&app, &attacker, &id, "guess").await;
    assert!(r.headers().contains_key(RETRY_AFTER));
    assert_eq!(
        oauth_error(r).await,
        (StatusCode::TOO_MANY_REQUESTS, "slow_down".into())
    );

    // The owner, from its own address, is served.
    let owner = client_from(1);
    let r = token_from(&app, &owner, &id, &tenant.client_secret).await;
    let body = json_with_status(r, StatusCode::OK).await;
    assert!(body["access_token"].is_string());
}

#[tokio::test]
async fn every_spelling_of_a_client_id_shares_one_failure_budget() {
    let app = spawn_app_with(|s| s.auth_attempts_per_minute = 3).await;
    let tenant = app.tenant("Contoso").await;
    let plain = tenant.client_id.to_string();
    let spellings = [
        format!("{{{}}}", plain.to_uppercase()),
        format!("urn:uuid:{plain}"),
        plain.replace('-', ""),
        format!("  {plain}\t"),
        format!("URN:UUID:{}", plain.to_uppercase()),
    ];
    // Each spelling names the same client: the right secret works with it.
    let owner = client_from(1);
    for spelling in &spellings {
        let r = token_from(&app, &owner, spelling, &tenant.client_secret).await;
        json_with_status(r, StatusCode::OK).await;
    }
    let attacker = client_from(3);
    for spelling in &spellings[..3] {
        let r = token_from(&app, &attacker, spelling, "guess").await;
        assert_eq!(oauth_error(r).await.0, StatusCode::BAD_REQUEST);
    }
    for spelling in &spellings {
        let r = token_from(&app, &attacker, spelling, "guess").await;
        assert_eq!(
            oauth_error(r).await.0,
            StatusCode::TOO_MANY_REQUESTS,
            "'{spelling}' has a budget of its own"
        );
    }
}

#[tokio::test]
async fn an_address_spraying_client_ids_runs_out_while_others_are_served() {
    let app = spawn_app_with(|s| s.auth_failures_per_source_per_minute = 5).await;
    let tenant = app.tenant("Contoso").await;
    let sprayer = client_from(4);
    for _ in 0..5 {
        let made_up = uuid::Uuid::new_v4().to_string();
        let r = token_from(&app, &sprayer, &made_up, "guess").await;
        assert_eq!(oauth_error(r).await.0, StatusCode::BAD_REQUEST);
    }
    let made_up = uuid::Uuid::new_v4().to_string();
    let r = token_from(&app, &sprayer, &made_up, "guess").await;
    assert_eq!(oauth_error(r).await.0, StatusCode::TOO_MANY_REQUESTS);
    // Even a real client's secret from that address waits...
    let r = token_from(&app, &sprayer, &tenant.client_id.to_string(), "guess").await;
    assert_eq!(oauth_error(r).await.0, StatusCode::TOO_MANY_REQUESTS);
    // ...but every other address is served.
    let r = token_from(
        &app,
        &client_from(5),
        &tenant.client_id.to_string(),
        &tenant.client_secret,
    )
    .await;
    json_with_status(r, StatusCode::OK).await;
}

#[tokio::test]
async fn unknown_client_ids_cost_no_password_hashing() {
    let app = spawn_app_with(|_| {}).await;
    let tenant = app.tenant("Contoso").await;
    let http = client_from(6);
    // One real check has been measured (the fixture's token request).
    let before = app.ctx.passwords.runs();
    assert!(before >= 1);
    for made_up in [
        uuid::Uuid::new_v4().to_string(),
        "not-a-guid".to_string(),
        String::new(),
        "x".repeat(5000),
    ] {
        let r = token_from(&app, &http, &made_up, "guess").await;
        assert_eq!(
            oauth_error(r).await,
            (StatusCode::BAD_REQUEST, "invalid_client".into())
        );
    }
    assert_eq!(app.ctx.passwords.runs(), before, "an unknown id ran argon2");
    // A known client with a wrong secret is really checked.
    let r = token_from(&app, &http, &tenant.client_id.to_string(), "guess").await;
    assert_eq!(oauth_error(r).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(app.ctx.passwords.runs(), before + 1);
}

#[tokio::test]
async fn a_flood_from_one_address_gets_429_at_once_while_another_is_served() {
    let app = spawn_app_with(|s| {
        s.hashing_slots = 1;
        s.hashing_queue_per_source = 2;
    })
    .await;
    let tenant = app.tenant("Contoso").await;
    let id = tenant.client_id.to_string();
    let flood = client_from(7);
    let attempts: Vec<_> = (0..24)
        .map(|_| {
            let (flood, url, id) = (flood.clone(), app.url.clone(), id.clone());
            tokio::spawn(async move {
                let r = flood
                    .post(format!("{url}/identity/connect/token"))
                    .form(&[
                        ("grant_type", "client_credentials"),
                        ("client_id", id.as_str()),
                        ("client_secret", "guess"),
                    ])
                    .send()
                    .await
                    .expect("request sent");
                let retry = r.headers().get(RETRY_AFTER).is_some();
                (r.status(), retry)
            })
        })
        .collect();
    let r = token_from(&app, &client_from(8), &id, &tenant.client_secret).await;
    json_with_status(r, StatusCode::OK).await;
    let mut refused = 0;
    for a in attempts {
        let (status, retry) = a.await.expect("task");
        match status {
            StatusCode::BAD_REQUEST => {}
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(retry, "a 429 without Retry-After");
                refused += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(
        refused > 0,
        "24 concurrent checks from one address all waited"
    );
}

/// The login form, from `http`'s address: returns the final response.
async fn portal_login(
    app: &TestApp,
    http: &Client,
    tenant: &str,
    email: &str,
    password: &str,
) -> Response {
    let page = http
        .get(format!("{}/login", app.url))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("html");
    let csrf = page
        .split("name=\"login_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("login_csrf field")
        .to_string();
    http.post(format!("{}/login", app.url))
        .form(&[
            ("login_csrf", csrf.as_str()),
            ("tenant_id", tenant),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .expect("login sent")
}

#[tokio::test]
async fn a_bad_actor_behind_the_same_address_does_not_lock_out_a_tenant() {
    let app = spawn_app_with(|s| s.auth_attempts_per_minute = 3).await;
    let tenant = app.tenant("Contoso").await;
    let tid = tenant.id.to_string();
    let proxy = client_from(9);
    for _ in 0..3 {
        let r = portal_login(&app, &proxy, &tid, "intruder@contoso.example", "guess").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = portal_login(&app, &proxy, &tid, "INTRUDER@contoso.example ", "guess").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key(RETRY_AFTER));
    // A colleague behind the same address logs in.
    let colleague = client_from(9);
    let r = portal_login(
        &app,
        &colleague,
        &tid,
        &tenant.admin_email,
        &tenant.admin_password,
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
