//! A tenant's administrators manage its clients and their secrets through
//! the API: a client made there gets tokens with its secret, a second
//! secret works beside the first (rotation), a revoked, expired or
//! deleted one buys nothing, no secret is shown twice or logged, only a
//! Tenant Administrator writes, another tenant's client is not found, and
//! a client stored before clients had several secrets still gets tokens.

use crate::helpers::*;
use crate::process::{seed_tenant, Served};
use communityd::auth::password::hash_now;
use communityd::config::DatabaseUrlSetting;
use communityd::domain::ids::{ClientId, TenantId};
use communityd::domain::role::{Role, RoleSet};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};
use std::time::Duration;

fn clients_path(tenant: TenantId) -> String {
    format!("/api/v1/Tenants/{tenant}/ClientCredentialClients")
}

fn member_role(tenant: TenantId) -> String {
    Role::TenantMember.instance_id(tenant.0).to_string()
}

fn in_hours(hours: i64, app: &TestApp) -> String {
    (app.clock.now() + chrono::Duration::hours(hours)).to_rfc3339()
}

/// Creates a client through the API; returns (client id, secret, body).
async fn create_client(app: &TestApp, tenant: &TestTenant, body: Value) -> (String, String, Value) {
    let response = app
        .post_json(&clients_path(tenant.id), &tenant.token, &body)
        .await;
    let created = json_with_status(response, StatusCode::CREATED).await;
    let id = created["Client"]["Id"]
        .as_str()
        .expect("Client.Id")
        .to_string();
    let secret = created["ClientSecret"]
        .as_str()
        .expect("ClientSecret")
        .to_string();
    (id, secret, created)
}

/// The status and OAuth error of a token request.
async fn token_status(app: &TestApp, id: &str, secret: &str) -> (StatusCode, Value) {
    let response = app.token_response(id, secret).await;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn gets_token(app: &TestApp, id: &str, secret: &str) -> bool {
    let (status, body) = token_status(app, id, secret).await;
    if status == StatusCode::OK {
        assert!(body["access_token"].is_string(), "{body}");
        true
    } else {
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "invalid_client", "{body}");
        assert!(body.get("access_token").is_none());
        false
    }
}

