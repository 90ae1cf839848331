//! Signing in through a tenant's identity provider, against a real OpenID
//! provider on loopback (`oidc_provider`): the good sign-in, each claim the
//! ID token is refused for, a provider that is down, the invitation link
//! surviving the trip (and a Resend during it), groups mapped to roles, and
//! the provider's secret kept out of answers. Tokens the provider cannot
//! make (`alg` `none`, a foreign key) are the unit tests of
//! `auth::oidc::id_token`.

use crate::helpers::*;
use crate::oidc_provider::{authorize, OidcProvider};
use crate::pages::{hidden, location, Browser};
use crate::smtp::SmtpCapture;
use communityd::domain::role::Role;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

const SECRET: &str = "provider-secret-7f3a";

fn providers_api(t: &TestTenant) -> String {
    format!("/api/v1/Tenants/{}/IdentityProviders", t.id)
}

fn users_api(t: &TestTenant) -> String {
    format!("/api/v1/Tenants/{}/Users", t.id)
}

/// A provider for `tenant` at `idp`, vouching for the tenant's domain.
async fn add_provider(app: &TestApp, t: &TestTenant, idp: &OidcProvider, extra: Value) -> Value {
    let domain = t.admin_email.split('@').nth(1).unwrap();
    let mut body = json!({
        "Name": format!("{} ID", t.name),
        "Issuer": idp.issuer(),
        "ClientId": "communityd",
        "ClientSecret": SECRET,
        "Domains": [domain],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    json_with_status(
        app.post_json(&providers_api(t), &t.token, &body).await,
        StatusCode::CREATED,
    )
    .await
}

/// A server with Contoso, and a provider added for it with `extra`.
async fn contoso_with_provider(extra: Value) -> (TestApp, TestTenant, OidcProvider) {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let idp = OidcProvider::start().await;
    add_provider(&app, &contoso, &idp, extra).await;
    (app, contoso, idp)
}

async fn person(idp: &OidcProvider, sub: &str, email: &str, extra: Value) {
    let mut claims = json!({"email": email, "email_verified": true});
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    idp.set_user(sub, &claims).await;
}

/// Presses "Sign in with NAME" on the tenant's login page: where the
/// browser is sent (the provider's authorization URL).
async fn press_button(b: &Browser, tenant: &str, next: &str) -> Response {
    let (csrf, step2) = b.tenant_step(tenant, next).await;
    assert!(step2.contains("Sign in with"), "{step2}");
    let tenant_id = hidden(&step2, "tenant_id");
    let provider = hidden(&step2, "provider");
    b.post(
        "/login/provider",
        &[
            ("login_csrf", &csrf),
            ("tenant_id", &tenant_id),
            ("provider", &provider),
            ("next", next),
        ],
    )
    .await
}

async fn to_provider(b: &Browser, tenant: &str, next: &str) -> String {
    let sent = press_button(b, tenant, next).await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    location(&sent)
}

/// The whole trip as `sub`: the callback's answer.
async fn sign_in_as(b: &Browser, tenant: &str, sub: &str, next: &str) -> Response {
    let at_provider = to_provider(b, tenant, next).await;
    let back = authorize(&b.http, &at_provider, sub).await;
    b.get(&back).await
}

/// A refusal page: its status and that it says `needle`.
async fn refused(r: Response, status: StatusCode, needle: &str) -> String {
    assert_eq!(r.status(), status);
    let html = r.text().await.unwrap();
    assert!(html.contains(needle), "wanted '{needle}' in {html}");
    html
}

async fn user_emails(app: &TestApp, t: &TestTenant) -> Vec<String> {
    let users = json_with_status(app.get(&users_api(t), &t.token).await, StatusCode::OK).await;
    users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Email"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn role_ids_of(app: &TestApp, t: &TestTenant, email: &str) -> Vec<String> {
    let users = json_with_status(app.get(&users_api(t), &t.token).await, StatusCode::OK).await;
    let user = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["Email"] == email)
        .unwrap_or_else(|| panic!("no user {email} in {users}"))
        .clone();
    user["RoleIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_known_user_signs_in_through_the_provider_and_lands_where_asked() {
    let (app, contoso, idp) = contoso_with_provider(json!({})).await;
    app.user(contoso.id, "ada@contoso.example", &[Role::TenantMember])
        .await;
    person(&idp, "ada", "Ada@Contoso.example", json!({})).await;

    let b = Browser::new(&app);
    let at_provider = to_provider(&b, "Contoso", "/tenant").await;
    let url = url::Url::parse(&at_provider).unwrap();
    assert!(at_provider.starts_with(idp.issuer()), "{at_provider}");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "communityd");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(
        q["redirect_uri"],
        format!("{}/login/provider/callback", app.ctx.public_url)
    );
    assert!(q["state"].len() >= 32 && q["nonce"].len() >= 32);
    assert_ne!(q["state"], q["nonce"]);

    let back = authorize(&b.http, &at_provider, "ada").await;
    let done = b.get(&back).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/tenant");
    let page = b.get("/tenant").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("ada@contoso.example"));

    // The answer cannot be used twice: its flow cookie went with it.
    let again = Browser::new(&app);
    refused(
        again.get(&back).await,
        StatusCode::BAD_REQUEST,
        "Start it again",
    )
    .await;
    // Signing out ends the local session.
    let account = b.get("/account").await.text().await.unwrap();
    let csrf = hidden(&account, "csrf");
    let out = b.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&b.get("/tenant").await), "/login?next=%2Ftenant");
}

