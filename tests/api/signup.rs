//! Partner tenants from an invitation: with `tenant_signup = "invited"` the
//! recipient of a community invitation whose address belongs to no tenant
//! creates their tenant through the link, joins, and the inviter confirms;
//! with `closed` (the default) the pages say to ask the operator. Through
//! the real server, the real SMTP capture and the portal's forms.

use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use crate::smtp::SmtpCapture;
use communityd::app::admin;
use communityd::config::TenantSignup;
use reqwest::StatusCode;

const NEWCOMER: &str = "ada@newco.example";

struct Invited {
    _smtp: SmtpCapture,
    app: TestApp,
    contoso: TestTenant,
    community: String,
    invitation: String,
    /// The link's path: `/invitations/{token}`.
    link: String,
}

async fn invite_newcomer(signup: TenantSignup) -> Invited {
    let smtp = SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| {
        s.smtp_url = url;
        s.tenant_signup = signup;
    })
    .await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let invitation = app.invite_id(&contoso, &community, NEWCOMER).await;
    let link = smtp.wait_for(1).await[0].link("/invitations/").unwrap();
    let link = format!("/invitations/{}", link.rsplit('/').next().unwrap());
    Invited {
        _smtp: smtp,
        app,
        contoso,
        community,
        invitation,
        link,
    }
}

async fn html(b: &Browser, path: &str) -> (StatusCode, String) {
    let r = b.get(path).await;
    (r.status(), r.text().await.unwrap())
}

fn tenant_names(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = admin::list_tenants(&app.ctx.store)
        .unwrap()
        .into_iter()
        .map(|t| t.company_name)
        .collect();
    names.sort();
    names
}

async fn sign_up(
    b: &Browser,
    w: &Invited,
    csrf: &str,
    name: &str,
    password: &str,
) -> reqwest::Response {
    b.post(
        &format!("{}/signup", w.link),
        &[
            ("signup_csrf", csrf),
            ("company_name", name),
            ("new_password", password),
            ("new_password_again", password),
        ],
    )
    .await
}

