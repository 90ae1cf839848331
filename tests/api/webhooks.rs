//! Signed webhooks: a Tenant Administrator registers an endpoint, the
//! changes of its communities reach a real receiver on loopback, signed as
//! Standard Webhooks says (checked here with `ring`, not the service's own
//! code), retried after failures, sent again on demand with the same
//! `webhook-id`, and the endpoint is disabled (with an email) once it has
//! failed for longer than the setting allows.

use crate::helpers::*;
use crate::smtp::SmtpCapture;
use crate::webhook_receiver::{Answer, Received, WebhookReceiver};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

fn webhooks_path(tenant: &TestTenant) -> String {
    format!("/api/v1/Tenants/{}/Webhooks", tenant.id)
}

/// Registers an endpoint for `events`; returns (its id, its secret).
async fn register(
    app: &TestApp,
    tenant: &TestTenant,
    url: &str,
    events: &[&str],
) -> (String, String) {
    let body = json!({ "Url": url, "Events": events, "Description": "Our ERP" });
    let r = app
        .post_json(&webhooks_path(tenant), &tenant.token, &body)
        .await;
    let made = json_with_status(r, StatusCode::CREATED).await;
    let secret = made["Secret"]
        .as_str()
        .expect("the secret, once")
        .to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");
    (made["Id"].as_str().unwrap().to_string(), secret)
}

/// Checks a request's `webhook-signature` with an implementation of the
/// scheme written here, on `ring`.
fn signed_by(secret: &str, request: &Received) -> bool {
    let key_bytes = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key_bytes);
    let id = request.header("webhook-id");
    let timestamp = request.header("webhook-timestamp");
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(&request.body);
    request
        .header("webhook-signature")
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .any(|tag| ring::hmac::verify(&key, &signed, &tag).is_ok())
}

/// An endpoint's delivery log, newest first.
async fn log(app: &TestApp, tenant: &TestTenant, webhook: &str) -> Vec<Value> {
    let path = format!("{}/{webhook}/Deliveries", webhooks_path(tenant));
    let r = app.get(&path, &tenant.token).await;
    json_with_status(r, StatusCode::OK)
        .await
        .as_array()
        .unwrap()
        .clone()
}

/// Waits (bounded) until the newest delivery of the log passes `done`.
async fn wait_for_log(
    app: &TestApp,
    tenant: &TestTenant,
    webhook: &str,
    done: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    for _ in 0..400 {
        let found = log(app, tenant, webhook).await;
        if found.first().is_some_and(&done) {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "the delivery log never got there: {:?}",
        log(app, tenant, webhook).await
    );
}

#[tokio::test]
async fn membership_changes_reach_both_tenants_signed_and_without_links() {
    let app = spawn_app().await;
    let (alpha_hooks, beta_hooks) = (
        WebhookReceiver::start().await,
        WebhookReceiver::start().await,
    );
    let alpha = app.tenant("Alpha").await;
    let beta = app.tenant("Beta").await;
    let community = app.community(&alpha, "Plant data").await;
    let every = [
        "Invitation.Created",
        "Invitation.Accepted",
        "Membership.Confirmed",
        "Membership.Removed",
    ];
    let (_, alpha_secret) = register(&app, &alpha, &alpha_hooks.url(), &every).await;
    let (_, beta_secret) = register(
        &app,
        &beta,
        &beta_hooks.url(),
        &["Invitation.Accepted", "Membership.Removed"],
    )
    .await;

    let invitation = app.invite_id(&alpha, &community, &beta.admin_email).await;
    app.accept(&beta.token, &invitation).await;
    json_with_status(
        app.act(&alpha.token, &invitation, "Confirm").await,
        StatusCode::OK,
    )
    .await;
    let path = format!(
        "/api/v1-preview/Communities/{community}/Tenants/{}",
        beta.id
    );
    let r = app.delete(&path, &alpha.token).await;
    assert!(r.status().is_success(), "{}", r.status());

    let to_alpha = alpha_hooks.wait_for(4).await;
    let mut types: Vec<String> = to_alpha
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_string())
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            "Invitation.Accepted",
            "Invitation.Created",
            "Membership.Confirmed",
            "Membership.Removed"
        ]
    );
    // Beta hears of its own acceptance and, no longer a member, of its removal.
    let to_beta = beta_hooks.wait_for(2).await;
    let mut types: Vec<String> = to_beta
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_string())
        .collect();
    types.sort();
    assert_eq!(types, ["Invitation.Accepted", "Membership.Removed"]);

    for (request, secret) in to_alpha
        .iter()
        .map(|r| (r, &alpha_secret))
        .chain(to_beta.iter().map(|r| (r, &beta_secret)))
    {
        assert!(
            signed_by(secret, request),
            "signature of {:?}",
            request.headers
        );
        let wrong = format!("whsec_{}", STANDARD.encode([7u8; 32]));
        assert!(!signed_by(&wrong, request), "any secret would do");
        assert_eq!(request.header("content-type"), "application/json");
        assert_eq!(request.path, "/hooks/in");
        let timestamp: i64 = request.header("webhook-timestamp").parse().unwrap();
        assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
        let body = request.json();
        assert_eq!(body["data"]["CommunityId"], community.as_str());
        assert_eq!(body["data"]["CommunityName"], "Plant data");
        assert!(body["timestamp"].is_string());
        // Names and ids only: no link, no token, no address, no secret.
        let text = String::from_utf8_lossy(&request.body);
        for leak in ["http", "Token", "token", &beta.admin_email, "whsec_"] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
    }
    let accepted = to_beta
        .iter()
        .find(|r| r.json()["type"] == "Invitation.Accepted")
        .unwrap()
        .json();
    assert_eq!(accepted["data"]["InvitationId"], invitation.as_str());
    let names: Vec<&str> = accepted["data"]["Tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["Name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Alpha") && names.contains(&"Beta"),
        "{names:?}"
    );
    // The reference verifier agrees, and refuses another secret.
    let verdicts = crate::standard_webhooks::verdicts(&alpha_secret, &to_alpha);
    assert!(verdicts.iter().all(|v| v == "ok"), "{verdicts:?}");
    let wrong = format!("whsec_{}", STANDARD.encode([7u8; 32]));
    let refused = crate::standard_webhooks::verdicts(&wrong, &to_alpha[..1]);
    assert!(refused[0].starts_with("bad"), "{refused:?}");
    // Each delivery has its own id.
    let mut ids: Vec<&str> = to_alpha.iter().map(|r| r.header("webhook-id")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
}

