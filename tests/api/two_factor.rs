//! A tenant's sign-in policy and two-factor sign-in (TOTP), driven over
//! HTTP as a browser would: enrolling from the account page, the second
//! step after a right password (a right code, a wrong one, a code used
//! twice, a recovery code used twice), enrolling at sign-in when the
//! tenant requires codes, turning codes off and an administrator's reset,
//! the Sign-in settings page's rights, passwords turned off, and the
//! operator's `tenant sign-in` command. Codes are computed from the secret
//! the page shows, at the server's own clock.

use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use communityd::auth::totp;
use communityd::domain::role::Role;
use communityd::domain::sign_in_policy::SignInPolicy;
use communityd::store::{sign_in_policies, two_factor};
use reqwest::{Response, StatusCode};

const MEMBER: &str = "member@contoso.example";
const PASSWORD: &str = "correct horse battery";

/// The text between `start` and the next `end` in `html`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let rest = html
        .split_once(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"))
        .1;
    rest.split_once(end).map_or(rest, |(inside, _)| inside)
}

/// The code of the step `offset` steps from now at the server's clock
/// (the step an enrolment used is spent, so the next one signs in).
fn code(app: &TestApp, secret: &str, offset: i64) -> String {
    let secret = totp::from_base32(secret).expect("base32");
    let step = totp::step_at(app.clock.now().timestamp()) + offset;
    totp::format_code(totp::code_at_step(&secret, step))
}

fn recovery_codes(page: &str) -> Vec<String> {
    page.split("<code data-recovery-code>")
        .skip(1)
        .map(|c| c.split('<').next().unwrap().to_string())
        .collect()
}

/// Enrols the signed-in browser's user; the secret and recovery codes.
async fn enrol(app: &TestApp, b: &Browser) -> (String, Vec<String>) {
    let page = b.get("/account/two-factor").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    let secret = between(&page, "<code data-totp-secret>", "<").to_string();
    let csrf = hidden(&page, "csrf");
    let now = code(app, &secret, 0);
    let done = b
        .post(
            "/account/two-factor",
            &[("csrf", &csrf), ("secret", &secret), ("code", &now)],
        )
        .await;
    assert_eq!(done.status(), StatusCode::OK);
    let codes = recovery_codes(&done.text().await.unwrap());
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// A browser signed in with the password alone.
async fn signed_in(app: &TestApp, t: &TestTenant, email: &str) -> Browser {
    let b = Browser::new(app);
    let done = b.sign_in(&t.name, email, PASSWORD, "/communities").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER, "password alone");
    b
}

/// Both password steps; the page of the second step (200), and the
/// browser, not signed in yet.
async fn password_step(
    app: &TestApp,
    t: &TestTenant,
    email: &str,
    next: &str,
) -> (Browser, String) {
    let b = Browser::new(app);
    let r = b.sign_in(&t.name, email, PASSWORD, next).await;
    assert_eq!(r.status(), StatusCode::OK, "a second step is asked");
    let page = r.text().await.unwrap();
    assert!(!has_session(&b).await, "no session before the code");
    (b, page)
}

async fn has_session(b: &Browser) -> bool {
    b.get("/communities").await.status() == StatusCode::OK
}

async fn send_code(b: &Browser, page: &str, typed: &str) -> Response {
    b.post(
        "/login/code",
        &[
            ("login_csrf", &hidden(page, "login_csrf")),
            ("pending", &hidden(page, "pending")),
            ("code", typed),
        ],
    )
    .await
}

async fn send_enrolment(b: &Browser, page: &str, secret: &str, typed: &str) -> Response {
    b.post(
        "/login/enrol",
        &[
            ("login_csrf", &hidden(page, "login_csrf")),
            ("pending", &hidden(page, "pending")),
            ("secret", secret),
            ("code", typed),
        ],
    )
    .await
}

async fn assert_refused(r: Response, status: StatusCode, needle: &str) -> String {
    assert_eq!(r.status(), status);
    let page = r.text().await.unwrap();
    assert!(page.contains(needle), "{needle}: {page}");
    page
}

async fn contoso_with_member(app: &TestApp) -> TestTenant {
    let t = app.tenant("Contoso").await;
    app.user(t.id, MEMBER, &[Role::TenantMember]).await;
    t
}

