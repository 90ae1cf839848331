//! Passwords people choose themselves, through the real server and the
//! real SMTP capture: changing one's own on the account page, and forgot
//! password (the email, its link, the new password, the link used once).

use crate::credentials::client_from;
use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use crate::smtp::SmtpCapture;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use std::time::Duration;

/// Signs in through both login steps with any email and password; the
/// status of the last step (303 signed in, 401 refused).
async fn sign_in(b: &Browser, tenant: &str, email: &str, password: &str) -> StatusCode {
    b.sign_in(tenant, email, password, "/communities")
        .await
        .status()
}

async fn signed_in_as(app: &TestApp, t: &TestTenant) -> Browser {
    let b = Browser::new(app);
    let status = sign_in(&b, &t.name, &t.admin_email, &t.admin_password).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signs in");
    b
}

/// Whether the browser's session still opens a portal page.
async fn still_signed_in(b: &Browser) -> bool {
    let r = b.get("/communities").await;
    match r.status() {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(location(&r).starts_with("/login"), "{}", location(&r));
            false
        }
        other => panic!("unexpected {other}"),
    }
}

async fn change(
    b: &Browser,
    csrf: &str,
    current: &str,
    new: &str,
    again: &str,
) -> (StatusCode, String) {
    let r = b
        .post(
            "/account/password",
            &[
                ("csrf", csrf),
                ("current_password", current),
                ("new_password", new),
                ("new_password_again", again),
            ],
        )
        .await;
    let status = r.status();
    let to = location(&r);
    let body = r.text().await.unwrap();
    (status, if to.is_empty() { body } else { to })
}

#[tokio::test]
async fn changing_your_password_checks_the_current_one_and_ends_your_other_sessions() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let here = signed_in_as(&app, &t).await;
    let elsewhere = signed_in_as(&app, &t).await;

    let nav = here.get("/communities").await.text().await.unwrap();
    assert!(nav.contains("<a href=\"/account\">Account</a>"), "{nav}");
    let page = here.get("/account").await.text().await.unwrap();
    assert!(page.contains("Change password") && page.contains(&t.admin_email));
    let csrf = hidden(&page, "csrf");
    let new = "a much better password";

    let (status, body) = change(&here, &csrf, "not the password", new, new).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("Current password is not right."), "{body}");
    assert!(
        body.contains("aria-invalid=\"true\" aria-describedby=\"password-error\""),
        "{body}"
    );

    let (status, body) = change(&here, &csrf, &t.admin_password, "short", "short").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("New password must be at least 8 characters."),
        "{body}"
    );

    let (status, body) = change(&here, &csrf, &t.admin_password, new, "something else").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("New password again does not match the new password."),
        "{body}"
    );

    // Nothing above changed anything: the old password still signs in.
    assert!(still_signed_in(&elsewhere).await);
    let probe = Browser::new(&app);
    let old = sign_in(&probe, &t.name, &t.admin_email, &t.admin_password).await;
    assert_eq!(old, StatusCode::SEE_OTHER);

    // Another form's token is refused before anything is checked.
    let (status, _) = change(&here, "not-the-token", &t.admin_password, new, new).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, to) = change(&here, &csrf, &t.admin_password, new, new).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
    assert_eq!(to, "/account");
    let done = here.get("/account").await.text().await.unwrap();
    assert!(
        done.contains("Password changed. Your other sessions are signed out."),
        "{done}"
    );

    assert!(still_signed_in(&here).await, "this session stays");
    assert!(
        !still_signed_in(&elsewhere).await,
        "the other session ended"
    );
    assert!(!still_signed_in(&probe).await, "every other session ended");
    let fresh = Browser::new(&app);
    let old = sign_in(&fresh, &t.name, &t.admin_email, &t.admin_password).await;
    assert_eq!(old, StatusCode::UNAUTHORIZED, "the old password is refused");
    let now = sign_in(&fresh, &t.name, &t.admin_email, new).await;
    assert_eq!(now, StatusCode::SEE_OTHER, "the new one signs in");
    // The page keeps working after the change (same session, same token).
    let (status, _) = change(&here, &csrf, new, "and another one", "and another one").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

/// Asks for a link from the forgot-password page; the response.
async fn forgot(b: &Browser, email: &str) -> reqwest::Response {
    let page = b.get("/login/forgot").await.text().await.unwrap();
    let csrf = hidden(&page, "login_csrf");
    b.post("/login/forgot", &[("login_csrf", &csrf), ("email", email)])
        .await
}