#[tokio::test]
async fn a_client_made_through_the_api_gets_tokens_and_its_secrets_rotate() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let (id, first, created) = create_client(
        &app,
        &contoso,
        json!({
            "Name": "  ingest script ",
            "RoleIds": [member_role(contoso.id)],
            "Tags": ["ingest"],
            "SecretDescription": "first",
            "SecretExpirationDate": null,
        }),
    )
    .await;
    assert_eq!(created["Client"]["Name"], "ingest script");
    assert_eq!(created["Client"]["Enabled"], true);
    assert_eq!(created["Client"]["Tags"], json!(["ingest"]));
    assert_eq!(
        created["Client"]["RoleIds"],
        json!([member_role(contoso.id)])
    );
    assert_eq!(created["SecretId"], 1);

    // Its token works, with the roles given: a Tenant Member reads the
    // tenant and may not create clients.
    let token = app.token(ClientId::parse(&id).unwrap(), &first).await;
    let r = app
        .get(&format!("/api/v1/Tenants/{}", contoso.id), &token)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post_json(
            &clients_path(contoso.id),
            &token,
            &json!({"Name": "x", "RoleIds": [member_role(contoso.id)]}),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "Tenant Administrator").await;

    // A second secret works while the first still does.
    let secrets = format!("{}/{id}/Secrets", clients_path(contoso.id));
    let r = app
        .post_json(
            &secrets,
            &contoso.token,
            &json!({"Description": "second", "Expiration": in_hours(24 * 30, &app)}),
        )
        .await;
    let added = json_with_status(r, StatusCode::CREATED).await;
    assert_eq!(added["Id"], 2);
    assert_eq!(added["Description"], "second");
    let second = added["Secret"].as_str().expect("Secret").to_string();
    assert_ne!(second, first);
    assert!(gets_token(&app, &id, &first).await);
    assert!(gets_token(&app, &id, &second).await);
    assert!(!gets_token(&app, &id, "a guess").await);

    // Lists and reads show each secret's properties, never a secret.
    let listed = app.get(&secrets, &contoso.token).await;
    assert_eq!(listed.headers()["total-count"], "2");
    let listed = json_with_status(listed, StatusCode::OK).await;
    let text = listed.to_string();
    assert!(!text.contains(&first) && !text.contains(&second), "{text}");
    assert!(!text.contains("argon2"), "a hash is shown: {text}");
    assert_eq!(listed[0]["Id"], 1);
    assert_eq!(listed[0]["Description"], "first");
    assert_eq!(listed[0]["Expiration"], Value::Null);
    assert!(listed[0]["Created"].is_string());
    assert_eq!(listed[1]["Description"], "second");
    assert!(listed[1]["Expiration"].is_string());
    for path in [
        format!("{}/{id}", clients_path(contoso.id)),
        clients_path(contoso.id),
        format!("{secrets}/2"),
    ] {
        let body = json_with_status(app.get(&path, &contoso.token).await, StatusCode::OK).await;
        let text = body.to_string();
        assert!(
            !text.contains(&first) && !text.contains(&second),
            "{path}: {text}"
        );
    }

    // Revoking the first stops it at once; the second still works.
    let r = app.delete(&format!("{secrets}/1"), &contoso.token).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(!gets_token(&app, &id, &first).await);
    assert!(gets_token(&app, &id, &second).await);
    let r = app.get(&format!("{secrets}/1"), &contoso.token).await;
    assert_error(r, StatusCode::NOT_FOUND, "secret 1").await;
    let left = json_with_status(app.get(&secrets, &contoso.token).await, StatusCode::OK).await;
    assert_eq!(left.as_array().unwrap().len(), 1);

    // A new secret gets a new id: a revoked one's is never reused.
    let r = app.post_json(&secrets, &contoso.token, &json!({})).await;
    assert_eq!(json_with_status(r, StatusCode::CREATED).await["Id"], 3);

    // Renaming, changing roles and disabling.
    let one = format!("{}/{id}", clients_path(contoso.id));
    let admin_role = Role::TenantAdministrator
        .instance_id(contoso.id.0)
        .to_string();
    let r = app
        .put_json(
            &one,
            &contoso.token,
            &json!({"Name": "renamed", "RoleIds": [admin_role], "Enabled": false}),
        )
        .await;
    let changed = json_with_status(r, StatusCode::OK).await;
    assert_eq!(changed["Name"], "renamed");
    assert_eq!(changed["Enabled"], false);
    assert_eq!(changed["RoleIds"], json!([admin_role]));
    assert!(
        !gets_token(&app, &id, &second).await,
        "a disabled client got a token"
    );
    let r = app
        .put_json(&one, &contoso.token, &json!({"Enabled": true}))
        .await;
    assert_eq!(json_with_status(r, StatusCode::OK).await["Name"], "renamed");
    assert!(gets_token(&app, &id, &second).await);

    // Deleting the client stops its secrets at once.
    assert_eq!(
        app.delete(&one, &contoso.token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(!gets_token(&app, &id, &second).await);
    assert_error(
        app.get(&one, &contoso.token).await,
        StatusCode::NOT_FOUND,
        "client",
    )
    .await;
    assert_error(
        app.delete(&one, &contoso.token).await,
        StatusCode::NOT_FOUND,
        "client",
    )
    .await;
}

#[tokio::test]
async fn an_expired_secret_is_refused_like_a_wrong_one() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let soon = (app.clock.now() + chrono::Duration::minutes(10)).to_rfc3339();
    let (id, secret, created) = create_client(
        &app,
        &contoso,
        json!({"Name": "short lived", "RoleIds": [member_role(contoso.id)], "SecretExpirationDate": soon}),
    )
    .await;
    assert!(created["ClientSecret"].is_string());
    assert!(gets_token(&app, &id, &secret).await);
    let secrets = format!("{}/{id}/Secrets", clients_path(contoso.id));
    let r = app
        .post_json(
            &secrets,
            &contoso.token,
            &json!({"Description": "later", "Expiration": in_hours(1, &app)}),
        )
        .await;
    let later = json_with_status(r, StatusCode::CREATED).await["Secret"]
        .as_str()
        .unwrap()
        .to_string();

    app.clock.advance(chrono::Duration::minutes(20));
    let expired = token_status(&app, &id, &secret).await;
    let wrong = token_status(&app, &id, "a wrong secret").await;
    assert_eq!(
        expired, wrong,
        "an expired secret answers unlike a wrong one"
    );
    assert_eq!(expired.0, StatusCode::BAD_REQUEST);
    assert!(gets_token(&app, &id, &later).await);
    let listed = json_with_status(app.get(&secrets, &contoso.token).await, StatusCode::OK).await;
    assert_eq!(listed[0]["Expired"], true);
    assert_eq!(listed[1]["Expired"], false);

    // Moving an expiry into the past is refused; clearing it brings the
    // secret back.
    let past = (app.clock.now() - chrono::Duration::minutes(1)).to_rfc3339();
    let r = app
        .put_json(
            &format!("{secrets}/1"),
            &contoso.token,
            &json!({"Expiration": past}),
        )
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "Expiration").await;
    let r = app
        .put_json(
            &format!("{secrets}/1"),
            &contoso.token,
            &json!({"Description": "renewed", "Expiration": null}),
        )
        .await;
    let renewed = json_with_status(r, StatusCode::OK).await;
    assert_eq!(renewed["Description"], "renewed");
    assert_eq!(renewed["Expiration"], Value::Null);
    assert!(gets_token(&app, &id, &secret).await);
}