#[tokio::test]
async fn an_invited_newcomer_creates_their_tenant_joins_and_is_confirmed() {
    let w = invite_newcomer(TenantSignup::Invited).await;
    let b = Browser::new(&w.app);
    let to_login = location(&b.get(&w.link).await);
    assert!(to_login.starts_with("/login?next="), "{to_login}");
    let (_, login) = html(&b, &to_login).await;
    let form = format!("{}/signup", w.link);
    assert!(login.contains("data-signup=\"open\""), "{login}");
    assert!(login.contains(&format!("href=\"{form}\"")), "{login}");

    let (status, page) = html(&b, &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(NEWCOMER) && page.contains("<strong>Contoso</strong>"));
    assert!(page.contains("<strong>Plant data</strong>"), "{page}");
    let csrf = hidden(&page, "signup_csrf");

    // A weak password and a taken name are shown on the form; nothing is made.
    let weak = sign_up(&b, &w, &csrf, "Newco", "short").await;
    assert_eq!(weak.status(), StatusCode::BAD_REQUEST);
    let weak = weak.text().await.unwrap();
    assert!(
        weak.contains("New password must be at least 8 characters."),
        "{weak}"
    );
    assert!(weak.contains("value=\"Newco\""), "the name typed is kept");
    let taken = sign_up(&b, &w, &csrf, "contoso", "a good password").await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert!(taken.text().await.unwrap().contains("already exists"));
    let forged = sign_up(&b, &w, "not the token", "Newco", "a good password").await;
    assert_eq!(
        location(&forged),
        form,
        "a forged form is sent back to the form"
    );
    assert_eq!(tenant_names(&w.app), ["Contoso"]);

    let made = sign_up(&b, &w, &csrf, "Newco", "a good password").await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&made), w.link, "back to the invitation, signed in");
    assert_eq!(tenant_names(&w.app), ["Contoso", "Newco"]);
    // The link made one tenant: again, it says to sign in, and makes none.
    let (status, again) = html(&Browser::new(&w.app), &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(again.contains("Your organisation has a tenant"), "{again}");

    let (status, answer) = html(&b, &w.link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(answer.contains("Join community"), "{answer}");
    let joined = b
        .post(
            "/invitations/answer",
            &[
                ("csrf", &hidden(&answer, "csrf")),
                ("invitation", &w.invitation),
                ("answer", "join"),
            ],
        )
        .await;
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    let confirmed = w.app.act(&w.contoso.token, &w.invitation, "Confirm").await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let members = w.app.member_statuses(&w.contoso, &w.community).await;
    assert!(
        members.contains(&("Newco".to_string(), "Active".to_string())),
        "{members:?}"
    );

    // Answered, the link offers nothing more.
    let (status, _) = html(&Browser::new(&w.app), &form).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The new administrator signs in with the password they chose.
    let later = Browser::new(&w.app);
    let signed_in = later
        .sign_in("Newco", NEWCOMER, "a good password", "/communities")
        .await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(tenant_names(&w.app), ["Contoso", "Newco"]);
}

#[tokio::test]
async fn a_second_sign_up_through_the_same_link_makes_no_second_tenant() {
    let w = invite_newcomer(TenantSignup::Invited).await;
    let (first, second) = (Browser::new(&w.app), Browser::new(&w.app));
    let form = format!("{}/signup", w.link);
    let csrf_first = hidden(&html(&first, &form).await.1, "signup_csrf");
    let csrf_second = hidden(&html(&second, &form).await.1, "signup_csrf");
    let made = sign_up(&first, &w, &csrf_first, "Newco", "a good password").await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let late = sign_up(&second, &w, &csrf_second, "Newco Two", "a good password").await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    assert!(late
        .text()
        .await
        .unwrap()
        .contains("Your organisation has a tenant"));
    assert_eq!(tenant_names(&w.app), ["Contoso", "Newco"]);
}

#[tokio::test]
async fn with_sign_up_closed_the_pages_say_to_ask_the_operator() {
    let w = invite_newcomer(TenantSignup::Closed).await;
    let b = Browser::new(&w.app);
    let to_login = location(&b.get(&w.link).await);
    let (_, login) = html(&b, &to_login).await;
    assert!(login.contains("data-signup=\"closed\""), "{login}");
    assert!(!login.contains("/signup"), "no way to sign up offered");
    let form = format!("{}/signup", w.link);
    let (status, page) = html(&b, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("only its operator can create one"), "{page}");
    // Nor does a form made up without the page create one: without the
    // form's token it is sent back to the form, which refuses.
    let posted = sign_up(&b, &w, "made up", "Newco", "a good password").await;
    assert_eq!(location(&posted), form);
    assert_eq!(tenant_names(&w.app), ["Contoso"]);
}

#[tokio::test]
async fn an_address_with_a_tenant_or_a_dead_link_gets_no_sign_up() {
    let smtp = SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| {
        s.smtp_url = url;
        s.tenant_signup = TenantSignup::Invited;
    })
    .await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.invite(&contoso, &community, &fabrikam.admin_email)
        .await;
    let withdrawn = app.invite_id(&contoso, &community, NEWCOMER).await;
    let mails = smtp.wait_for(2).await;
    let path = |i: usize| {
        let link = mails[i].link("/invitations/").unwrap();
        format!("/invitations/{}/signup", link.rsplit('/').next().unwrap())
    };
    let b = Browser::new(&app);
    let (status, page) = html(&b, &path(0)).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "Fabrikam's address has a tenant"
    );
    assert!(page.contains("Sign in"), "{page}");

    let deleted = app
        .delete(
            &format!("{}/{withdrawn}", invitations_path(contoso.id, &community)),
            &contoso.token,
        )
        .await;
    assert!(deleted.status().is_success(), "{}", deleted.status());
    let (status, page) = html(&b, &path(1)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a withdrawn invitation's link"
    );
    assert!(page.contains("invalid or has expired"), "{page}");
    let (status, _) = html(&b, "/invitations/not-a-token/signup").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(tenant_names(&app).len(), 2);
}