#[tokio::test]
async fn strangers_are_refused_or_created_as_the_provider_says() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let idp = OidcProvider::start().await;
    let made = add_provider(&app, &contoso, &idp, json!({})).await;
    person(&idp, "bob", "bob@contoso.example", json!({})).await;
    let b = Browser::new(&app);
    refused(
        sign_in_as(&b, "Contoso", "bob", "/communities").await,
        StatusCode::FORBIDDEN,
        "bob@contoso.example is not a user of this tenant",
    )
    .await;
    assert!(!user_emails(&app, &contoso)
        .await
        .contains(&"bob@contoso.example".to_string()));

    let path = format!(
        "{}/{}",
        providers_api(&contoso),
        made["Id"].as_str().unwrap()
    );
    let changed = app
        .put_json(&path, &contoso.token, &json!({"CreateUnknownUsers": true}))
        .await;
    let changed = json_with_status(changed, StatusCode::OK).await;
    assert_eq!(changed["CreateUnknownUsers"], true);
    assert_eq!(changed["ClientId"], "communityd", "what was not sent stays");
    let done = sign_in_as(&b, "Contoso", "bob", "/communities").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let member = Role::TenantMember.instance_id(contoso.id.0).to_string();
    assert_eq!(
        role_ids_of(&app, &contoso, "bob@contoso.example").await,
        [member]
    );
}

#[tokio::test]
async fn an_id_token_is_refused_for_each_claim_that_is_wrong() {
    let (app, contoso, idp) = contoso_with_provider(json!({"CreateUnknownUsers": true})).await;
    let now = chrono::Utc::now().timestamp();
    let cases = [
        (
            json!({"email_verified": false}),
            StatusCode::UNAUTHORIZED,
            "has not verified the email address",
        ),
        (
            json!({"iss": "http://127.0.0.1:9/evil"}),
            StatusCode::UNAUTHORIZED,
            "issued by",
        ),
        (
            json!({"aud": "another-app"}),
            StatusCode::UNAUTHORIZED,
            "another application",
        ),
        (
            json!({"nonce": "not-this-sign-in"}),
            StatusCode::UNAUTHORIZED,
            "nonce",
        ),
        (
            json!({"exp": now - 3600, "iat": now - 7200}),
            StatusCode::UNAUTHORIZED,
            "expired",
        ),
    ];
    for (i, (claims, status, needle)) in cases.into_iter().enumerate() {
        let sub = format!("case{i}");
        let email = format!("case{i}@contoso.example");
        person(&idp, &sub, &email, claims).await;
        let b = Browser::new(&app);
        refused(
            sign_in_as(&b, "Contoso", &sub, "/communities").await,
            status,
            needle,
        )
        .await;
        assert_eq!(
            location(&b.get("/communities").await),
            "/login?next=%2Fcommunities"
        );
        assert!(
            !user_emails(&app, &contoso).await.contains(&email),
            "{email} created"
        );
    }
    // An address outside the provider's domains, verified or not.
    person(&idp, "eve", "eve@fabrikam.example", json!({})).await;
    refused(
        sign_in_as(&Browser::new(&app), "Contoso", "eve", "/communities").await,
        StatusCode::FORBIDDEN,
        "may not vouch for eve@fabrikam.example",
    )
    .await;
}