#[tokio::test]
async fn only_a_tenant_administrator_writes_and_only_its_own_tenants_clients() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let (_, member) = app.client(contoso.id, &[Role::TenantMember]).await;
    let (id, _, _) = create_client(
        &app,
        &contoso,
        json!({"Name": "script", "RoleIds": [member_role(contoso.id)]}),
    )
    .await;
    let one = format!("{}/{id}", clients_path(contoso.id));
    let secrets = format!("{one}/Secrets");
    let writes: [(Method, String, Value); 6] = [
        (
            Method::POST,
            clients_path(contoso.id),
            json!({"Name": "x", "RoleIds": [member_role(contoso.id)]}),
        ),
        (Method::PUT, one.clone(), json!({"Name": "taken"})),
        (Method::DELETE, one.clone(), Value::Null),
        (Method::POST, secrets.clone(), json!({})),
        (
            Method::PUT,
            format!("{secrets}/1"),
            json!({"Description": "mine"}),
        ),
        (Method::DELETE, format!("{secrets}/1"), Value::Null),
    ];
    for (method, path, body) in &writes {
        let r = app
            .request(method.clone(), path, &member)
            .json(body)
            .send()
            .await
            .unwrap();
        assert_error(r, StatusCode::FORBIDDEN, "Tenant Administrator").await;
        // Another tenant's administrator, on this tenant's path.
        let r = app
            .request(method.clone(), path, &fabrikam.token)
            .json(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
    // A Tenant Member reads, as it reads the client itself.
    for path in [&one, &secrets, &format!("{secrets}/1")] {
        assert_eq!(
            app.get(path, &member).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    // Contoso's client under Fabrikam's own path: not found, whatever the call.
    let foreign = format!("{}/{id}", clients_path(fabrikam.id));
    for (method, path, body) in [
        (Method::GET, foreign.clone(), Value::Null),
        (Method::PUT, foreign.clone(), json!({"Name": "taken"})),
        (Method::DELETE, foreign.clone(), Value::Null),
        (Method::GET, format!("{foreign}/Secrets"), Value::Null),
        (Method::POST, format!("{foreign}/Secrets"), json!({})),
        (Method::GET, format!("{foreign}/Secrets/1"), Value::Null),
        (Method::PUT, format!("{foreign}/Secrets/1"), json!({})),
        (Method::DELETE, format!("{foreign}/Secrets/1"), Value::Null),
    ] {
        let r = app
            .request(method.clone(), &path, &fabrikam.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_error(r, StatusCode::NOT_FOUND, "client").await;
    }
    // Nothing was written: the client is as made, with its one secret.
    let body = json_with_status(app.get(&one, &contoso.token).await, StatusCode::OK).await;
    assert_eq!(body["Name"], "script");
    let listed = json_with_status(app.get(&secrets, &contoso.token).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["Description"], "");
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_field_and_secrets_are_bounded() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let role = member_role(contoso.id);
    let past = (app.clock.now() - chrono::Duration::hours(1)).to_rfc3339();
    let path = clients_path(contoso.id);
    for (body, field) in [
        (json!({"Name": " ", "RoleIds": [role]}), "Name"),
        (json!({"Name": "x".repeat(101), "RoleIds": [role]}), "Name"),
        (json!({"Name": "a", "RoleIds": ["not a guid"]}), "RoleIds"),
        (json!({"Name": "a", "RoleIds": []}), "RoleIds"),
        (
            json!({"Name": "a", "RoleIds": [member_role(fabrikam.id)]}),
            "RoleIds",
        ),
        (
            json!({"Name": "a", "RoleIds": [role], "SecretExpirationDate": past}),
            "SecretExpirationDate",
        ),
        (
            json!({"Name": "a", "RoleIds": [role], "SecretExpirationDate": "tomorrow"}),
            "SecretExpirationDate",
        ),
        (
            json!({"Name": "a", "RoleIds": [role], "SecretDescription": "d".repeat(256)}),
            "SecretDescription",
        ),
        (
            json!({"Name": "a", "RoleIds": [role], "Tags": [""]}),
            "Tags",
        ),
    ] {
        let r = app.post_json(&path, &contoso.token, &body).await;
        let error = assert_error(r, StatusCode::BAD_REQUEST, field).await;
        assert_eq!(error["Parameter"], field, "{body}");
    }
    let r = app
        .post_json(
            &path,
            &contoso.token,
            &json!({"Name": 5, "RoleIds": [role]}),
        )
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "Name").await;
    // Nothing was made by any of them.
    let listed = json_with_status(app.get(&path, &contoso.token).await, StatusCode::OK).await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "only the fixture's client"
    );

    let (id, _, _) =
        create_client(&app, &contoso, json!({"Name": "busy", "RoleIds": [role]})).await;
    let secrets = format!("{path}/{id}/Secrets");
    let r = app.get(&format!("{secrets}/first"), &contoso.token).await;
    assert_error(r, StatusCode::BAD_REQUEST, "secretId").await;
    let r = app
        .post_json(&secrets, &contoso.token, &json!({"Expiration": past}))
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "Expiration").await;
    let r = app
        .put_json(
            &format!("{path}/{id}"),
            &contoso.token,
            &json!({"RoleIds": ["{}"]}),
        )
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "RoleIds").await;
    for _ in 1..10 {
        let r = app.post_json(&secrets, &contoso.token, &json!({})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let r = app.post_json(&secrets, &contoso.token, &json!({})).await;
    assert_error(r, StatusCode::CONFLICT, "revoke one").await;
    let listed = json_with_status(app.get(&secrets, &contoso.token).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn no_secret_reaches_the_log() {
    let dir = tempfile::tempdir().expect("dir");
    let seeded = seed_tenant(dir.path(), "Contoso");
    let server = Served::start_with(dir.path(), &[("log_format", "text")], |c| {
        c.env("RUST_LOG", "debug");
    });
    let token = server.token(&seeded).await;
    let tenant = TenantId::parse(&seeded.tenant).unwrap();
    let created = server
        .create(
            &clients_path(tenant),
            &token,
            json!({"Name": "logged", "RoleIds": [member_role(tenant)], "SecretDescription": "first"}),
        )
        .await;
    let id = created["Client"]["Id"].as_str().unwrap().to_string();
    let first = created["ClientSecret"].as_str().unwrap().to_string();
    let added = server
        .create(
            &format!("{}/{id}/Secrets", clients_path(tenant)),
            &token,
            json!({}),
        )
        .await;
    let second = added["Secret"].as_str().unwrap().to_string();
    for secret in [&first, &second, &"a wrong one".to_string()] {
        server
            .http
            .post(format!("{}/identity/connect/token", server.url))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id.as_str()),
                ("client_secret", secret.as_str()),
            ])
            .send()
            .await
            .expect("token request");
    }
    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = server.log();
    assert!(
        log.contains("clientcredentialclients"),
        "the requests are logged: {log}"
    );
    for secret in [&first, &second, &seeded.client_secret] {
        assert!(
            !log.contains(secret.as_str()),
            "a secret is in the log:\n{log}"
        );
    }
}

/// A client as releases before several secrets stored it (layout 1).
#[derive(Serialize)]
struct ClientV1 {
    id: ClientId,
    tenant: TenantId,
    name: String,
    secret_hash: String,
    tenant_roles: RoleSet,
    created: chrono::DateTime<chrono::Utc>,
}

#[tokio::test]
async fn a_client_stored_before_several_secrets_still_gets_tokens() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let old = ClientV1 {
        id: ClientId::generate(),
        tenant: contoso.id,
        name: "from the last release".into(),
        secret_hash: hash_now("an old secret").unwrap(),
        tenant_roles: RoleSet::of(&[Role::TenantMember]),
        created: chrono::Utc::now(),
    };
    let mut bytes = vec![1u8];
    bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
    let settings = app.settings.clone();
    let dir = app.stop().await;
    if on_postgres() {
        let url = database_url_for(dir.path());
        let (db, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .expect("connects");
        tokio::spawn(connection);
        db.execute(
            "INSERT INTO clients (id, tenant, body) VALUES ($1, $2, $3)",
            &[&old.id.0, &old.tenant.0, &bytes],
        )
        .await
        .expect("old row written");
    } else {
        use communityd::store::tables::{CLIENTS, CLIENTS_BY_TENANT};
        let db = redb::Database::open(dir.path().join(communityd::store::FILE_NAME)).unwrap();
        let tx = db.begin_write().unwrap();
        {
            tx.open_table(CLIENTS)
                .unwrap()
                .insert(old.id.0, bytes.as_slice())
                .unwrap();
            tx.open_table(CLIENTS_BY_TENANT)
                .unwrap()
                .insert((old.tenant.0, old.id.0), ())
                .unwrap();
        }
        tx.commit().unwrap();
    }
    let data_dir = dir.path().to_path_buf();
    let app = spawn_app_with(move |s| {
        s.data_dir = data_dir;
        s.database_url = DatabaseUrlSetting(settings.database_url.0.clone());
    })
    .await;
    let id = old.id.to_string();
    assert!(gets_token(&app, &id, "an old secret").await);
    assert!(!gets_token(&app, &id, "another").await);
    let contoso_token = app.token(contoso.client_id, &contoso.client_secret).await;
    let secrets = format!("{}/{id}/Secrets", clients_path(contoso.id));
    let listed = json_with_status(app.get(&secrets, &contoso_token).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["Id"], 1);
    assert_eq!(listed[0]["Expiration"], Value::Null);
    // Its rotation works like any client's: add, then revoke the old one.
    let r = app
        .post_json(&secrets, &contoso_token, &json!({"Description": "new"}))
        .await;
    let added = json_with_status(r, StatusCode::CREATED).await;
    assert_eq!(added["Id"], 2);
    let new = added["Secret"].as_str().unwrap().to_string();
    assert!(gets_token(&app, &id, &new).await);
    assert_eq!(
        app.delete(&format!("{secrets}/1"), &contoso_token)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert!(!gets_token(&app, &id, "an old secret").await);
    assert!(gets_token(&app, &id, &new).await);
    drop(dir);
}