async fn set_password(b: &Browser, link: &str, new: &str, again: &str) -> reqwest::Response {
    let page = b.get(link).await;
    assert_eq!(page.status(), StatusCode::OK, "the link's page opens");
    let page = page.text().await.unwrap();
    let csrf = hidden(&page, "password_csrf");
    let token = hidden(&page, "token");
    b.post(
        "/password",
        &[
            ("password_csrf", &csrf),
            ("token", &token),
            ("new_password", new),
            ("new_password_again", again),
        ],
    )
    .await
}

async fn app_with_mail(
    change: impl FnOnce(&mut communityd::config::Settings),
) -> (SmtpCapture, TestApp) {
    let smtp = SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| {
        s.smtp_url = url;
        change(s);
    })
    .await;
    (smtp, app)
}

#[tokio::test]
async fn forgot_password_emails_a_link_that_sets_a_new_password_once() {
    let (smtp, app) = app_with_mail(|_| {}).await;
    let t = app.tenant("Contoso").await;
    let signed_in = signed_in_as(&app, &t).await;

    let b = Browser::new(&app);
    let sign_in_page = b.get("/login").await.text().await.unwrap();
    assert!(sign_in_page.contains("<a href=\"/login/forgot\">Forgot password?</a>"));
    let asked = forgot(&b, &t.admin_email.to_uppercase()).await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&asked), "/login/forgot?sent=1");
    let sent = b.get("/login/forgot?sent=1").await.text().await.unwrap();
    assert!(sent.contains("If an account uses that email address, an email with a link to set a new password is on its way. The link works once, for 30 minutes."), "{sent}");

    let email = smtp.wait_for(1).await.remove(0);
    assert_eq!(email.envelope_to, vec![t.admin_email.clone()]);
    assert_eq!(email.subject, "Set a new password");
    assert!(
        email.text.contains("Tenant Contoso, set a new password:"),
        "{}",
        email.text
    );
    assert!(email.html.contains("SET A NEW PASSWORD"));
    let link = email.link("/password/").expect("a set-password link");
    assert!(email.text.contains(&link), "both parts carry the link");

    // Opening the link changes nothing, and its page sends no referrer.
    let opened = b.get(&link).await;
    assert_eq!(opened.headers()["referrer-policy"], "no-referrer");
    let opened = opened.text().await.unwrap();
    assert!(opened.contains(&t.admin_email) && opened.contains("Contoso"));
    assert!(still_signed_in(&signed_in).await);

    let weak = set_password(&b, &link, "short", "short").await;
    assert_eq!(weak.status(), StatusCode::BAD_REQUEST);
    let weak = weak.text().await.unwrap();
    assert!(
        weak.contains("New password must be at least 8 characters."),
        "{weak}"
    );
    let differ = set_password(&b, &link, "a fine new password", "a fine new pass").await;
    assert_eq!(differ.status(), StatusCode::BAD_REQUEST);

    let new = "a fine new password";
    let done = set_password(&b, &link, new, new).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/login");
    let login = b.get("/login").await.text().await.unwrap();
    assert!(login.contains("Password set."), "{login}");

    assert!(!still_signed_in(&signed_in).await, "every session ended");
    let fresh = Browser::new(&app);
    let old = sign_in(&fresh, &t.name, &t.admin_email, &t.admin_password).await;
    assert_eq!(old, StatusCode::UNAUTHORIZED);
    assert_eq!(
        sign_in(&fresh, &t.name, &t.admin_email, new).await,
        StatusCode::SEE_OTHER
    );

    // Used once: the link now shows the generic page, and posting it again
    // (with a form opened before it was used) changes nothing.
    let again = b.get(&link).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let again = again.text().await.unwrap();
    assert!(
        again.contains("This link to set a password is invalid, has expired or was already used."),
        "{again}"
    );
    // A form posted without its page's token goes back to the link's page.
    let token = link.rsplit('/').next().unwrap();
    let forged = Browser::new(&app)
        .post(
            "/password",
            &[
                ("token", token),
                ("new_password", "yet another one"),
                ("new_password_again", "yet another one"),
            ],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&forged), format!("/password/{token}"));
    assert_eq!(
        sign_in(&Browser::new(&app), &t.name, &t.admin_email, new).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(smtp.count(), 1);
}

