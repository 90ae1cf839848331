//! The portal's Webhooks pages, driven over HTTP as a browser would: a
//! Tenant Administrator registers an endpoint there and sees its signing
//! secret once, finds it listed, disables, enables and deletes it (after a
//! confirmation); a real change reaches a loopback receiver and shows in
//! the endpoint's delivery log, and Redeliver sends it again with the same
//! `webhook-id`. A bad URL comes back on the form as a 400 naming it, and
//! a Tenant Member gets neither page nor link.

use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use crate::webhook_receiver::WebhookReceiver;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use std::time::Duration;

/// The text of the element with this id (`<code id="...">text</code>`).
fn code(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no element {id} in {html}"))
        .to_string()
}

/// Registers an endpoint on the page; returns (its id, its secret).
async fn create(b: &Browser, csrf: &str, url: &str, events: &[&str]) -> (String, String) {
    let mut form = vec![("csrf", csrf), ("url", url), ("description", "Our ERP")];
    form.extend(events.iter().map(|e| ("event", *e)));
    let r = b.post("/tenant/webhooks", &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let shown = r.text().await.unwrap();
    let secret = code(&shown, "webhook-secret");
    assert!(secret.starts_with("whsec_"), "{shown}");
    (code(&shown, "webhook-id"), secret)
}

async fn signed_in_page(app: &TestApp, tenant: &TestTenant) -> (Browser, String) {
    let b = Browser::new(app);
    b.login(tenant, "/tenant/webhooks").await;
    let page = b.get("/tenant/webhooks").await;
    assert_eq!(page.status(), StatusCode::OK);
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    (b, csrf)
}

#[tokio::test]
async fn an_administrator_registers_a_webhook_on_the_page_and_sees_its_secret_once() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let (b, csrf) = signed_in_page(&app, &contoso).await;
    let settings = b.get("/tenant").await.text().await.unwrap();
    assert!(
        settings.contains("href=\"/tenant/webhooks\""),
        "no Webhooks link on the tenant settings"
    );

    // A refused URL comes back on the form, naming it, with what was typed.
    let r = b
        .post(
            "/tenant/webhooks",
            &[
                ("csrf", &csrf),
                ("url", "ftp://erp.example/hooks"),
                ("event", "Invitation.Created"),
                ("description", "kept"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let text = r.text().await.unwrap();
    assert!(text.contains("The URL "), "{text}");
    assert!(text.contains("aria-invalid=\"true\""), "{text}");
    assert!(text.contains("value=\"kept\""), "{text}");
    assert!(
        text.contains("value=\"Invitation.Created\" checked"),
        "{text}"
    );
    // No event ticked: refused naming the events.
    let r = b
        .post(
            "/tenant/webhooks",
            &[("csrf", &csrf), ("url", "http://127.0.0.1:9/in")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("The events must name"));
    let listed = app
        .get(
            &format!("/api/v1/Tenants/{}/Webhooks", contoso.id),
            &contoso.token,
        )
        .await;
    let listed = json_with_status(listed, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 0, "a refusal wrote one");

    let (id, secret) = create(
        &b,
        &csrf,
        "http://127.0.0.1:9/hooks/in",
        &["Invitation.Created", "Membership.Removed"],
    )
    .await;
    let list = b.get("/tenant/webhooks").await.text().await.unwrap();
    assert!(list.contains(&id), "{list}");
    // Tera escapes the slashes of what it shows.
    assert!(
        list.contains("http:&#x2F;&#x2F;127.0.0.1:9&#x2F;hooks&#x2F;in"),
        "{list}"
    );
    assert!(list.contains("Invitation.Created, Membership.Removed"));
    assert!(list.contains("Our ERP") && list.contains("Enabled"));
    assert!(!list.contains(&secret), "the secret is shown twice");
    let one = app
        .get(
            &format!("/api/v1/Tenants/{}/Webhooks/{id}", contoso.id),
            &contoso.token,
        )
        .await;
    let one = json_with_status(one, StatusCode::OK).await;
    assert_eq!(one["Url"], "http://127.0.0.1:9/hooks/in");
    assert!(!one.to_string().contains(&secret));

    // Disabled, then enabled again.
    let r = b
        .post(
            &format!("/tenant/webhooks/{id}/disable"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/tenant/webhooks");
    let list = b.get("/tenant/webhooks").await.text().await.unwrap();
    assert!(
        list.contains("Disabled: disabled by an administrator"),
        "{list}"
    );
    assert!(list.contains(&format!("/tenant/webhooks/{id}/enable")));
    let r = b
        .post(&format!("/tenant/webhooks/{id}/enable"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let list = b.get("/tenant/webhooks").await.text().await.unwrap();
    assert!(!list.contains("Disabled:"), "{list}");

    // Deleted after a confirmation.
    let delete = format!("/tenant/webhooks/{id}/delete");
    let asked = b.post(&delete, &[("csrf", &csrf)]).await;
    assert_eq!(asked.status(), StatusCode::OK);
    let asked = asked.text().await.unwrap();
    assert!(asked.contains("Delete webhook?"), "{asked}");
    assert!(asked.contains("class=\"danger\""), "{asked}");
    assert!(b
        .get("/tenant/webhooks")
        .await
        .text()
        .await
        .unwrap()
        .contains(&id));
    let r = b
        .post(&delete, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let list = b.get("/tenant/webhooks").await.text().await.unwrap();
    assert!(!list.contains(&id), "{list}");
    assert!(list.contains("no webhooks yet"), "{list}");
    let gone = app
        .get(
            &format!("/api/v1/Tenants/{}/Webhooks/{id}", contoso.id),
            &contoso.token,
        )
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);

    // A forged form changes nothing.
    let r = b
        .post(
            "/tenant/webhooks",
            &[
                ("csrf", "forged"),
                ("url", "http://127.0.0.1:9/in"),
                ("event", "Invitation.Created"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// Waits (bounded) until the delivery log page shows `text`.
async fn log_showing(b: &Browser, path: &str, text: &str) -> String {
    for _ in 0..400 {
        let page = b.get(path).await.text().await.unwrap();
        if page.contains(text) {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the delivery log never showed {text}");
}

#[tokio::test]
async fn a_real_change_shows_in_the_delivery_log_and_redeliver_sends_it_again() {
    let app = spawn_app().await;
    let receiver = WebhookReceiver::start().await;
    let contoso = app.tenant("Contoso").await;
    let (b, csrf) = signed_in_page(&app, &contoso).await;
    let (id, _) = create(&b, &csrf, &receiver.url(), &["Invitation.Created"]).await;
    let log_path = format!("/tenant/webhooks/{id}");
    let empty = b.get(&log_path).await;
    assert_eq!(empty.status(), StatusCode::OK);
    assert!(empty
        .text()
        .await
        .unwrap()
        .contains("Nothing has been sent"));

    let community = app.community(&contoso, "Plant data").await;
    app.invite_id(&contoso, &community, "partner@fabrikam.example")
        .await;
    let first = receiver.wait_for(1).await;
    let webhook_id = first[0].header("webhook-id").to_string();
    assert!(!webhook_id.is_empty());
    let page = log_showing(&b, &log_path, "Delivered").await;
    assert!(page.contains("Invitation.Created"), "{page}");
    assert!(page.contains(&webhook_id), "{page}");
    assert!(
        page.contains("<td data-label=\"Last response\">204"),
        "{page}"
    );
    let redeliver = format!("/tenant/webhooks/{id}/deliveries/{webhook_id}/redeliver");
    assert!(page.contains(&redeliver), "{page}");

    let r = b.post(&redeliver, &[("csrf", &csrf)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), log_path);
    let both = receiver.wait_for(2).await;
    assert_eq!(both[1].header("webhook-id"), webhook_id);
    assert_eq!(both[1].body, both[0].body);
    // The same delivery, sent again with a fresh set of tries: one row.
    let page = log_showing(&b, &log_path, "Delivered").await;
    assert_eq!(page.matches("id=\"delivery-").count(), 1, "{page}");

    // A delivery id the endpoint does not have: not found.
    let r = b
        .post(
            &format!(
                "/tenant/webhooks/{id}/deliveries/{}/redeliver",
                uuid::Uuid::new_v4()
            ),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = b.get(&format!("{log_path}?before=not-a-guid")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_tenant_member_gets_neither_the_webhooks_pages_nor_their_link() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let (admin, admin_csrf) = signed_in_page(&app, &contoso).await;
    let (id, _) = create(
        &admin,
        &admin_csrf,
        "http://127.0.0.1:9/member-test",
        &["Invitation.Created"],
    )
    .await;
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
    let settings = b.get("/tenant").await.text().await.unwrap();
    assert!(
        !settings.contains("href=\"/tenant/webhooks\""),
        "a member sees the Webhooks link"
    );
    let csrf = hidden(&settings, "csrf");
    let r = b.get("/tenant/webhooks").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!r.text().await.unwrap().contains("member-test"));
    assert_eq!(
        b.get(&format!("/tenant/webhooks/{id}")).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = b
        .post(
            "/tenant/webhooks",
            &[
                ("csrf", &csrf),
                ("url", "http://127.0.0.1:9/sneaky"),
                ("event", "Invitation.Created"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    for action in ["delete", "disable"] {
        let r = b
            .post(
                &format!("/tenant/webhooks/{id}/{action}"),
                &[("csrf", &csrf), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{action}");
    }
    let list = admin.get("/tenant/webhooks").await.text().await.unwrap();
    assert!(list.contains(&id) && !list.contains("Disabled:"), "{list}");
    assert!(!list.contains("sneaky"), "{list}");
}