#[tokio::test]
async fn a_failed_try_is_retried_after_its_wait_and_a_redelivery_keeps_the_id() {
    let app = spawn_app().await;
    let hooks = WebhookReceiver::start().await;
    hooks.answer_next(&[Answer::Status(500)]);
    let alpha = app.tenant("Alpha").await;
    let community = app.community(&alpha, "Plant data").await;
    let (webhook, secret) = register(&app, &alpha, &hooks.url(), &["Invitation.Created"]).await;
    app.invite_id(&alpha, &community, "someone@partner.example")
        .await;

    let first = hooks.wait_for(1).await;
    let failed = wait_for_log(&app, &alpha, &webhook, |d| d["LastResponseCode"] == 500).await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["Status"], "Pending");
    assert_eq!(failed[0]["Attempts"], 1);
    assert!(failed[0]["NextAttempt"].is_string());
    assert_eq!(failed[0]["Id"], first[0].header("webhook-id"));
    // Not before its wait (5 s) is over; then once more, and it arrives.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(hooks.received().len(), 1, "retried too early");
    app.clock.advance(chrono::Duration::seconds(6));
    let both = hooks.wait_for(2).await;
    assert_eq!(both[1].header("webhook-id"), both[0].header("webhook-id"));
    assert_eq!(both[1].body, both[0].body);
    assert!(signed_by(&secret, &both[1]));
    let delivered = wait_for_log(&app, &alpha, &webhook, |d| d["Status"] == "Delivered").await;
    assert_eq!(delivered[0]["LastResponseCode"], 204);
    assert_eq!(delivered[0]["Tries"].as_array().unwrap().len(), 2);

    // Sent again on demand: the same id and body, once more.
    let id = delivered[0]["Id"].as_str().unwrap();
    let again = format!(
        "{}/{webhook}/Deliveries/{id}/Redeliver",
        webhooks_path(&alpha)
    );
    let r = app.post_json(&again, &alpha.token, &json!({})).await;
    let queued = json_with_status(r, StatusCode::ACCEPTED).await;
    assert_eq!(queued["Status"], "Pending");
    let three = hooks.wait_for(3).await;
    assert_eq!(three[2].header("webhook-id"), id);
    assert_eq!(three[2].body, three[0].body);
    wait_for_log(&app, &alpha, &webhook, |d| {
        d["Status"] == "Delivered" && d["Tries"].as_array().unwrap().len() == 3
    })
    .await;

    // Another tenant's administrator cannot send it again, nor read the log.
    let other = app.tenant("Other").await;
    let r = app.post_json(&again, &other.token, &json!({})).await;
    assert_error(r, StatusCode::FORBIDDEN, "own tenant").await;
    let r = app
        .get(
            &format!("{}/{webhook}/Deliveries", webhooks_path(&alpha)),
            &other.token,
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let unknown = format!(
        "{}/{webhook}/Deliveries/{}/Redeliver",
        webhooks_path(&alpha),
        uuid::Uuid::now_v7()
    );
    let r = app.post_json(&unknown, &alpha.token, &json!({})).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_endpoint_failing_for_days_is_disabled_and_its_administrators_emailed() {
    let smtp = SmtpCapture::start().await;
    let smtp_url = smtp.url();
    let app = spawn_app_with(move |s| s.smtp_url = smtp_url).await;
    let hooks = WebhookReceiver::start().await;
    hooks.answer_always(Answer::Status(503));
    let alpha = app.tenant("Alpha").await;
    let community = app.community(&alpha, "Plant data").await;
    let (webhook, _) = register(&app, &alpha, &hooks.url(), &["Invitation.Created"]).await;
    app.invite_id(&alpha, &community, "someone@partner.example")
        .await;
    wait_for_log(&app, &alpha, &webhook, |d| d["LastResponseCode"] == 503).await;
    let one = format!("{}/{webhook}", webhooks_path(&alpha));
    let failing = json_with_status(app.get(&one, &alpha.token).await, StatusCode::OK).await;
    assert_eq!(failing["Enabled"], true);
    assert!(failing["FailingSince"].is_string());

    // Five days and a bit later, the next failure disables it.
    app.clock
        .advance(chrono::Duration::days(5) + chrono::Duration::hours(1));
    // The administrator's token has expired meanwhile.
    let alpha = TestTenant {
        token: app.token(alpha.client_id, &alpha.client_secret).await,
        ..alpha
    };
    hooks.wait_for(2).await;
    let mut disabled = Value::Null;
    for _ in 0..400 {
        disabled = json_with_status(app.get(&one, &alpha.token).await, StatusCode::OK).await;
        if disabled["Enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(disabled["Enabled"], false, "{disabled}");
    assert!(disabled["DisabledReason"]
        .as_str()
        .unwrap()
        .contains("failed"));
    let email = smtp.wait_for_email(&alpha.admin_email, "webhook").await;
    assert!(email.text.contains(&hooks.url()), "{}", email.text);

    // Disabled, it is told of nothing more, and a delivery cannot be sent
    // again until it is enabled.
    app.invite_id(&alpha, &community, "another@partner.example")
        .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(hooks.received().len(), 2);
    let entries = log(&app, &alpha, &webhook).await;
    let id = entries.last().unwrap()["Id"].as_str().unwrap();
    let again = format!("{one}/Deliveries/{id}/Redeliver");
    let r = app.post_json(&again, &alpha.token, &json!({})).await;
    assert_error(r, StatusCode::CONFLICT, "disabled").await;
    hooks.answer_always(Answer::Status(200));
    let r = app
        .put_json(&one, &alpha.token, &json!({ "Enabled": true }))
        .await;
    let enabled = json_with_status(r, StatusCode::OK).await;
    assert_eq!(enabled["Enabled"], true);
    assert!(enabled["FailingSince"].is_null());
    let r = app.post_json(&again, &alpha.token, &json!({})).await;
    json_with_status(r, StatusCode::ACCEPTED).await;
    let all = hooks.wait_for(3).await;
    assert_eq!(all[2].header("webhook-id"), id);
}

#[tokio::test]
async fn bad_endpoints_are_refused_naming_the_field_and_only_administrators_manage_them() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let path = webhooks_path(&alpha);
    let post = |body: Value| {
        let (app, path, token) = (&app, path.clone(), alpha.token.clone());
        async move { app.post_json(&path, &token, &body).await }
    };
    let ok_url = "http://127.0.0.1:9/in";
    for (body, field, needle) in [
        (
            json!({ "Url": "ftp://example.com/in", "Events": ["Share.Added"] }),
            "Url",
            "http",
        ),
        (
            json!({ "Url": format!("https://example.com/{}", "a".repeat(2000)), "Events": ["Share.Added"] }),
            "Url",
            "2000",
        ),
        (
            json!({ "Url": "https://user:pw@example.com/in", "Events": ["Share.Added"] }),
            "Url",
            "password",
        ),
        (json!({ "Events": ["Share.Added"] }), "Url", "required"),
        (
            json!({ "Url": ok_url, "Events": ["User.Created"] }),
            "Events",
            "Membership.Confirmed",
        ),
        (
            json!({ "Url": ok_url, "Events": [] }),
            "Events",
            "at least one",
        ),
        (json!({ "Url": ok_url }), "Events", "required"),
        (
            json!({ "Url": ok_url, "Events": ["Share.Added"], "Description": "d".repeat(501) }),
            "Description",
            "500",
        ),
    ] {
        let r = post(body.clone()).await;
        let error = assert_error(r, StatusCode::BAD_REQUEST, needle).await;
        assert!(
            error.to_string().contains(field),
            "{field} not named for {body}: {error}"
        );
    }
    assert!(no_webhooks(&app, &alpha).await);

    // A Tenant Member, and another tenant's administrator, get 403.
    let (_, member_token) = app.client(alpha.id, &[Role::TenantMember]).await;
    let body = json!({ "Url": ok_url, "Events": ["Share.Added"] });
    let r = app.post_json(&path, &member_token, &body).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.get(&path, &member_token).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let other = app.tenant("Other").await;
    let r = app.post_json(&path, &other.token, &body).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Listed without the secret; changed; at most 20; deleted.
    let (id, _) = register(&app, &alpha, ok_url, &["Share.Added", "invitation.created"]).await;
    let listed = json_with_status(app.get(&path, &alpha.token).await, StatusCode::OK).await;
    assert_eq!(
        listed[0]["Events"],
        json!(["Invitation.Created", "Share.Added"])
    );
    assert!(listed[0].get("Secret").is_none(), "{listed}");
    let one = format!("{path}/{id}");
    let r = app
        .put_json(
            &one,
            &alpha.token,
            &json!({ "Description": "ERP", "Events": ["Community.Deleted"] }),
        )
        .await;
    let changed = json_with_status(r, StatusCode::OK).await;
    assert_eq!(changed["Events"], json!(["Community.Deleted"]));
    assert_eq!(changed["Url"], ok_url);
    let r = app
        .put_json(&one, &alpha.token, &json!({ "Url": "gopher://x" }))
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "http").await;
    for _ in 1..20 {
        register(&app, &alpha, ok_url, &["Share.Added"]).await;
    }
    let r = app.post_json(&path, &alpha.token, &body).await;
    assert_error(r, StatusCode::CONFLICT, "20").await;
    assert_eq!(
        app.delete(&one, &alpha.token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&one, &alpha.token).await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn no_webhooks(app: &TestApp, tenant: &TestTenant) -> bool {
    let listed = json_with_status(
        app.get(&webhooks_path(tenant), &tenant.token).await,
        StatusCode::OK,
    )
    .await;
    listed.as_array().unwrap().is_empty()
}

#[tokio::test]
async fn private_networks_are_refused_unless_the_operator_allows_them() {
    let app = spawn_app_with(|s| s.webhook_allow_private_networks = false).await;
    let alpha = app.tenant("Alpha").await;
    for url in [
        "http://127.0.0.1:8080/in",
        "http://localhost/in",
        "http://[::1]/in",
        "http://[::ffff:127.0.0.1]/in",
        "http://10.0.0.7/in",
        "http://192.168.1.1/in",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/in",
        "http://[fd00::1]/in",
        "http://0.0.0.0/in",
    ] {
        let body = json!({ "Url": url, "Events": ["Share.Added"] });
        let r = app
            .post_json(&webhooks_path(&alpha), &alpha.token, &body)
            .await;
        let error = assert_error(r, StatusCode::BAD_REQUEST, "may not reach").await;
        assert!(error.to_string().contains("Url"), "{error}");
    }
    assert!(no_webhooks(&app, &alpha).await);
}

/// The real binary is killed with SIGKILL while its worker waits for a
/// receiver that never answers: after a restart the same delivery arrives
/// again with the same `webhook-id`, and every delivery reached the
/// receiver (the ones answered before the kill, at least once).
#[tokio::test]
async fn a_kill_during_a_delivery_repeats_it_with_the_same_id_and_loses_none() {
    use crate::process::{seed_tenant, Served};
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed_tenant(dir.path(), "Alpha");
    let hooks = WebhookReceiver::start().await;
    hooks.answer_next(&[Answer::Hang]);
    let settings = [
        ("webhook_allow_private_networks", "true"),
        ("webhook_timeout", "60s"),
    ];
    let served = Served::start(dir.path(), &settings);
    let token = served.token(&seeded).await;
    let webhooks = format!("/api/v1/Tenants/{}/Webhooks", seeded.tenant);
    let body = json!({ "Url": hooks.url(), "Events": ["Invitation.Created"] });
    let webhook = served.create(&webhooks, &token, body).await;
    let invitations = served.community(&seeded, &token).await;
    for who in ["a", "b", "c"] {
        let body = json!({ "InvitationRecipient": format!("{who}@partner.example") });
        served.create(&invitations, &token, body).await;
    }
    let before = hooks.wait_for(3).await;
    let hung = before[0].header("webhook-id").to_string();
    // The two answered are recorded; the hanging one is still in flight.
    let log_path = format!("{webhooks}/{}/Deliveries", webhook["Id"].as_str().unwrap());
    let read_log = |served: &Served, token: &str| {
        let request = served
            .http
            .get(format!("{}{log_path}", served.url))
            .bearer_auth(token.to_string());
        async move {
            let r = request.send().await.unwrap();
            json_with_status(r, StatusCode::OK).await
        }
    };
    let mut delivered = 0;
    for _ in 0..400 {
        let entries = read_log(&served, &token).await;
        delivered = entries
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["Status"] == "Delivered")
            .count();
        if delivered == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(delivered, 2, "the answered deliveries are recorded");
    served.kill();

    let served = Served::start(dir.path(), &settings);
    let token = served.token(&seeded).await;
    let after = hooks.wait_for(4).await;
    assert_eq!(
        after[3].header("webhook-id"),
        hung,
        "the same delivery again"
    );
    assert_eq!(after[3].body, before[0].body);
    let mut ids: Vec<&str> = after.iter().map(|r| r.header("webhook-id")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three deliveries, none lost");
    for _ in 0..400 {
        let entries = read_log(&served, &token).await;
        let all = entries.as_array().unwrap();
        if all.iter().all(|d| d["Status"] == "Delivered") {
            assert_eq!(all.len(), 3);
            let repeated = all.iter().find(|d| d["Id"] == hung.as_str()).unwrap();
            assert_eq!(repeated["Attempts"], 2, "the cut try counts");
            tokio::time::sleep(Duration::from_millis(1500)).await;
            assert_eq!(hooks.received().len(), 4, "nothing else is repeated");
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the repeated delivery was never recorded");
}

/// The expiry sweep tells the inviting tenant of an invitation that
/// expired, and a deleted community's members hear of it, found before the
/// memberships go with it.
#[tokio::test]
async fn an_expired_invitation_and_a_deleted_community_are_told() {
    let app = spawn_app_with(|s| s.expiry_sweep_interval = Duration::from_millis(100)).await;
    let (alpha_hooks, beta_hooks) = (
        WebhookReceiver::start().await,
        WebhookReceiver::start().await,
    );
    let (alpha, beta, community) = app.partners().await;
    register(&app, &alpha, &alpha_hooks.url(), &["Invitation.Expired"]).await;
    register(&app, &beta, &beta_hooks.url(), &["Community.Deleted"]).await;
    let late = app
        .invite_id(&alpha, &community, "late@partner.example")
        .await;
    let ttl = chrono::Duration::from_std(app.settings.invitation_ttl).unwrap();
    app.clock.advance(ttl + chrono::Duration::hours(1));

    let expired = alpha_hooks.wait_for(1).await[0].json();
    assert_eq!(expired["type"], "Invitation.Expired");
    assert_eq!(expired["data"]["InvitationId"], late.as_str());
    assert_eq!(expired["data"]["CommunityId"], community.as_str());
    assert!(
        expired["data"].get("ActorTenantId").is_none(),
        "the service expired it"
    );
    assert!(beta_hooks.received().is_empty());

    let token = app.token(alpha.client_id, &alpha.client_secret).await;
    let r = app
        .delete(&format!("/api/v1-preview/Communities/{community}"), &token)
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let deleted = beta_hooks.wait_for(1).await[0].json();
    assert_eq!(deleted["type"], "Community.Deleted");
    assert_eq!(deleted["data"]["CommunityName"], "Plant data");
    let tenants: Vec<&str> = deleted["data"]["Tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["Name"].as_str().unwrap())
        .collect();
    assert!(tenants.contains(&"Beta"), "{tenants:?}");
}
