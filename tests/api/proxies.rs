//! Behind a reverse proxy every connection comes from the proxy. A trusted
//! proxy's `X-Forwarded-For` / `Forwarded` names the client the throttles
//! count, an untrusted peer's is ignored, and a correct client secret is
//! served even while others send wrong ones for the same client from the
//! same address.

use crate::credentials::client_from;
use crate::helpers::{json_with_status, spawn_app_with, TestApp};
use reqwest::{Client, StatusCode};

async fn token_via(
    app: &TestApp,
    http: &Client,
    forwarded_for: &str,
    id: &str,
    secret: &str,
) -> StatusCode {
    let mut request = http
        .post(format!("{}/identity/connect/token", app.url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ]);
    if !forwarded_for.is_empty() {
        request = request.header("x-forwarded-for", forwarded_for);
    }
    request.send().await.expect("request sent").status()
}

#[tokio::test]
async fn a_proven_secret_is_served_while_others_guess_it_from_the_same_address() {
    let app = spawn_app_with(|s| s.auth_attempts_per_minute = 3).await;
    let tenant = app.tenant("Contoso").await;
    let id = tenant.client_id.to_string();
    let proxy = client_from(9);
    assert_eq!(
        token_via(&app, &proxy, "", &id, &tenant.client_secret).await,
        StatusCode::OK
    );
    // Others behind the same address spend the client's budget...
    for expected in [400, 400, 400, 429] {
        let status = token_via(&app, &proxy, "", &id, "guess").await;
        assert_eq!(status.as_u16(), expected);
    }
    assert_eq!(
        token_via(&app, &proxy, "", &id, &tenant.client_secret).await,
        StatusCode::OK
    );
    // ...and fill the address's line in the hashing queue while the client
    // asks again.
    let guesses: Vec<_> = (0..24)
        .map(|_| {
            let (url, id) = (app.url.clone(), id.clone());
            tokio::spawn(async move {
                client_from(9)
                    .post(format!("{url}/identity/connect/token"))
                    .form(&[
                        ("grant_type", "client_credentials"),
                        ("client_id", id.as_str()),
                        ("client_secret", "guess"),
                    ])
                    .send()
                    .await
                    .map(|r| r.status())
            })
        })
        .collect();
    for _ in 0..5 {
        assert_eq!(
            token_via(&app, &proxy, "", &id, &tenant.client_secret).await,
            StatusCode::OK
        );
    }
    let mut refused = 0;
    for g in guesses {
        let status = g.await.unwrap().unwrap();
        assert_ne!(status, StatusCode::OK);
        refused += usize::from(status == StatusCode::TOO_MANY_REQUESTS);
    }
    assert!(refused > 0, "the guesses were never throttled");
    assert_eq!(
        token_via(&app, &proxy, "", &id, &tenant.client_secret).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_the_throttle_counts() {
    let app = spawn_app_with(|s| {
        s.auth_attempts_per_minute = 3;
        s.trusted_proxies = vec!["127.0.0.9".into()];
    })
    .await;
    let tenant = app.tenant("Contoso").await;
    let id = tenant.client_id.to_string();
    let proxy = client_from(9);
    for _ in 0..3 {
        let status = token_via(&app, &proxy, "203.0.113.9", &id, "guess").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    // The attacker behind the proxy is throttled; it cannot pass for
    // another client by writing an address of its own to the left.
    for forged in ["203.0.113.9", "198.51.100.7, 203.0.113.9"] {
        let status = token_via(&app, &proxy, forged, &id, "guess").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{forged}");
    }
    // The real client, named by the proxy, has never been throttled.
    let status = token_via(&app, &proxy, "198.51.100.7", &id, &tenant.client_secret).await;
    assert_eq!(status, StatusCode::OK);
    let r = proxy
        .get(format!("{}/health/live", app.url))
        .send()
        .await
        .unwrap();
    json_with_status(r, StatusCode::OK).await;
}

#[tokio::test]
async fn an_untrusted_peer_cannot_name_a_client() {
    let app = spawn_app_with(|s| {
        s.auth_attempts_per_minute = 3;
        s.trusted_proxies = vec!["127.0.0.9".into()];
    })
    .await;
    let tenant = app.tenant("Contoso").await;
    let id = tenant.client_id.to_string();
    let direct = client_from(10);
    for i in 0..3 {
        let forged = format!("198.51.100.{i}");
        let status = token_via(&app, &direct, &forged, &id, "guess").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let status = token_via(&app, &direct, "198.51.100.200", &id, "guess").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}
