//! Tenant settings -> Sign-in, its identity providers, driven over HTTP as
//! a browser would, against a real OpenID provider on loopback (the add
//! form fetches its discovery document): a Tenant Administrator adds a
//! provider with a group mapping, checked through the API and never shown
//! its secret; an issuer that does not answer comes back on the form; a
//! Tenant Member reads the list, sees no form and is refused every change;
//! removing asks first.

use crate::helpers::*;
use crate::oidc_provider::OidcProvider;
use crate::pages::{hidden, location, Browser};
use crate::users::sign_in;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::Value;

const PAGE: &str = "/tenant/sign-in";
const SECRET: &str = "page-test-client-secret-5d1b";

fn providers_api(t: &TestTenant) -> String {
    format!("/api/v1/Tenants/{}/IdentityProviders", t.id)
}

async fn api_providers(app: &TestApp, t: &TestTenant) -> Vec<Value> {
    let listed = json_with_status(app.get(&providers_api(t), &t.token).await, StatusCode::OK).await;
    listed.as_array().expect("a list").clone()
}

/// The Sign-in page and its CSRF token, as the signed-in browser sees it.
async fn sign_in_page(b: &Browser) -> (String, String) {
    let page = b.get(PAGE).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    (page, csrf)
}

/// The add form's fields, with one group mapping.
fn add_form<'a>(
    csrf: &'a str,
    issuer: &'a str,
    steward_role: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("name", "Contoso Entra"),
        ("issuer", issuer),
        ("client_id", "communityd-portal"),
        ("client_secret", SECRET),
        ("domains", "contoso.example, contoso.test"),
        ("create_unknown_users", "on"),
        ("groups_claim", "groups"),
        ("group", "stewards"),
        ("role", steward_role),
        ("group", ""),
        ("role", ""),
        ("group", ""),
        ("role", ""),
    ]
}

