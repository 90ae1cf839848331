//! The portal behind the email links, driven over HTTP with a cookie jar:
//! what a person sees for good, bad and stale links, and that answering
//! takes a CSRF-checked POST, never a GET.

use crate::handshake::invitation_record;
use crate::helpers::*;
use crate::smtp::SmtpCapture;
use communityd::domain::invitation::InvitationState;
use reqwest::{Response, StatusCode};

/// A person's browser: its own cookies, no automatic redirects.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no hidden field {name} in page: {html}"))
        .to_string()
}

pub fn location(r: &Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: app.url.clone(),
        }
    }

    pub fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_string()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Tenant name first, then email and password; returns where it redirects.
    pub async fn login(&self, tenant: &TestTenant, next: &str) -> String {
        let done = self
            .sign_in(
                &tenant.name,
                &tenant.admin_email,
                &tenant.admin_password,
                next,
            )
            .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER, "login succeeds");
        location(&done)
    }

    /// The login page's first step, `tenant` chosen: the double-submit
    /// token and the second step's page.
    pub async fn tenant_step(&self, tenant: &str, next: &str) -> (String, String) {
        let q: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
        let page = self
            .get(&format!("/login?next={q}"))
            .await
            .text()
            .await
            .unwrap();
        let csrf = hidden(&page, "login_csrf");
        let step2 = self
            .post(
                "/login",
                &[("login_csrf", &csrf), ("next", next), ("tenant", tenant)],
            )
            .await;
        assert_eq!(step2.status(), StatusCode::OK);
        (csrf, step2.text().await.unwrap())
    }

    /// Both sign-in steps with any email and password; the last step's
    /// answer (303 signed in, 401 refused).
    pub async fn sign_in(&self, tenant: &str, email: &str, password: &str, next: &str) -> Response {
        let (csrf, step2) = self.tenant_step(tenant, next).await;
        let tenant_id = hidden(&step2, "tenant_id");
        self.post(
            "/login",
            &[
                ("login_csrf", &csrf),
                ("next", next),
                ("tenant_id", &tenant_id),
                ("email", email),
                ("password", password),
            ],
        )
        .await
    }
}

struct Invited {
    smtp: SmtpCapture,
    app: TestApp,
    contoso: TestTenant,
    fabrikam: TestTenant,
    community: String,
    id: String,
    link: String,
}

async fn invited() -> Invited {
    let smtp = SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| s.smtp_url = url).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let id = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;
    let link = smtp.wait_for(1).await[0].link("/invitations/").unwrap();
    Invited {
        smtp,
        app,
        contoso,
        fabrikam,
        community,
        id,
        link,
    }
}

#[tokio::test]
async fn an_invite_link_asks_for_login_then_offers_join_and_a_get_changes_nothing() {
    let t = invited().await;
    let browser = Browser::new(&t.app);
    let anonymous = browser.get(&t.link).await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers()["referrer-policy"], "no-referrer");
    let to_login = location(&anonymous);
    assert!(
        to_login.starts_with("/login?next=%2Finvitations%2F"),
        "{to_login}"
    );

    let back = browser
        .login(&t.fabrikam, &t.link.replace(&t.app.url, ""))
        .await;
    assert!(
        back.starts_with("/invitations/"),
        "login returns to the invitation: {back}"
    );
    for _ in 0..2 {
        let page = browser.get(&back).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Fabrikam") && html.contains("Plant data") && html.contains("Contoso")
        );
        assert!(html.contains(">Join<") && html.contains(">Decline<"));
        assert!(
            !html.contains(back.trim_start_matches("/invitations/")),
            "the token is not echoed"
        );
    }
    assert_eq!(
        invitation_record(&t.app, &t.id).await.state,
        InvitationState::InvitationCreated
    );
}

#[tokio::test]
async fn joining_takes_a_post_with_the_csrf_token() {
    let t = invited().await;
    let browser = Browser::new(&t.app);
    browser.login(&t.fabrikam, "/communities").await;
    let html = browser.get(&t.link).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf");

    let forged = browser
        .post(
            "/invitations/answer",
            &[("csrf", "wrong"), ("invitation", &t.id), ("answer", "join")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        invitation_record(&t.app, &t.id).await.state,
        InvitationState::InvitationCreated
    );

    let joined = browser
        .post(
            "/invitations/answer",
            &[("csrf", &csrf), ("invitation", &t.id), ("answer", "join")],
        )
        .await;
    // Redirect after the POST, so a refresh reloads the list instead of
    // answering twice.
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&joined), "/communities");
    let list = browser.get("/communities").await.text().await.unwrap();
    assert!(
        list.contains("Plant data</strong>: Awaiting confirmation by Contoso"),
        "the pending membership is listed: {list}"
    );
    assert!(list.contains("You joined."), "{list}");
    assert!(!list.contains("not in any community"), "{list}");
    let stored = invitation_record(&t.app, &t.id).await;
    assert_eq!(stored.state, InvitationState::InvitationAccepted);
    assert_eq!(
        stored.accepted_user_email.map(|e| e.to_string()),
        Some(t.fabrikam.admin_email.clone())
    );
    t.smtp
        .wait_for_email(&t.contoso.admin_email, "awaits confirmation")
        .await;
}

