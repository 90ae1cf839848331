//! The portal's Clients page, driven over HTTP as a browser would: a
//! Tenant Administrator creates a client there and the secret shown once
//! gets a token; adds a second secret, revokes the first and deletes the
//! client, each after a confirmation; an expired secret is marked. A
//! Tenant Member gets neither the page nor the link to it.

use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::json;

/// The text of the element with this id (`<code id="...">text</code>`).
fn code(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no element {id} in {html}"))
        .to_string()
}

async fn token_ok(app: &TestApp, id: &str, secret: &str) -> bool {
    app.token_response(id, secret).await.status() == StatusCode::OK
}

#[tokio::test]
async fn an_administrator_makes_a_client_on_the_page_and_its_secret_gets_a_token() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let b = Browser::new(&app);
    b.login(&contoso, "/clients").await;
    let page = b.get("/clients").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("href=\"/clients\""),
        "no Clients link in the nav"
    );
    assert!(
        page.contains("admin client"),
        "the fixture's client is listed"
    );
    let csrf = hidden(&page, "csrf");

    // A refused form comes back with the reason and what was typed.
    let r = b
        .post(
            "/clients",
            &[
                ("csrf", &csrf),
                ("name", " "),
                ("member", "on"),
                ("secret_description", "kept"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let text = r.text().await.unwrap();
    assert!(text.contains("The name must not be empty"), "{text}");
    assert!(text.contains("value=\"kept\""), "{text}");

    let r = b
        .post(
            "/clients",
            &[
                ("csrf", &csrf),
                ("name", "portal script"),
                ("member", "on"),
                ("secret_description", "laptop"),
                ("expires", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let shown = r.text().await.unwrap();
    let id = code(&shown, "client-id");
    let first = code(&shown, "client-secret");
    assert!(shown.contains("src=\"/static/clients.js\""), "{shown}");
    assert!(!shown.contains("<script>"), "an inline script: {shown}");
    assert!(
        token_ok(&app, &id, &first).await,
        "the secret shown gets no token"
    );
    let script = b.get("/static/clients.js").await;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.text().await.unwrap().contains("clipboard"));

    // The list shows the client, its roles and secret, never the secret.
    let list = b.get("/clients").await.text().await.unwrap();
    assert!(
        list.contains("portal script") && list.contains(&id),
        "{list}"
    );
    assert!(list.contains("laptop") && list.contains("Tenant Member"));
    assert!(!list.contains(&first), "the secret is shown twice");

    // A second secret, then the first revoked after a confirmation.
    let tomorrow = (app.clock.now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let r = b
        .post(
            &format!("/clients/{id}/secrets"),
            &[
                ("csrf", &csrf),
                ("description", "server"),
                ("expires", &tomorrow),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let second = code(&r.text().await.unwrap(), "client-secret");
    assert!(token_ok(&app, &id, &second).await);
    assert!(token_ok(&app, &id, &first).await);
    let revoke = format!("/clients/{id}/secrets/1/revoke");
    let asked = b.post(&revoke, &[("csrf", &csrf)]).await;
    assert_eq!(asked.status(), StatusCode::OK);
    assert!(asked.text().await.unwrap().contains("Revoke secret?"));
    assert!(
        token_ok(&app, &id, &first).await,
        "revoked before confirming"
    );
    let r = b
        .post(&revoke, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/clients");
    assert!(!token_ok(&app, &id, &first).await);
    assert!(token_ok(&app, &id, &second).await);

    // An expired secret is marked as such.
    let r = app
        .post_json(
            &format!("/api/v1/Tenants/{}/ClientCredentialClients/{id}/Secrets", contoso.id),
            &contoso.token,
            &json!({"Description": "short", "Expiration": (app.clock.now() + chrono::Duration::minutes(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let list = b.get("/clients").await.text().await.unwrap();
    assert!(!list.contains("Expired</span>"), "{list}");
    app.clock.advance(chrono::Duration::minutes(2));
    let list = b.get("/clients").await.text().await.unwrap();
    assert!(list.contains("Expired</span>"), "{list}");

    // Deleting the client, after a confirmation, stops its secrets.
    let delete = format!("/clients/{id}/delete");
    let asked = b.post(&delete, &[("csrf", &csrf)]).await;
    assert!(asked.text().await.unwrap().contains("Delete client?"));
    assert!(token_ok(&app, &id, &second).await);
    let r = b
        .post(&delete, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!token_ok(&app, &id, &second).await);
    let list = b.get("/clients").await.text().await.unwrap();
    assert!(!list.contains("portal script"), "{list}");
    // Without the form's token nothing is done.
    let r = b
        .post(
            "/clients",
            &[("csrf", "forged"), ("name", "x"), ("member", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_tenant_member_gets_neither_the_clients_page_nor_its_link() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    app.user(contoso.id, "member@contoso.example", &[Role::TenantMember])
        .await;
    let b = Browser::new(&app);
    let r = b
        .sign_in(
            "Contoso",
            "member@contoso.example",
            "correct horse battery",
            "/communities",
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = b.get("/communities").await.text().await.unwrap();
    assert!(
        !page.contains("href=\"/clients\""),
        "a member sees the Clients link"
    );
    let csrf = hidden(&page, "csrf");
    let r = b.get("/clients").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!r.text().await.unwrap().contains("admin client"));
    let r = b
        .post(
            "/clients",
            &[("csrf", &csrf), ("name", "sneaky"), ("member", "on")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let id = contoso.client_id.to_string();
    for path in [
        format!("/clients/{id}/delete"),
        format!("/clients/{id}/secrets/1/revoke"),
    ] {
        let r = b.post(&path, &[("csrf", &csrf), ("confirm", "yes")]).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert!(token_ok(&app, &id, &contoso.client_secret).await);
}