async fn policy(app: &TestApp, t: &TestTenant) -> SignInPolicy {
    let id = t.id;
    app.ctx
        .store
        .read(move |tx| sign_in_policies::of_tenant(tx, id))
        .await
        .unwrap()
}

async fn enrolled(app: &TestApp, t: &TestTenant) -> Vec<communityd::domain::two_factor::TwoFactor> {
    let id = t.id;
    app.ctx
        .store
        .read(move |tx| two_factor::of_tenant(tx, id))
        .await
        .unwrap()
}

#[tokio::test]
async fn enrolment_shows_the_secret_and_its_uri_and_recovery_codes_once() {
    let app = spawn_app().await;
    let t = contoso_with_member(&app).await;
    let b = signed_in(&app, &t, MEMBER).await;
    let account = b.get("/account").await.text().await.unwrap();
    assert!(
        account.contains("href=\"/account/two-factor\""),
        "{account}"
    );
    let page = b.get("/account/two-factor").await.text().await.unwrap();
    let secret = between(&page, "<code data-totp-secret>", "<").to_string();
    assert_eq!(totp::from_base32(&secret).unwrap().len(), 20);
    let uri = between(&page, "data-totp-uri>", "<")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&");
    assert_eq!(
        uri,
        format!("otpauth://totp/communityd:Contoso%2Fmember%40contoso%2Eexample?secret={secret}&issuer=communityd&algorithm=SHA1&digits=6&period=30")
    );

    // A wrong code enrols nothing, and the same secret is offered again.
    let csrf = hidden(&page, "csrf");
    let wrong = b
        .post(
            "/account/two-factor",
            &[("csrf", &csrf), ("secret", &secret), ("code", "000000x")],
        )
        .await;
    let again = assert_refused(
        wrong,
        StatusCode::BAD_REQUEST,
        "The code must be the six digits",
    )
    .await;
    assert!(again.contains(&secret), "{again}");
    assert!(enrolled(&app, &t).await.is_empty());

    let (_, codes) = enrol(&app, &b).await;
    let stored = enrolled(&app, &t).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].recovery.len(), 10);
    for c in &codes {
        assert!(
            !stored[0]
                .recovery
                .iter()
                .any(|h| h.as_slice() == c.as_bytes()),
            "codes are kept as hashes only"
        );
    }
    let page = b.get("/account/two-factor").await.text().await.unwrap();
    assert!(
        page.contains("Two-factor sign-in is on")
            && page.contains("<strong data-recovery-left>10</strong>"),
        "{page}"
    );
    assert!(!page.contains(&codes[0]), "codes are shown only once");
}

#[tokio::test]
async fn a_right_code_signs_in_to_next_and_a_wrong_one_does_not() {
    let app = spawn_app().await;
    let t = contoso_with_member(&app).await;
    let (secret, _) = enrol(&app, &signed_in(&app, &t, MEMBER).await).await;

    let (b, page) = password_step(&app, &t, MEMBER, "/tenant/users").await;
    assert!(page.contains("Enter your code"), "{page}");
    let wrong = send_code(&b, &page, "123456").await;
    let wrong = assert_refused(wrong, StatusCode::UNAUTHORIZED, "The code is not right").await;
    assert!(!has_session(&b).await);
    // Not the first step's page: without the pending sign-in, nothing.
    let forged = b
        .post(
            "/login/code",
            &[
                ("login_csrf", &hidden(&page, "login_csrf")),
                ("pending", "not.a.token"),
                ("code", &code(&app, &secret, 1)),
            ],
        )
        .await;
    assert_refused(forged, StatusCode::UNAUTHORIZED, "Sign in again").await;

    let right = send_code(&b, &wrong, &code(&app, &secret, 1)).await;
    assert_eq!(right.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&right), "/tenant/users", "next is kept");
    assert!(has_session(&b).await);
}