#[tokio::test]
async fn bad_links_get_one_generic_page_in_public_and_the_reason_when_signed_in() {
    let t = invited().await;
    let mut tampered = t.link.clone();
    tampered.insert(tampered.len() - 4, 'x');
    let anonymous = Browser::new(&t.app);
    let generic = anonymous.get(&tampered).await;
    assert_eq!(generic.status(), StatusCode::NOT_FOUND);
    let generic_text = generic.text().await.unwrap();
    assert!(generic_text.contains("invalid or has expired"));

    // Resend: the first link is superseded, the new one works.
    json_with_status(
        t.app.act(&t.contoso.token, &t.id, "Resend").await,
        StatusCode::ACCEPTED,
    )
    .await;
    let second = t.smtp.wait_for(2).await[1].link("/invitations/").unwrap();
    let old_public = anonymous.get(&t.link).await;
    assert_eq!(old_public.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        old_public.text().await.unwrap(),
        generic_text,
        "the public sees no reason"
    );

    let signed_in = Browser::new(&t.app);
    signed_in.login(&t.fabrikam, "/communities").await;
    let superseded = signed_in.get(&t.link).await;
    assert_eq!(superseded.status(), StatusCode::GONE);
    assert!(superseded.text().await.unwrap().contains("newer link"));
    assert_eq!(signed_in.get(&second).await.status(), StatusCode::OK);
    let altered = signed_in.get(&tampered).await.text().await.unwrap();
    assert!(
        altered.contains("invalid or has expired"),
        "an altered link names no invitation"
    );
    // Someone of an unrelated tenant learns no reason either.
    let northwind = t.app.tenant("Northwind").await;
    let outsider = Browser::new(&t.app);
    outsider.login(&northwind, "/communities").await;
    let told = outsider.get(&t.link).await;
    assert_eq!(told.status(), StatusCode::NOT_FOUND);
    assert!(told
        .text()
        .await
        .unwrap()
        .contains("invalid or has expired"));

    // Withdrawn: the current link dies too.
    let path = format!("{}/{}", invitations_path(t.contoso.id, &t.community), t.id);
    assert_eq!(
        t.app.delete(&path, &t.contoso.token).await.status(),
        StatusCode::NO_CONTENT
    );
    let withdrawn = signed_in.get(&second).await;
    assert_eq!(withdrawn.status(), StatusCode::GONE);
    assert!(withdrawn.text().await.unwrap().contains("withdrew"));
    assert_eq!(
        anonymous.get(&second).await.text().await.unwrap(),
        generic_text
    );
}

#[tokio::test]
async fn an_expired_link_says_so_to_the_signed_in_invitee() {
    let t = invited().await;
    t.app.clock.advance(chrono::Duration::days(15));
    let browser = Browser::new(&t.app);
    browser.login(&t.fabrikam, "/communities").await;
    let page = browser.get(&t.link).await;
    assert_eq!(page.status(), StatusCode::GONE);
    assert!(page.text().await.unwrap().contains("expired"));
}

#[tokio::test]
async fn login_refuses_foreign_next_targets_and_inactive_tenants() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let browser = Browser::new(&app);
    assert_eq!(
        browser.login(&contoso, "//evil.example/x").await,
        "/communities"
    );

    let store = app.ctx.store.clone();
    let id = contoso.id;
    tokio::task::spawn_blocking(move || {
        communityd::app::admin::set_tenant_state(
            &store,
            id,
            communityd::domain::tenant::TenantState::Deactivated,
            chrono::Utc::now(),
        )
    })
    .await
    .unwrap()
    .unwrap();
    let other = Browser::new(&app);
    let page = other.get("/login").await.text().await.unwrap();
    let csrf = hidden(&page, "login_csrf");
    let refused = other
        .post(
            "/login",
            &[
                ("login_csrf", &csrf),
                ("tenant_id", &contoso.id.to_string()),
                ("email", &contoso.admin_email),
                ("password", &contoso.admin_password),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("not active"));
}

