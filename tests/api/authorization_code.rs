//! The authorization code flow with PKCE, as AVEVA's libraries drive it for
//! interactive sign-in: a tenant's administrator registers an application
//! (AuthorizationCodeClients), a person's browser (a cookie jar) signs in
//! through the portal's login form, the authorization endpoint sends a
//! one-time code to the registered redirect URI only, and the code and its
//! verifier buy an access token that acts with that person's rights.

use crate::helpers::*;
use crate::pages::{location, Browser};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use communityd::domain::role::Role;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

/// RFC 7636 appendix B: a verifier and its S256 challenge, worked out
/// there, not by the code under test.
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "http://localhost:5004/callback.html";
const PASSWORD: &str = "correct horse battery";

fn clients_path(tenant: impl std::fmt::Display) -> String {
    format!("/api/v1/Tenants/{tenant}/AuthorizationCodeClients")
}

/// Registers an application of `tenant` redirecting to `REDIRECT`.
pub(crate) async fn register(app: &TestApp, tenant: &TestTenant) -> String {
    let body = json!({"Name": "Notebook", "RedirectUris": [REDIRECT, "https://app.example/cb"]});
    let r = app
        .post_json(&clients_path(tenant.id), &tenant.token, &body)
        .await;
    let made = json_with_status(r, StatusCode::CREATED).await;
    made["ClientId"].as_str().expect("ClientId").to_string()
}

fn authorize_path(client: &str, redirect: &str, extra: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", client)
        .append_pair("redirect_uri", redirect)
        .append_pair("response_type", "code")
        .append_pair("code_challenge", CHALLENGE)
        .append_pair("code_challenge_method", "S256")
        .append_pair("scope", "openid ocsapi");
    for (k, v) in extra {
        q.append_pair(k, v);
    }
    format!("/identity/connect/authorize?{}", q.finish())
}

/// The query parameters of a redirect's target.
fn query_of(target: &str) -> Vec<(String, String)> {
    url::Url::parse(target)
        .expect("an absolute target")
        .query_pairs()
        .into_owned()
        .collect()
}

fn param(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// A person of `tenant` signed in through the login form.
pub(crate) async fn signed_in(app: &TestApp, tenant: &TestTenant, email: &str) -> Browser {
    let b = Browser::new(app);
    let r = b
        .sign_in(&tenant.name, email, PASSWORD, "/communities")
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed in");
    b
}

/// Asks for a code as `b` and returns it, with the state sent back.
pub(crate) async fn code_for(b: &Browser, client: &str, state: &str) -> String {
    let r = b
        .get(&authorize_path(
            client,
            REDIRECT,
            &[("state", state), ("nonce", "n-0S6")],
        ))
        .await;
    assert_eq!(r.status(), StatusCode::FOUND, "a redirect with the code");
    let target = location(&r);
    assert!(
        target.starts_with(REDIRECT),
        "to the registered URI: {target}"
    );
    let pairs = query_of(&target);
    assert_eq!(param(&pairs, "state").as_deref(), Some(state));
    param(&pairs, "code").expect("a code")
}

async fn trade(app: &TestApp, form: &[(&str, &str)]) -> Response {
    app.http
        .post(format!("{}/identity/connect/token", app.url))
        .form(form)
        .send()
        .await
        .expect("token request")
}

pub(crate) async fn trade_code(
    app: &TestApp,
    client: &str,
    code: &str,
    verifier: &str,
) -> Response {
    trade(
        app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code_verifier", verifier),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await
}

pub(crate) async fn assert_invalid_grant(r: Response) {
    let body = json_with_status(r, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["error"], "invalid_grant", "{body}");
    assert!(body.get("access_token").is_none(), "{body}");
}

/// A JWT's claims, read without checking its signature.
fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

#[tokio::test]
async fn discovery_offers_the_authorization_code_flow_with_s256_only() {
    let app = spawn_app().await;
    let r = app
        .http
        .get(format!(
            "{}/identity/.well-known/openid-configuration",
            app.url
        ))
        .send()
        .await
        .unwrap();
    let body = json_with_status(r, StatusCode::OK).await;
    assert_eq!(
        body["authorization_endpoint"],
        format!("{}/identity/connect/authorize", app.url)
    );
    assert_eq!(body["code_challenge_methods_supported"], json!(["S256"]));
    let listed = |key: &str, value: &str| {
        body[key]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == value))
    };
    assert!(listed("response_types_supported", "code"), "{body}");
    assert!(
        listed("grant_types_supported", "authorization_code"),
        "{body}"
    );
    assert!(
        listed("grant_types_supported", "client_credentials"),
        "{body}"
    );
}