#[tokio::test]
async fn a_code_used_once_is_refused_the_second_time() {
    let app = spawn_app().await;
    let t = contoso_with_member(&app).await;
    let (secret, _) = enrol(&app, &signed_in(&app, &t, MEMBER).await).await;
    // The code the enrolment used is spent already.
    let (b, page) = password_step(&app, &t, MEMBER, "/communities").await;
    let spent = send_code(&b, &page, &code(&app, &secret, 0)).await;
    assert_refused(spent, StatusCode::UNAUTHORIZED, "already used").await;

    let next = code(&app, &secret, 1);
    let (first, page) = password_step(&app, &t, MEMBER, "/communities").await;
    assert_eq!(
        send_code(&first, &page, &next).await.status(),
        StatusCode::SEE_OTHER
    );
    let (second, page) = password_step(&app, &t, MEMBER, "/communities").await;
    let replayed = send_code(&second, &page, &next).await;
    assert_refused(replayed, StatusCode::UNAUTHORIZED, "already used").await;
    assert!(!has_session(&second).await);

    // The next step's code, once it comes, works.
    app.clock.advance(chrono::Duration::seconds(30));
    let later = send_code(&second, &page, &code(&app, &secret, 1)).await;
    assert_eq!(later.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    let app = spawn_app().await;
    let t = contoso_with_member(&app).await;
    let (_, codes) = enrol(&app, &signed_in(&app, &t, MEMBER).await).await;
    let (b, page) = password_step(&app, &t, MEMBER, "/communities").await;
    let used = send_code(&b, &page, &codes[4].to_uppercase()).await;
    assert_eq!(used.status(), StatusCode::SEE_OTHER);
    assert!(has_session(&b).await);
    let (again, page) = password_step(&app, &t, MEMBER, "/communities").await;
    let twice = send_code(&again, &page, &codes[4]).await;
    assert_refused(twice, StatusCode::UNAUTHORIZED, "The code is not right").await;
    let left = b.get("/account/two-factor").await.text().await.unwrap();
    assert!(
        left.contains("<strong data-recovery-left>9</strong>"),
        "{left}"
    );
}

#[tokio::test]
async fn wrong_codes_count_against_the_sign_in_throttle() {
    let app = spawn_app_with(|s| s.auth_attempts_per_minute = 3).await;
    let t = contoso_with_member(&app).await;
    let (secret, _) = enrol(&app, &signed_in(&app, &t, MEMBER).await).await;
    let (b, page) = password_step(&app, &t, MEMBER, "/communities").await;
    let mut last = StatusCode::OK;
    for _ in 0..6 {
        last = send_code(&b, &page, "111111").await.status();
        if last == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_eq!(last, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        last,
        StatusCode::TOO_MANY_REQUESTS,
        "wrong codes are throttled"
    );
    // Even the right code waits now; nothing signed in.
    let right = send_code(&b, &page, &code(&app, &secret, 1)).await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(right.headers().contains_key("retry-after"));
    assert!(!has_session(&b).await);
}

#[tokio::test]
async fn turning_codes_off_takes_a_current_code_and_an_administrator_resets_them() {
    let app = spawn_app().await;
    let t = contoso_with_member(&app).await;
    let member = signed_in(&app, &t, MEMBER).await;
    let (secret, _) = enrol(&app, &member).await;
    let page = member
        .get("/account/two-factor")
        .await
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let wrong = member
        .post(
            "/account/two-factor/off",
            &[("csrf", &csrf), ("code", "222222")],
        )
        .await;
    assert_refused(wrong, StatusCode::BAD_REQUEST, "The code is not right").await;
    let off = member
        .post(
            "/account/two-factor/off",
            &[("csrf", &csrf), ("code", &code(&app, &secret, 1))],
        )
        .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    signed_in(&app, &t, MEMBER).await;

    // Enrolled again; the administrator resets it from the Users page.
    app.clock.advance(chrono::Duration::seconds(60));
    enrol(&app, &member).await;
    password_step(&app, &t, MEMBER, "/communities").await;
    let admin = Browser::new(&app);
    admin.login(&t, "/tenant/users").await;
    let users = admin.get("/tenant/users").await.text().await.unwrap();
    let row = between(&users, &format!("data-user=\"{MEMBER}\""), "</tr>");
    assert!(row.contains("Two-factor"), "{row}");
    let id = between(row, "action=\"/tenant/users/", "/");
    let action = format!("/tenant/users/{id}/two-factor/reset");
    assert!(row.contains(&format!("action=\"{action}\"")), "{row}");
    let csrf = hidden(&users, "csrf");
    let asked = admin.post(&action, &[("csrf", &csrf)]).await;
    assert_eq!(asked.status(), StatusCode::OK, "asks first");
    let reset = admin
        .post(&action, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    signed_in(&app, &t, MEMBER).await;

    // A Tenant Member may not reset anyone's.
    enrol(&app, &member).await;
    let page = member.get("/communities").await.text().await.unwrap();
    let refused = member
        .post(
            &action,
            &[("csrf", &hidden(&page, "csrf")), ("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    password_step(&app, &t, MEMBER, "/communities").await;
}

#[tokio::test]
async fn the_sign_in_page_is_the_administrators_to_change() {
    let app = spawn_app().await;
    let t = contoso_with_member(&app).await;
    let admin = Browser::new(&app);
    admin.login(&t, "/tenant").await;
    let settings = admin.get("/tenant").await.text().await.unwrap();
    assert!(settings.contains("href=\"/tenant/sign-in\""), "{settings}");
    let page = admin.get("/tenant/sign-in").await.text().await.unwrap();
    assert!(
        page.contains("Allow password sign-in")
            && page.contains("Require a one-time code (TOTP) with passwords"),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");

    // A Tenant Member reads it and is refused a change.
    let member = signed_in(&app, &t, MEMBER).await;
    let shown = member.get("/tenant/sign-in").await;
    assert_eq!(shown.status(), StatusCode::OK);
    let shown = shown.text().await.unwrap();
    assert!(
        shown.contains("<dd data-policy=\"totp\">Not required</dd>")
            && !shown.contains("name=\"totp_required\""),
        "{shown}"
    );
    let refused = member
        .post(
            "/tenant/sign-in",
            &[
                ("csrf", &hidden(&shown, "csrf")),
                ("passwords", "on"),
                ("totp_required", "on"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(policy(&app, &t).await, SignInPolicy::default());

    // Passwords cannot be turned off while there is no other way in.
    let off = admin.post("/tenant/sign-in", &[("csrf", &csrf)]).await;
    assert_refused(off, StatusCode::CONFLICT, "Add an identity provider first").await;
    assert_eq!(policy(&app, &t).await, SignInPolicy::default());

    let saved = admin
        .post(
            "/tenant/sign-in",
            &[
                ("csrf", &csrf),
                ("passwords", "on"),
                ("totp_required", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), "/tenant/sign-in");
    let required = SignInPolicy {
        passwords: true,
        totp_required: true,
    };
    assert_eq!(policy(&app, &t).await, required);
    let page = admin.get("/tenant/sign-in").await.text().await.unwrap();
    assert!(page.contains("Sign-in settings saved"), "{page}");
    assert!(
        between(&page, "name=\"totp_required\"", ">").contains("checked"),
        "{page}"
    );
}

#[tokio::test]
async fn a_tenant_that_requires_codes_has_its_users_enrol_at_sign_in() {
    let app = spawn_app().await;
    let t = contoso_with_member(&app).await;
    let id = t.id;
    tokio::task::spawn_blocking({
        let store = app.ctx.store.clone();
        move || communityd::app::sign_in_policy::set_by_operator(&store, id, None, Some(true))
    })
    .await
    .unwrap()
    .unwrap();
    let (b, page) = password_step(&app, &t, MEMBER, "/tenant/users").await;
    assert!(page.contains("Set up an authenticator app"), "{page}");
    let secret = between(&page, "<code data-totp-secret>", "<").to_string();
    let wrong = send_enrolment(&b, &page, &secret, "000000").await;
    let again = assert_refused(
        wrong,
        StatusCode::BAD_REQUEST,
        "is not the one your app shows",
    )
    .await;
    assert!(again.contains(&secret), "the same secret is offered again");
    assert!(!has_session(&b).await);

    let done = send_enrolment(&b, &page, &secret, &code(&app, &secret, 0)).await;
    assert_eq!(done.status(), StatusCode::OK);
    let done = done.text().await.unwrap();
    assert_eq!(recovery_codes(&done).len(), 10);
    assert!(done.contains("href=\"&#x2F;tenant&#x2F;users\""), "{done}");
    assert!(has_session(&b).await);
    // From now on the code is asked for.
    let (_, page) = password_step(&app, &t, MEMBER, "/communities").await;
    assert!(page.contains("Enter your code"), "{page}");
}

#[tokio::test]
async fn passwords_off_refuses_password_sign_in_with_a_clear_message() {
    let app = spawn_app().await;
    let t = contoso_with_member(&app).await;
    let id = t.id;
    tokio::task::spawn_blocking({
        let store = app.ctx.store.clone();
        move || communityd::app::sign_in_policy::set_by_operator(&store, id, Some(false), None)
    })
    .await
    .unwrap()
    .unwrap();
    let b = Browser::new(&app);
    // The page offers no password form any more...
    let (csrf, step2) = b.tenant_step(&t.name, "/communities").await;
    assert!(step2.contains("data-passwords=\"off\""), "{step2}");
    assert!(!step2.contains("type=\"password\""), "{step2}");
    // ...and a password posted all the same is refused.
    let tenant_id = t.id.to_string();
    for password in [PASSWORD, "not the password"] {
        let r = b
            .post(
                "/login",
                &[
                    ("login_csrf", csrf.as_str()),
                    ("tenant_id", &tenant_id),
                    ("email", MEMBER),
                    ("password", password),
                    ("next", "/communities"),
                ],
            )
            .await;
        assert_refused(
            r,
            StatusCode::FORBIDDEN,
            "does not allow signing in with a password",
        )
        .await;
    }
    assert!(!has_session(&b).await);
    // Clients' tokens are not passwords: they still work.
    assert_eq!(
        app.token_response(&t.client_id.to_string(), &t.client_secret)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_operator_sets_the_sign_in_policy_from_the_command_line() {
    let app = spawn_app().await;
    let t = contoso_with_member(&app).await;
    let dir = app.data_dir();
    let run = |args: Vec<String>| {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            communityd(&dir)
                .arg("--data-dir")
                .arg(&dir)
                .args(&args)
                .env("RUST_LOG", "warn")
                .output()
                .expect("runs")
        })
    };
    let args = |rest: &[&str]| -> Vec<String> {
        ["tenant", "sign-in", "--tenant", "Contoso"]
            .iter()
            .chain(rest)
            .map(|s| s.to_string())
            .collect()
    };
    let out = run(args(&["--passwords", "off", "--totp", "on"]))
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(printed["tenant_id"], t.id.to_string());
    assert_eq!(
        (
            printed["passwords"].clone(),
            printed["totp_required"].clone()
        ),
        (false.into(), true.into())
    );
    assert_eq!(
        policy(&app, &t).await,
        SignInPolicy {
            passwords: false,
            totp_required: true
        }
    );
    // Only what is given changes; the way back in needs no provider.
    let out = run(args(&["--passwords", "on"])).await.unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        policy(&app, &t).await,
        SignInPolicy {
            passwords: true,
            totp_required: true
        }
    );
    let bad = run(args(&["--passwords", "maybe"])).await.unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("neither on nor off"),
        "{bad:?}"
    );
    let unknown = run(vec![
        "tenant".into(),
        "sign-in".into(),
        "--tenant".into(),
        "Nobody".into(),
        "--totp".into(),
        "off".into(),
    ])
    .await
    .unwrap();
    assert!(!unknown.status.success());
}

#[tokio::test]
async fn a_half_done_sign_in_dies_with_a_password_change() {
    let app = spawn_app().await;
    let t = contoso_with_member(&app).await;
    let (secret, _) = enrol(&app, &signed_in(&app, &t, MEMBER).await).await;
    let (b, page) = password_step(&app, &t, MEMBER, "/communities").await;
    let id = t.id;
    tokio::task::spawn_blocking({
        let store = app.ctx.store.clone();
        move || {
            communityd::app::admin::reset_password(&store, id, MEMBER, Some("another horse".into()))
        }
    })
    .await
    .unwrap()
    .unwrap();
    let late = send_code(&b, &page, &code(&app, &secret, 1)).await;
    assert_refused(late, StatusCode::UNAUTHORIZED, "Sign in again").await;
    assert!(!has_session(&b).await);
}