#[tokio::test]
async fn an_administrator_adds_and_removes_a_provider_on_the_sign_in_page() {
    let provider = OidcProvider::start().await;
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let admin = Browser::new(&app);
    admin.login(&t, PAGE).await;
    let (page, csrf) = sign_in_page(&admin).await;
    assert!(
        page.contains("Add identity provider") && page.contains("No identity provider yet"),
        "{page}"
    );
    let member_role = Role::TenantMember.instance_id(t.id.0).to_string();
    assert!(
        page.contains(&format!(
            "<option value=\"{member_role}\">Tenant Member</option>"
        )),
        "the mapping offers the built-in roles: {page}"
    );

    let added = admin
        .post(
            &(PAGE.to_owned() + "/providers"),
            &add_form(&csrf, provider.issuer(), &member_role),
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&added), PAGE);
    let listed = api_providers(&app, &t).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let kept = &listed[0];
    assert_eq!(kept["Name"], "Contoso Entra");
    assert_eq!(kept["Issuer"], provider.issuer());
    assert_eq!(kept["ClientId"], "communityd-portal");
    assert_eq!(
        kept["Domains"],
        serde_json::json!(["contoso.example", "contoso.test"])
    );
    assert_eq!(kept["CreateUnknownUsers"], true);
    assert_eq!(kept["GroupsClaim"], "groups");
    assert_eq!(
        kept["GroupRoles"],
        serde_json::json!([{"Group": "stewards", "RoleId": member_role}])
    );
    let id = kept["Id"].as_str().unwrap().to_string();

    let (page, _) = sign_in_page(&admin).await;
    assert!(page.contains("Identity provider added"), "{page}");
    // Tera escapes the slashes of what it shows.
    let issuer_shown = provider.issuer().replace('/', "&#x2F;");
    for shown in [
        "Contoso Entra",
        issuer_shown.as_str(),
        "communityd-portal",
        "contoso.example, contoso.test",
        "Yes, as Tenant Members",
        "stewards: Tenant Member",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    assert!(!page.contains(SECRET), "the secret is never shown");
    let remove = format!("{PAGE}/providers/{id}/remove");
    assert!(page.contains(&remove), "{page}");

    // The login page offers it.
    let login = Browser::new(&app);
    let step1 = login.get("/login").await.text().await.unwrap();
    let step2 = login
        .post(
            "/login",
            &[
                ("login_csrf", &hidden(&step1, "login_csrf")),
                ("next", "/communities"),
                ("tenant", "Contoso"),
            ],
        )
        .await;
    // Its button's form is redirected to the provider: the page's policy
    // lets forms go there, and only there besides this site.
    let policy = step2.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let step2 = step2.text().await.unwrap();
    assert!(step2.contains("Sign in with Contoso Entra"), "{step2}");
    let origin = provider.issuer().trim_end_matches('/');
    assert!(
        policy.contains(&format!("form-action 'self' {origin};")),
        "{policy}"
    );

    // Removing asks first, naming the provider; then it is gone.
    let asked = admin.post(&remove, &[("csrf", &csrf)]).await;
    assert_eq!(asked.status(), StatusCode::OK);
    let asked = asked.text().await.unwrap();
    assert!(
        asked.contains("Remove identity provider?")
            && asked.contains("Remove the identity provider Contoso Entra?"),
        "{asked}"
    );
    assert_eq!(api_providers(&app, &t).await.len(), 1, "asking removed it");
    let gone = admin
        .post(&remove, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(gone.status(), StatusCode::SEE_OTHER);
    assert!(api_providers(&app, &t).await.is_empty());
    let (page, _) = sign_in_page(&admin).await;
    assert!(
        page.contains("Identity provider removed") && !page.contains("Contoso Entra"),
        "{page}"
    );

    // A form without the token does nothing.
    let forged = admin
        .post(
            &(PAGE.to_owned() + "/providers"),
            &add_form("not-the-token", provider.issuer(), &member_role),
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(api_providers(&app, &t).await.is_empty());
}

/// A refusal shown on the add form: its status, the alert naming `needle`,
/// what was typed (but not the secret), and nothing stored.
async fn assert_refused(app: &TestApp, t: &TestTenant, r: reqwest::Response, needle: &str) {
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("id=\"provider-error\"") && page.contains(needle),
        "{needle}: {page}"
    );
    assert!(
        page.contains("value=\"Contoso Entra\"") && page.contains("value=\"stewards\""),
        "what was typed is kept: {page}"
    );
    assert!(!page.contains(SECRET), "the secret is not sent back");
    assert!(api_providers(app, t).await.is_empty());
}

#[tokio::test]
async fn an_issuer_that_does_not_answer_comes_back_on_the_form_naming_it() {
    let mut provider = OidcProvider::start().await;
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let admin = Browser::new(&app);
    admin.login(&t, PAGE).await;
    let (_, csrf) = sign_in_page(&admin).await;
    let member_role = Role::TenantMember.instance_id(t.id.0).to_string();
    let issuer = provider.issuer().to_string();

    // A group without a role, and a domain that is no domain, are named.
    let mut no_role = add_form(&csrf, &issuer, "");
    no_role.retain(|(k, _)| *k != "create_unknown_users");
    let r = admin
        .post(&(PAGE.to_owned() + "/providers"), &no_role)
        .await;
    assert_refused(&app, &t, r, "The group mappings need a role for each group").await;
    let mut bad_domain = add_form(&csrf, &issuer, &member_role);
    bad_domain[5] = ("domains", "localhost");
    let r = admin
        .post(&(PAGE.to_owned() + "/providers"), &bad_domain)
        .await;
    assert_refused(&app, &t, r, "The email domains").await;

    // And an issuer that does not answer, before anything is kept.
    provider.stop();
    let r = admin
        .post(
            &(PAGE.to_owned() + "/providers"),
            &add_form(&csrf, &issuer, &member_role),
        )
        .await;
    assert_refused(&app, &t, r, "The issuer URL cannot be used").await;
}

#[tokio::test]
async fn a_tenant_member_reads_the_providers_and_is_refused_every_change() {
    let provider = OidcProvider::start().await;
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let admin = Browser::new(&app);
    admin.login(&t, PAGE).await;
    let (_, csrf) = sign_in_page(&admin).await;
    let member_role = Role::TenantMember.instance_id(t.id.0).to_string();
    let added = admin
        .post(
            &(PAGE.to_owned() + "/providers"),
            &add_form(&csrf, provider.issuer(), &member_role),
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let id = api_providers(&app, &t).await[0]["Id"]
        .as_str()
        .unwrap()
        .to_string();

    app.user(t.id, "ada@contoso.example", &[Role::TenantMember])
        .await;
    let (ada, status) = sign_in(
        &app,
        "Contoso",
        "ada@contoso.example",
        "correct horse battery",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (page, csrf) = sign_in_page(&ada).await;
    assert!(
        page.contains("Contoso Entra") && page.contains("stewards: Tenant Member"),
        "{page}"
    );
    assert!(
        !page.contains("Add identity provider")
            && !page.contains("/remove\"")
            && !page.contains(SECRET),
        "{page}"
    );
    let remove = format!("{PAGE}/providers/{id}/remove");
    for (path, form) in [
        (
            PAGE.to_owned() + "/providers",
            add_form(&csrf, provider.issuer(), &member_role),
        ),
        (remove.clone(), vec![("csrf", csrf.as_str())]),
        (
            remove.clone(),
            vec![("csrf", csrf.as_str()), ("confirm", "yes")],
        ),
    ] {
        let r = ada.post(&path, &form).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(api_providers(&app, &t).await.len(), 1);
}