#[tokio::test]
async fn an_unknown_client_or_an_unregistered_redirect_uri_gets_a_page_never_a_redirect() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let client = register(&app, &contoso).await;
    let b = signed_in(&app, &contoso, &contoso.admin_email).await;
    for path in [
        authorize_path(&client, "https://evil.example/cb", &[("state", "s")]),
        authorize_path(&client, "http://localhost:5004/callback.html/x", &[]),
        authorize_path(&client, "HTTP://LOCALHOST:5004/callback.html", &[]),
        authorize_path(&uuid::Uuid::now_v7().to_string(), REDIRECT, &[]),
        authorize_path("not-a-guid", REDIRECT, &[]),
        // A client-credentials client is not an application to sign in to.
        authorize_path(&contoso.client_id.to_string(), REDIRECT, &[]),
        "/identity/connect/authorize".to_string(),
    ] {
        // Signed in or not, nothing is sent anywhere.
        for browser in [&b, &Browser::new(&app)] {
            let r = browser.get(&path).await;
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
            assert!(r.headers().get("location").is_none(), "{path}");
            let page = r.text().await.unwrap();
            assert!(page.contains("not valid"), "{path}: {page}");
            assert!(!page.contains("code="), "{path}");
        }
    }
}

#[tokio::test]
async fn faults_after_the_redirect_uri_is_known_go_back_to_the_application_with_its_state() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let client = register(&app, &contoso).await;
    let b = signed_in(&app, &contoso, &contoso.admin_email).await;
    let plain = authorize_path(&client, REDIRECT, &[("state", "s1")])
        .replace("code_challenge_method=S256", "code_challenge_method=plain");
    let token = authorize_path(&client, REDIRECT, &[("state", "s1")])
        .replace("response_type=code", "response_type=token");
    let no_challenge = authorize_path(&client, REDIRECT, &[("state", "s1")]).replace(
        &format!("code_challenge={CHALLENGE}"),
        "code_challenge=short",
    );
    for (path, error) in [
        (plain, "invalid_request"),
        (token, "unsupported_response_type"),
        (no_challenge, "invalid_request"),
    ] {
        let r = b.get(&path).await;
        assert_eq!(r.status(), StatusCode::FOUND, "{path}");
        let pairs = query_of(&location(&r));
        assert_eq!(param(&pairs, "error").as_deref(), Some(error), "{path}");
        assert_eq!(param(&pairs, "state").as_deref(), Some("s1"));
        assert_eq!(param(&pairs, "code"), None);
    }
}