#[tokio::test]
async fn a_second_use_of_a_link_loses_even_with_the_form_already_open() {
    let (smtp, app) = app_with_mail(|_| {}).await;
    let t = app.tenant("Contoso").await;
    let first = Browser::new(&app);
    assert_eq!(
        forgot(&first, &t.admin_email).await.status(),
        StatusCode::SEE_OTHER
    );
    let link = smtp.wait_for(1).await[0].link("/password/").unwrap();
    // Two tabs open the form; the first one used wins.
    let second = Browser::new(&app);
    let form = second.get(&link).await.text().await.unwrap();
    let csrf = hidden(&form, "password_csrf");
    let token = hidden(&form, "token");
    assert_eq!(
        set_password(&first, &link, "first new password", "first new password")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let late = second
        .post(
            "/password",
            &[
                ("password_csrf", &csrf),
                ("token", &token),
                ("new_password", "second new password"),
                ("new_password_again", "second new password"),
            ],
        )
        .await;
    assert_eq!(late.status(), StatusCode::NOT_FOUND);
    assert!(late.text().await.unwrap().contains("was already used"));
    let b = Browser::new(&app);
    assert_eq!(
        sign_in(&b, &t.name, &t.admin_email, "first new password").await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_expired_link_or_one_of_a_deactivated_tenant_shows_the_generic_page() {
    let (smtp, app) = app_with_mail(|_| {}).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let b = Browser::new(&app);
    forgot(&b, &contoso.admin_email).await;
    forgot(&b, &fabrikam.admin_email).await;
    let emails = smtp.wait_for(2).await;
    let link_of = |to: &str| {
        emails
            .iter()
            .find(|e| e.envelope_to == vec![to.to_string()])
            .and_then(|e| e.link("/password/"))
            .unwrap()
    };
    let (contoso_link, fabrikam_link) = (
        link_of(&contoso.admin_email),
        link_of(&fabrikam.admin_email),
    );
    assert_eq!(b.get(&fabrikam_link).await.status(), StatusCode::OK);
    let store = app.ctx.store.clone();
    let id = fabrikam.id;
    tokio::task::spawn_blocking(move || {
        communityd::app::admin::set_tenant_state(
            &store,
            id,
            communityd::domain::tenant::TenantState::Deactivated,
            chrono::Utc::now(),
        )
        .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(b.get(&fabrikam_link).await.status(), StatusCode::NOT_FOUND);

    assert_eq!(b.get(&contoso_link).await.status(), StatusCode::OK);
    app.clock.advance(chrono::Duration::minutes(31));
    let expired = b.get(&contoso_link).await;
    assert_eq!(expired.status(), StatusCode::NOT_FOUND);
    assert!(expired
        .text()
        .await
        .unwrap()
        .contains("has expired or was already used"));
}

#[tokio::test]
async fn an_unknown_address_gets_the_same_answer_and_no_email() {
    let (smtp, app) = app_with_mail(|_| {}).await;
    let t = app.tenant("Contoso").await;
    let b = Browser::new(&app);
    let unknown = forgot(&b, "nobody@nowhere.example").await;
    let (status, to) = (unknown.status(), location(&unknown));
    let body = unknown.text().await.unwrap();
    let known = forgot(&b, &t.admin_email).await;
    assert_eq!(
        (status, to.as_str()),
        (known.status(), location(&known).as_str())
    );
    assert_eq!(body, known.text().await.unwrap());

    // The known address's email arrives; the unknown one's never does.
    let emails = smtp.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.count(), 1);
    assert_eq!(emails[0].envelope_to, vec![t.admin_email.clone()]);

    // Not an address at all: the form again, naming the field.
    let bad = forgot(&b, "not an address").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad = bad.text().await.unwrap();
    assert!(
        bad.contains("Email address is not an email address."),
        "{bad}"
    );
    assert!(
        bad.contains("value=\"not an address\""),
        "keeps what was typed"
    );
    // Without the page's token: back to the form, nothing queued.
    let forged = Browser::new(&app)
        .post("/login/forgot", &[("email", t.admin_email.as_str())])
        .await;
    assert_eq!(forged.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&forged), "/login/forgot");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.count(), 1);
}

#[tokio::test]
async fn an_address_with_accounts_in_two_tenants_gets_one_email_with_a_link_for_each() {
    let (smtp, app) = app_with_mail(|_| {}).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let shared = contoso.admin_email.clone();
    app.user(fabrikam.id, &shared, &[Role::TenantMember]).await;
    let b = Browser::new(&app);
    forgot(&b, &shared).await;
    let email = smtp.wait_for(1).await.remove(0);
    assert_eq!(email.subject, "Set a new password (2 accounts)");
    let c = email
        .text
        .find("Tenant Contoso, set a new password:")
        .expect("Contoso's link");
    let f = email
        .text
        .find("Tenant Fabrikam, set a new password:")
        .expect("Fabrikam's link");
    assert!(c < f, "in the order of the tenants' names");
    let fabrikam_link = email.text[f..].lines().nth(1).unwrap().to_string();
    let new = "only for fabrikam";
    assert_eq!(
        set_password(&b, &fabrikam_link, new, new).await.status(),
        StatusCode::SEE_OTHER
    );
    let probe = Browser::new(&app);
    assert_eq!(
        sign_in(&probe, "Fabrikam", &shared, new).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_in(&probe, "Contoso", &shared, new).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&probe, "Contoso", &shared, &contoso.admin_password).await,
        StatusCode::SEE_OTHER
    );
    // Contoso's link still works: it is another user's generation.
    let contoso_link = email.link("/password/").unwrap();
    assert_eq!(b.get(&contoso_link).await.status(), StatusCode::OK);
}

/// Asks from a client address named by the trusted proxy (127.0.0.9).
async fn forgot_from(app: &TestApp, client: &str, email: &str) -> reqwest::Response {
    let http = client_from(9);
    let page = http
        .get(format!("{}/login/forgot", app.url))
        .header("x-forwarded-for", client)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "login_csrf");
    http.post(format!("{}/login/forgot", app.url))
        .header("x-forwarded-for", client)
        .form(&[("login_csrf", csrf.as_str()), ("email", email)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn forgot_password_is_throttled_per_address_and_per_source() {
    let (smtp, app) = app_with_mail(|s| {
        s.password_resets_per_address_per_hour = 2;
        s.password_resets_per_source_per_hour = 3;
        s.trusted_proxies = vec!["127.0.0.9".into()];
    })
    .await;
    let t = app.tenant("Contoso").await;
    // One address from two sources: its own allowance runs out.
    assert_eq!(
        forgot_from(&app, "203.0.113.1", &t.admin_email)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        forgot_from(&app, "203.0.113.2", &t.admin_email)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let refused = forgot_from(&app, "203.0.113.3", &t.admin_email).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(wait > 60, "an hour's allowance drains slowly: {wait}");
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("Too many requests for a new password; try again later."),
        "{page}"
    );
    // One source over many addresses (known or not): its own runs out.
    for n in 0..3 {
        let r = forgot_from(&app, "203.0.113.4", &format!("someone{n}@nowhere.example")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let refused = forgot_from(&app, "203.0.113.4", "someone9@nowhere.example").await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another source and address are still served.
    assert_eq!(
        forgot_from(&app, "203.0.113.5", "other@nowhere.example")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    // Only the two requests that were let through for the account sent mail.
    smtp.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.count(), 2);
}

/// The real binary, logging at debug level: after a forgot-password email,
/// its link used, and a change on the account page, no log line holds the
/// link's token or any password.
#[tokio::test]
async fn no_link_or_password_reaches_the_log() {
    let smtp = SmtpCapture::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let seeded = crate::process::seed_tenant(dir.path(), "Contoso");
    let settings = [("smtp_url", smtp.url()), ("log_format", "text".to_string())];
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = crate::process::Served::start_with(dir.path(), &settings, |c| {
        c.env("RUST_LOG", "debug");
    });
    let b = Browser {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: server.url.clone(),
    };
    let (email, old) = ("admin@contoso.example", "correct horse battery");
    assert_eq!(forgot(&b, email).await.status(), StatusCode::SEE_OTHER);
    let link = smtp.wait_for(1).await[0].link("/password/").unwrap();
    let token = link.rsplit('/').next().unwrap().to_string();
    let (set, changed) = ("set through the link", "changed on the account page");
    assert_eq!(
        set_password(&b, &link, set, set).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_in(&b, "Contoso", email, old).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&b, "Contoso", email, set).await,
        StatusCode::SEE_OTHER
    );
    let page = b.get("/account").await.text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    let (status, _) = change(&b, &csrf, "a wrong guess at it", changed, changed).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = change(&b, &csrf, set, changed, changed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(b.get(&link).await.status(), StatusCode::NOT_FOUND);
    drop(seeded);
    // The log goes out through a buffer: wait for the email's line.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !server.log().contains("email sent") {
        assert!(std::time::Instant::now() < deadline, "{}", server.log());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = server.log();
    assert!(
        log.contains("/password/{token}"),
        "the route is logged by its pattern: {log}"
    );
    for secret in [token.as_str(), old, set, changed, "a wrong guess at it"] {
        assert!(!log.contains(secret), "{secret:?} is in the log:\n{log}");
    }
}