#[tokio::test]
async fn sessions_expire_and_the_sweep_deletes_them() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let browser = Browser::new(&app);
    browser.login(&contoso, "/communities").await;
    assert_eq!(browser.get("/communities").await.status(), StatusCode::OK);
    assert_eq!(
        communityd::app::expiry::sweep_sessions(&app.ctx)
            .await
            .unwrap(),
        0
    );

    app.clock.advance(chrono::Duration::hours(13));
    let after = browser.get("/communities").await;
    assert_eq!(
        after.status(),
        StatusCode::SEE_OTHER,
        "an expired session no longer works"
    );
    assert!(location(&after).starts_with("/login"));
    assert_eq!(
        communityd::app::expiry::sweep_sessions(&app.ctx)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        communityd::app::expiry::sweep_sessions(&app.ctx)
            .await
            .unwrap(),
        0
    );
}

/// An address no user of the invitee's tenant has: only following the
/// signed link lets that tenant answer.
#[tokio::test]
async fn a_resend_revokes_the_link_grant_a_session_already_holds() {
    let smtp = SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| s.smtp_url = url).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let id = app
        .invite_id(&contoso, &community, "mailbox@elsewhere.example")
        .await;
    let old_link = smtp.wait_for(1).await[0].link("/invitations/").unwrap();

    let browser = Browser::new(&app);
    browser.login(&fabrikam, "/communities").await;
    let html = browser.get(&old_link).await.text().await.unwrap();
    let csrf = hidden(&html, "csrf");
    assert!(html.contains(">Join<"), "the link offers Join: {html}");

    // The inviter resends while the page is open: the session's grant for
    // the old link must not survive into the Join POST.
    let r = app.act(&contoso.token, &id, "Resend").await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let refused = browser
        .post(
            "/invitations/answer",
            &[("csrf", &csrf), ("invitation", &id), ("answer", "join")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        invitation_record(&app, &id).await.state,
        InvitationState::InvitationCreated
    );
    // Decline is refused the same way.
    let refused = browser
        .post(
            "/invitations/answer",
            &[
                ("csrf", &csrf),
                ("invitation", &id),
                ("answer", "decline"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // The old link is dead (the generic page: this tenant does not own the
    // address, so it is not told why); the new one works.
    let stale = browser.get(&old_link).await;
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
    let new_link = smtp.wait_for(2).await[1].link("/invitations/").unwrap();
    assert_ne!(new_link, old_link);
    let html = browser.get(&new_link).await.text().await.unwrap();
    let joined = browser
        .post(
            "/invitations/answer",
            &[
                ("csrf", &hidden(&html, "csrf")),
                ("invitation", &id),
                ("answer", "join"),
            ],
        )
        .await;
    assert_eq!(
        joined.status(),
        StatusCode::SEE_OTHER,
        "redirect after Join"
    );
    assert_eq!(
        invitation_record(&app, &id).await.state,
        InvitationState::InvitationAccepted
    );
}

#[tokio::test]
async fn logout_is_final_even_for_a_request_still_in_flight() {
    use communityd::app::identity;
    use communityd::domain::session::LinkGrant;
    let app = spawn_app().await;
    let fabrikam = app.tenant("Fabrikam").await;
    let (session_id, session) = identity::login(
        &app.ctx,
        fabrikam.id,
        &fabrikam.admin_email,
        &fabrikam.admin_password,
        crate::helpers::loopback(),
    )
    .await
    .expect("login")
    .session()
    .expect("no code owed");
    let cookie = format!("communityd_session={session_id}");
    let page = app
        .http
        .get(format!("{}/communities", app.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK, "the session works");

    let out = app
        .http
        .post(format!("{}/logout", app.url))
        .header("cookie", &cookie)
        .form(&[("csrf", session.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);

    // A link page that read the session before the logout now writes what
    // it noted: the write must not bring the session back.
    let grant = LinkGrant {
        invitation: communityd::domain::ids::InvitationId::generate(),
        generation: 1,
    };
    let written = identity::note_invitation_link(&app.ctx, &session_id, grant)
        .await
        .unwrap();
    assert!(!written, "a logged-out session was written back");
    assert!(identity::session(&app.ctx, &session_id)
        .await
        .unwrap()
        .is_none());
    let page = app
        .http
        .get(format!("{}/communities", app.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER, "back to login");
    assert!(location(&page).starts_with("/login"));
}