#[tokio::test]
async fn the_whole_flow_from_no_session_to_an_access_token_with_the_persons_rights() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let client = register(&app, &contoso).await;
    let member = app
        .user(contoso.id, "ann@contoso.example", &[Role::TenantMember])
        .await;
    let b = Browser::new(&app);
    let start = authorize_path(&client, REDIRECT, &[("state", "xyz"), ("nonce", "n-0S6")]);

    // No session: to the login page, which comes back here.
    let r = b.get(&start).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to_login = location(&r);
    assert!(to_login.starts_with("/login?next="), "{to_login}");
    let next = param(&query_of(&format!("{}{to_login}", app.url)), "next").unwrap();
    assert_eq!(next, start, "next points back at the request");
    let r = b
        .sign_in(&contoso.name, "ann@contoso.example", PASSWORD, &next)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), start);

    // Signed in: the code goes to the registered URI with the state.
    let r = b.get(&start).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let target = location(&r);
    assert!(target.starts_with(&format!("{REDIRECT}?")), "{target}");
    let pairs = query_of(&target);
    assert_eq!(param(&pairs, "state").as_deref(), Some("xyz"));
    let code = param(&pairs, "code").expect("code");

    let r = trade_code(&app, &client, &code, VERIFIER).await;
    assert_eq!(
        r.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    let tokens = json_with_status(r, StatusCode::OK).await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let id_token = claims(tokens["id_token"].as_str().expect("id_token"));
    assert_eq!(id_token["nonce"], "n-0S6");
    assert_eq!(id_token["sub"], member.to_string());
    assert_eq!(id_token["aud"], client);
    assert_eq!(id_token["iss"], format!("{}/identity", app.url));
    let access = tokens["access_token"].as_str().expect("access_token");
    assert_eq!(claims(access)["sub"], member.to_string());

    // The person's rights: a Tenant Member reads the tenant but may not
    // administer it, nor read another tenant.
    let fabrikam = app.tenant("Fabrikam").await;
    let tenant = format!("/api/v1/Tenants/{}", contoso.id);
    assert_eq!(app.get(&tenant, access).await.status(), StatusCode::OK);
    assert_eq!(
        app.get(&format!("{tenant}/Users"), access).await.status(),
        StatusCode::OK
    );
    let rename = json!({"CompanyName": "Taken Over"});
    assert_eq!(
        app.put_json(&tenant, access, &rename).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&clients_path(contoso.id), access).await.status(),
        StatusCode::FORBIDDEN
    );
    let foreign = format!("/api/v1/Tenants/{}", fabrikam.id);
    assert_eq!(
        app.get(&foreign, access).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn an_administrators_token_administers_and_follows_the_roles_held_now() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let client = register(&app, &contoso).await;
    let b = signed_in(&app, &contoso, &contoso.admin_email).await;
    let code = code_for(&b, &client, "s").await;
    let tokens = json_with_status(
        trade_code(&app, &client, &code, VERIFIER).await,
        StatusCode::OK,
    )
    .await;
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        app.get(&clients_path(contoso.id), access).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_wrong_verifier_a_reused_code_or_another_redirect_uri_is_an_invalid_grant() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let client = register(&app, &contoso).await;
    let b = signed_in(&app, &contoso, &contoso.admin_email).await;

    let code = code_for(&b, &client, "a").await;
    let wrong = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK";
    assert_invalid_grant(trade_code(&app, &client, &code, wrong).await).await;
    // The failed try spent the code.
    assert_invalid_grant(trade_code(&app, &client, &code, VERIFIER).await).await;

    let code = code_for(&b, &client, "b").await;
    let first = trade_code(&app, &client, &code, VERIFIER).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_invalid_grant(trade_code(&app, &client, &code, VERIFIER).await).await;

    let code = code_for(&b, &client, "c").await;
    let elsewhere = trade(
        &app,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client),
            ("code_verifier", VERIFIER),
            ("code", &code),
            ("redirect_uri", "https://app.example/cb"),
        ],
    )
    .await;
    assert_invalid_grant(elsewhere).await;

    // A client that is not one, and a request missing a part.
    let code = code_for(&b, &client, "d").await;
    let other = uuid::Uuid::now_v7().to_string();
    let r = trade_code(&app, &other, &code, VERIFIER).await;
    let body = json_with_status(r, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["error"], "invalid_client");
    let r = trade(
        &app,
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    let body = json_with_status(r, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["error"], "invalid_request");
    // Neither spent the code: the right client still trades it.
    let r = trade_code(&app, &client, &code, VERIFIER).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = trade(&app, &[("grant_type", "password")]).await;
    let body = json_with_status(r, StatusCode::BAD_REQUEST).await;
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn a_code_is_worth_nothing_after_a_minute() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let client = register(&app, &contoso).await;
    let b = signed_in(&app, &contoso, &contoso.admin_email).await;
    let code = code_for(&b, &client, "late").await;
    app.clock.advance(chrono::Duration::seconds(61));
    assert_invalid_grant(trade_code(&app, &client, &code, VERIFIER).await).await;
}

#[tokio::test]
async fn a_disabled_client_gets_no_code_and_no_token() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let client = register(&app, &contoso).await;
    let b = signed_in(&app, &contoso, &contoso.admin_email).await;
    let code = code_for(&b, &client, "s").await;
    let one = format!("{}/{client}", clients_path(contoso.id));
    let r = app
        .put_json(&one, &contoso.token, &json!({"Enabled": false}))
        .await;
    assert_eq!(json_with_status(r, StatusCode::OK).await["Enabled"], false);
    let r = trade_code(&app, &client, &code, VERIFIER).await;
    assert_eq!(
        json_with_status(r, StatusCode::BAD_REQUEST).await["error"],
        "invalid_client"
    );
    let r = b.get(&authorize_path(&client, REDIRECT, &[])).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get("location").is_none());
}

#[tokio::test]
async fn a_session_of_another_tenant_gets_a_page_that_says_so() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let client = register(&app, &contoso).await;
    let b = signed_in(&app, &fabrikam, &fabrikam.admin_email).await;
    let r = b
        .get(&authorize_path(&client, REDIRECT, &[("state", "s")]))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.headers().get("location").is_none());
    let page = r.text().await.unwrap();
    assert!(page.contains("another tenant"), "{page}");
}