#[tokio::test]
async fn keys_are_fetched_again_when_the_provider_rotates_and_an_unpublished_key_is_refused() {
    let (app, _, idp) = contoso_with_provider(json!({"CreateUnknownUsers": true})).await;
    person(&idp, "ada", "ada@contoso.example", json!({})).await;
    let first = sign_in_as(&Browser::new(&app), "Contoso", "ada", "/communities").await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);

    idp.rotate_key().await;
    // Past the pause between fetches for an unknown key id.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let rotated = sign_in_as(&Browser::new(&app), "Contoso", "ada", "/communities").await;
    assert_eq!(
        rotated.status(),
        StatusCode::SEE_OTHER,
        "a new published key is fetched"
    );

    idp.rotate_to_unpublished_key().await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    refused(
        sign_in_as(&Browser::new(&app), "Contoso", "ada", "/communities").await,
        StatusCode::UNAUTHORIZED,
        "signed with a key it does not publish",
    )
    .await;
}

#[tokio::test]
async fn a_forged_state_a_lost_flow_and_a_denial_sign_nobody_in() {
    let (app, contoso, idp) = contoso_with_provider(json!({"CreateUnknownUsers": true})).await;
    person(&idp, "ada", "ada@contoso.example", json!({})).await;

    let b = Browser::new(&app);
    let at_provider = to_provider(&b, "Contoso", "/communities").await;
    let back = authorize(&b.http, &at_provider, "ada").await;
    let mut forged = url::Url::parse(&back).unwrap();
    let pairs: Vec<(String, String)> = forged
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                "forged".into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    refused(
        b.get(forged.as_str()).await,
        StatusCode::BAD_REQUEST,
        "Start it again",
    )
    .await;
    // Another browser (no flow cookie) with the genuine answer.
    refused(
        Browser::new(&app).get(&back).await,
        StatusCode::BAD_REQUEST,
        "Start it again",
    )
    .await;
    assert!(!user_emails(&app, &contoso)
        .await
        .contains(&"ada@contoso.example".to_string()));

    let denied = Browser::new(&app);
    let at_provider = to_provider(&denied, "Contoso", "/communities").await;
    let back = crate::oidc_provider::deny(&denied.http, &at_provider).await;
    // The mock leaves `state` out of a denial: it reads as a lost flow.
    assert_eq!(denied.get(&back).await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_provider_that_is_down_gets_a_clear_page_and_creates_nothing() {
    let (app, contoso, mut idp) = contoso_with_provider(json!({"CreateUnknownUsers": true})).await;
    idp.stop();
    let b = Browser::new(&app);
    refused(
        press_button(&b, "Contoso", "/communities").await,
        StatusCode::BAD_GATEWAY,
        "Contoso ID could not be used: it did not answer",
    )
    .await;
    assert_eq!(user_emails(&app, &contoso).await.len(), 1);
}

#[tokio::test]
async fn the_invitation_survives_the_trip_and_a_resend_meanwhile_kills_its_link() {
    let smtp = SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| s.smtp_url = url).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let idp = OidcProvider::start().await;
    add_provider(&app, &fabrikam, &idp, json!({})).await;
    person(&idp, "admin", &fabrikam.admin_email, json!({})).await;
    let community = app.community(&contoso, "Plant data").await;
    let id = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;
    let link = smtp.wait_for(1).await[0].link("/invitations/").unwrap();

    let b = Browser::new(&app);
    let anonymous = b.get(&link).await;
    let to_login = location(&anonymous);
    let next = url::form_urlencoded::parse(to_login.split_once('?').unwrap().1.as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .expect("next");
    let done = sign_in_as(&b, "Fabrikam", "admin", &next).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let back = location(&done);
    assert_eq!(back, next, "lands back on the invitation itself");
    let page = b.get(&back).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Plant data") && html.contains(">Join<"),
        "{html}"
    );

    // A Resend while the person is at the provider: the link carried
    // through the trip is the old one, and is refused as before.
    let late = Browser::new(&app);
    let at_provider = to_provider(&late, "Fabrikam", &next).await;
    let resent = app.act(&contoso.token, &id, "Resend").await;
    assert_eq!(resent.status(), StatusCode::ACCEPTED);
    let answer = authorize(&late.http, &at_provider, "admin").await;
    let done = late.get(&answer).await;
    assert_eq!(location(&done), next);
    let stale = late.get(&next).await;
    let stale_html = stale.text().await.unwrap();
    assert!(
        !stale_html.contains(">Join<"),
        "an old link offers no Join: {stale_html}"
    );
    assert!(
        stale_html.contains("sent again with a newer link"),
        "{stale_html}"
    );
}

#[tokio::test]
async fn groups_give_and_take_the_roles_they_map_to_at_each_sign_in() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let steward = json_with_status(
        app.post_json(
            &format!("/api/v1/Tenants/{}/Roles", contoso.id),
            &contoso.token,
            &json!({"Name": "Data Steward"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = Role::TenantAdministrator
        .instance_id(contoso.id.0)
        .to_string();
    let member = Role::TenantMember.instance_id(contoso.id.0).to_string();
    let idp = OidcProvider::start().await;
    add_provider(
        &app,
        &contoso,
        &idp,
        json!({
            "CreateUnknownUsers": true,
            "GroupsClaim": "groups",
            "GroupRoles": [
                {"Group": "it-admins", "RoleId": admin},
                {"Group": "stewards", "RoleId": steward},
            ],
        }),
    )
    .await;
    let email = "ada@contoso.example";
    person(
        &idp,
        "ada",
        email,
        json!({"groups": ["stewards", "it-admins", "other"]}),
    )
    .await;
    let signed = sign_in_as(&Browser::new(&app), "Contoso", "ada", "/communities").await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let mut held = role_ids_of(&app, &contoso, email).await;
    held.sort();
    let mut want = vec![admin.clone(), member.clone(), steward.clone()];
    want.sort();
    assert_eq!(held, want, "added from the groups, beside Tenant Member");

    person(&idp, "ada", email, json!({"groups": ["other"]})).await;
    let signed = sign_in_as(&Browser::new(&app), "Contoso", "ada", "/communities").await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        role_ids_of(&app, &contoso, email).await,
        [member],
        "the mapped roles go with the groups; others stay"
    );
}

#[tokio::test]
async fn providers_are_checked_managed_by_administrators_and_never_show_their_secret() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let idp = OidcProvider::start().await;
    let api = providers_api(&contoso);
    let cases = [
        (
            json!({"Issuer": idp.issuer(), "ClientId": "c", "ClientSecret": "s", "Domains": ["contoso.example"]}),
            "Name",
        ),
        (
            json!({"Name": "X", "Issuer": "http://idp.example", "ClientId": "c", "ClientSecret": "s", "Domains": ["contoso.example"]}),
            "Issuer",
        ),
        (
            json!({"Name": "X", "Issuer": "http://127.0.0.1:9", "ClientId": "c", "ClientSecret": "s", "Domains": ["contoso.example"]}),
            "Issuer",
        ),
        (
            json!({"Name": "X", "Issuer": idp.issuer(), "ClientId": "c", "ClientSecret": "s", "Domains": ["localhost"]}),
            "Domains",
        ),
        (
            json!({"Name": "X", "Issuer": idp.issuer(), "ClientId": "c", "ClientSecret": "s", "Domains": ["contoso.example"], "GroupRoles": [{"Group": "g", "RoleId": uuid::Uuid::new_v4().to_string()}]}),
            "GroupRoles",
        ),
    ];
    for (body, field) in cases {
        let answer = assert_error(
            app.post_json(&api, &contoso.token, &body).await,
            StatusCode::BAD_REQUEST,
            field,
        )
        .await;
        assert!(answer.to_string().contains(field), "{answer}");
    }
    assert_eq!(
        json_with_status(app.get(&api, &contoso.token).await, StatusCode::OK).await,
        json!([])
    );

    let (_, member) = app.client(contoso.id, &[Role::TenantMember]).await;
    let body = json!({"Name": "X", "Issuer": idp.issuer(), "ClientId": "c", "ClientSecret": SECRET, "Domains": ["contoso.example"]});
    assert_error(
        app.post_json(&api, &member, &body).await,
        StatusCode::FORBIDDEN,
        "",
    )
    .await;
    let made = add_provider(&app, &contoso, &idp, json!({})).await;
    let one = format!("{api}/{}", made["Id"].as_str().unwrap());
    let dup = app.post_json(&api, &contoso.token, &json!({"Name": "contoso id", "Issuer": idp.issuer(), "ClientId": "c", "ClientSecret": "s", "Domains": ["contoso.example"]})).await;
    assert_error(
        dup,
        StatusCode::CONFLICT,
        "already has an identity provider named",
    )
    .await;
    let listed = app.get(&api, &member).await;
    let listed = listed.text().await.unwrap();
    assert!(
        listed.contains("Contoso ID"),
        "members may read the list: {listed}"
    );
    for text in [
        listed,
        made.to_string(),
        app.get(&one, &contoso.token).await.text().await.unwrap(),
        app.get("/metrics", "").await.text().await.unwrap(),
    ] {
        assert!(!text.contains(SECRET), "the secret leaked: {text}");
    }
    assert_error(app.delete(&one, &member).await, StatusCode::FORBIDDEN, "").await;
    let other = app.tenant("Fabrikam").await;
    assert_error(
        app.get(
            &format!("{}/{}", providers_api(&other), made["Id"].as_str().unwrap()),
            &other.token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "",
    )
    .await;
    assert_eq!(
        app.delete(&one, &contoso.token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&one, &contoso.token).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_operator_adds_lists_and_removes_providers_from_the_command_line() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let idp = OidcProvider::start().await;
    let dir = app.data_dir();
    let run = |args: Vec<String>| {
        let dir = dir.clone();
        async move {
            tokio::task::spawn_blocking(move || communityd(&dir).args(&args).output().unwrap())
                .await
                .unwrap()
        }
    };
    let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let data_dir = dir.to_str().unwrap().to_string();
    let added = run(args(&[
        "--data-dir",
        &data_dir,
        "idp",
        "add",
        "--tenant",
        "Contoso",
        "--name",
        "Contoso ID",
        "--issuer",
        idp.issuer(),
        "--client-id",
        "communityd",
        "--client-secret",
        SECRET,
        "--domain",
        "contoso.example",
        "--groups-claim",
        "groups",
        "--group-role",
        "it-admins=Tenant Administrator",
    ]))
    .await;
    let out = String::from_utf8_lossy(&added.stdout).to_string();
    assert!(
        added.status.success(),
        "{out} {}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(!out.contains(SECRET), "{out}");
    let printed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        printed["group_roles"],
        json!(["it-admins = Tenant Administrator"])
    );
    let api = json_with_status(
        app.get(&providers_api(&contoso), &contoso.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(api[0]["Name"], "Contoso ID");

    let down = run(args(&[
        "--data-dir",
        &data_dir,
        "idp",
        "add",
        "--tenant",
        "Contoso",
        "--name",
        "Other",
        "--issuer",
        "http://127.0.0.1:9",
        "--client-id",
        "c",
        "--client-secret",
        "s",
        "--domain",
        "contoso.example",
    ]))
    .await;
    assert!(!down.status.success());
    assert!(
        String::from_utf8_lossy(&down.stderr).contains("--issuer"),
        "{down:?}"
    );

    let listed = run(args(&[
        "--data-dir",
        &data_dir,
        "idp",
        "list",
        "--tenant",
        "Contoso",
    ]))
    .await;
    let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listed["identity_providers"].as_array().unwrap().len(), 1);
    let removed = run(args(&[
        "--data-dir",
        &data_dir,
        "idp",
        "remove",
        "--tenant",
        "Contoso",
        "--provider",
        "contoso id",
    ]))
    .await;
    assert!(removed.status.success(), "{removed:?}");
    let api = json_with_status(
        app.get(&providers_api(&contoso), &contoso.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(api, json!([]));
}