#[tokio::test]
async fn from_the_login_form_the_browser_is_sent_on_by_a_page_of_this_site() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let client = register(&app, &contoso).await;
    let b = signed_in(&app, &contoso, &contoso.admin_email).await;
    let r = b
        .http
        .get(b.url(&authorize_path(&client, REDIRECT, &[("state", "s")])))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("http-equiv=\"refresh\""), "{page}");
    assert!(page.contains("Continue to Notebook"), "{page}");
    assert!(page.contains("code="), "{page}");
}

#[tokio::test]
async fn only_a_tenant_administrator_manages_clients_and_every_field_is_checked() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let (_, member) = app.client(contoso.id, &[Role::TenantMember]).await;
    let path = clients_path(contoso.id);
    let good = json!({"Name": "Notebook", "RedirectUris": [REDIRECT]});

    for token in [&member, &fabrikam.token] {
        assert_eq!(app.get(&path, token).await.status(), StatusCode::FORBIDDEN);
        let r = app.post_json(&path, token, &good).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let made = json_with_status(
        app.post_json(&path, &contoso.token, &good).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(made["Name"], "Notebook");
    assert_eq!(made["Enabled"], true);
    assert_eq!(made["RedirectUris"], json!([REDIRECT]));
    let one = format!("{path}/{}", made["ClientId"].as_str().unwrap());
    assert_eq!(app.get(&one, &member).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.delete(&one, &member).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = app
        .put_json(&one, &fabrikam.token, &json!({"Name": "x"}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let eleven: Vec<String> = (0..11)
        .map(|i| format!("https://app.example/{i}"))
        .collect();
    for (body, field) in [
        (json!({"RedirectUris": [REDIRECT]}), "Name"),
        (json!({"Name": "x"}), "RedirectUris"),
        (json!({"Name": "x", "RedirectUris": []}), "RedirectUris"),
        (
            json!({"Name": "x", "RedirectUris": ["http://app.example/cb"]}),
            "RedirectUris",
        ),
        (
            json!({"Name": "x", "RedirectUris": ["/cb"]}),
            "RedirectUris",
        ),
        (json!({"Name": "x", "RedirectUris": eleven}), "RedirectUris"),
        (json!({"Name": "", "RedirectUris": [REDIRECT]}), "Name"),
        (
            json!({"Name": "x".repeat(101), "RedirectUris": [REDIRECT]}),
            "Name",
        ),
        (
            json!({"Name": "x", "RedirectUris": [REDIRECT], "AllowedCorsOrigins": ["https://a.example/path"]}),
            "AllowedCorsOrigins",
        ),
        (
            json!({"Name": "x", "RedirectUris": [REDIRECT], "PostLogoutRedirectUris": ["ftp://a.example/"]}),
            "PostLogoutRedirectUris",
        ),
        (
            json!({"Name": "x", "RedirectUris": [REDIRECT], "AllowOfflineAccess": true}),
            "AllowOfflineAccess",
        ),
    ] {
        let r = app.post_json(&path, &contoso.token, &body).await;
        assert_error(r, StatusCode::BAD_REQUEST, field).await;
    }
    let r = app
        .put_json(
            &one,
            &contoso.token,
            &json!({"RedirectUris": ["http://evil.example/"]}),
        )
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "RedirectUris").await;

    let listed = json_with_status(app.get(&path, &contoso.token).await, StatusCode::OK).await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "nothing half-written: {listed}"
    );
    let r = app
        .put_json(
            &one,
            &contoso.token,
            &json!({"Name": "Dashboard", "RedirectUris": ["https://app.example/cb"]}),
        )
        .await;
    let changed = json_with_status(r, StatusCode::OK).await;
    assert_eq!(changed["Name"], "Dashboard");
    assert_eq!(changed["RedirectUris"], json!(["https://app.example/cb"]));
    assert_eq!(
        app.delete(&one, &contoso.token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&one, &contoso.token).await.status(),
        StatusCode::NOT_FOUND
    );
    let foreign = format!("{}/{}", clients_path(fabrikam.id), uuid::Uuid::now_v7());
    assert_eq!(
        app.get(&foreign, &contoso.token).await.status(),
        StatusCode::FORBIDDEN
    );
}
