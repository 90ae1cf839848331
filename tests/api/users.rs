//! A tenant's administrators manage its users and invite them, through the
//! routes AVEVA's libraries call, the real server and the real SMTP capture:
//! add, change, remove; the address unique per tenant; the last Tenant
//! Administrator kept; the invitation email, its link setting a password
//! once, and every way a link dies.

use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use crate::smtp::{CapturedEmail, SmtpCapture};
use communityd::domain::ids::{TenantId, UserId};
use communityd::domain::role::Role;
use communityd::store::identities;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub(crate) fn users(t: &TestTenant) -> String {
    format!("/api/v1/Tenants/{}/Users", t.id)
}

fn user(t: &TestTenant, id: &str) -> String {
    format!("/api/v1/Tenants/{}/Users/{id}", t.id)
}

fn invitation(t: &TestTenant, id: &str) -> String {
    format!("/api/v1/Tenants/{}/Users/{id}/Invitation", t.id)
}

fn role_id(role: Role, tenant: TenantId) -> String {
    role.instance_id(tenant.0).to_string()
}

pub(crate) async fn app_with_mail() -> (SmtpCapture, TestApp) {
    let smtp = SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| s.smtp_url = url).await;
    (smtp, app)
}

/// The stored user, read past the API.
pub(crate) async fn stored(app: &TestApp, id: &str) -> Option<communityd::domain::identity::User> {
    let id = UserId::parse(id).unwrap();
    app.ctx
        .store
        .read(move |tx| identities::get_user(tx, id))
        .await
        .unwrap()
}

pub(crate) async fn sign_in(
    app: &TestApp,
    tenant: &str,
    email: &str,
    password: &str,
) -> (Browser, StatusCode) {
    let b = Browser::new(app);
    let status = b
        .sign_in(tenant, email, password, "/communities")
        .await
        .status();
    (b, status)
}

/// Whether the browser's session still opens a portal page.
pub(crate) async fn still_signed_in(b: &Browser) -> bool {
    let r = b.get("/communities").await;
    match r.status() {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => false,
        other => panic!("unexpected {other}"),
    }
}

/// Opens a set-password link and posts a new password through its form.
pub(crate) async fn set_password(b: &Browser, link: &str, new: &str) -> reqwest::Response {
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
            ("new_password_again", new),
        ],
    )
    .await
}

pub(crate) async fn assert_invalid_link(b: &Browser, link: &str) {
    let r = b.get(link).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("This link to set a password is invalid, has expired or was already used."),
        "{body}"
    );
}

/// A new user through the API; its id.
async fn add(app: &TestApp, t: &TestTenant, email: &str) -> String {
    add_as(app, t, &t.token, email).await
}

async fn add_as(app: &TestApp, t: &TestTenant, token: &str, email: &str) -> String {
    let made = app
        .post_json(&users(t), token, &json!({ "Email": email }))
        .await;
    let made = json_with_status(made, StatusCode::CREATED).await;
    made["Id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_administrator_adds_changes_and_removes_users() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let admin_role = role_id(Role::TenantAdministrator, t.id);
    let member_role = role_id(Role::TenantMember, t.id);

    // POST /Users: the id is made here; Tenant Member unless roles are given.
    let made = app
        .post_json(
            &users(&t),
            &t.token,
            &json!({ "Email": "Ada@Contoso.example", "GivenName": "Ada", "Surname": "L" }),
        )
        .await;
    let made = json_with_status(made, StatusCode::CREATED).await;
    let ada = made["Id"].as_str().unwrap().to_string();
    assert_eq!(
        made,
        json!({
            "Id": ada, "GivenName": null, "Surname": null, "Name": "ada@contoso.example",
            "Email": "ada@contoso.example", "ContactEmail": "ada@contoso.example",
            "ContactGivenName": null, "ContactSurname": null, "ExternalUserId": null,
            "IdentityProviderId": null, "IdentityProviderSpecificUserId": null,
            "RoleIds": [member_role],
        })
    );
    let read = json_with_status(app.get(&user(&t, &ada), &t.token).await, StatusCode::OK).await;
    assert_eq!(read, made);
    let stored_ada = stored(&app, &ada).await.expect("stored");
    assert_eq!(
        stored_ada.password_hash, "",
        "no password until they set one"
    );

    // PUT with a new id creates (201); PUT again changes (200).
    let bob = UserId::generate().to_string();
    let put = app
        .put_json(
            &user(&t, &bob),
            &t.token,
            &json!({ "Id": bob, "ContactEmail": "bob@contoso.example", "RoleIds": [admin_role] }),
        )
        .await;
    let put = json_with_status(put, StatusCode::CREATED).await;
    assert_eq!(put["RoleIds"], json!([admin_role]));
    let changed = app
        .put_json(
            &user(&t, &bob),
            &t.token,
            &json!({ "Email": "robert@contoso.example", "RoleIds": [admin_role, member_role] }),
        )
        .await;
    let changed = json_with_status(changed, StatusCode::OK).await;
    assert_eq!(changed["Email"], "robert@contoso.example");
    assert_eq!(changed["RoleIds"], json!([admin_role, member_role]));
    let b = stored(&app, &bob).await.unwrap();
    assert!(
        b.tenant_roles.contains(Role::TenantAdministrator)
            && b.tenant_roles.contains(Role::TenantMember)
    );

    // POST /Users/{id}: the user already there is answered unchanged (200),
    // a new id is added (201).
    let again = app
        .post_json(
            &user(&t, &ada),
            &t.token,
            &json!({ "Email": "other@contoso.example" }),
        )
        .await;
    assert_eq!(json_with_status(again, StatusCode::OK).await, made);
    let carol = UserId::generate().to_string();
    let created = app
        .post_json(
            &user(&t, &carol),
            &t.token,
            &json!({ "Id": carol, "Email": "carol@contoso.example" }),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);

    // The address is one user's per tenant, whatever the case.
    let dup = app
        .post_json(
            &users(&t),
            &t.token,
            &json!({ "Email": "ADA@contoso.example" }),
        )
        .await;
    assert_error(
        dup,
        StatusCode::CONFLICT,
        "already has a user with the address ada@contoso.example",
    )
    .await;
    let dup = app
        .put_json(
            &user(&t, &bob),
            &t.token,
            &json!({ "Email": "carol@contoso.example" }),
        )
        .await;
    assert_error(dup, StatusCode::CONFLICT, "carol@contoso.example").await;
    assert_eq!(
        stored(&app, &bob).await.unwrap().email.as_str(),
        "robert@contoso.example"
    );
    // Another tenant may have the same address.
    let other = app.tenant("Fabrikam").await;
    add(&app, &other, "ada@contoso.example").await;

    // Bad input names the field, and writes nothing.
    let foreign_role = role_id(Role::TenantAdministrator, other.id);
    let bad = app
        .put_json(
            &user(&t, &ada),
            &t.token,
            &json!({ "RoleIds": [foreign_role] }),
        )
        .await;
    let body = assert_error(bad, StatusCode::BAD_REQUEST, "RoleIds").await;
    assert!(
        body.to_string().contains("is not a role of your tenant"),
        "{body}"
    );
    let bad = app
        .put_json(
            &user(&t, &ada),
            &t.token,
            &json!({ "RoleIds": ["not a guid"] }),
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "RoleIds").await;
    let many: Vec<String> = (0..101).map(|_| member_role.clone()).collect();
    let bad = app
        .put_json(&user(&t, &ada), &t.token, &json!({ "RoleIds": many }))
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "at most 100").await;
    let bad = app
        .post_json(&users(&t), &t.token, &json!({ "GivenName": "Nobody" }))
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "Email").await;
    let bad = app
        .post_json(&users(&t), &t.token, &json!({ "Email": "not an address" }))
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "Email").await;
    let bad = app
        .put_json(
            &user(&t, &ada),
            &t.token,
            &json!({ "Id": bob, "Email": "x@contoso.example" }),
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "Id").await;
    assert_eq!(stored(&app, &ada).await.unwrap(), stored_ada);
    let bad = app
        .post_json(&users(&t), &t.token, &json!({ "Email": 7 }))
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    // Removed: gone from the API and the store; a second DELETE finds nothing.
    let gone = app.delete(&user(&t, &ada), &t.token).await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&user(&t, &ada), &t.token).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(stored(&app, &ada).await.is_none());
    let listed = json_with_status(app.get(&users(&t), &t.token).await, StatusCode::OK).await;
    assert!(
        !listed.to_string().contains("ada@contoso.example"),
        "{listed}"
    );
    assert_eq!(
        app.delete(&user(&t, &ada), &t.token).await.status(),
        StatusCode::NOT_FOUND
    );
    // The address is free again.
    add(&app, &t, "ada@contoso.example").await;
}

#[tokio::test]
async fn a_tenant_member_reads_users_but_changes_nothing() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let ada = add(&app, &t, "ada@contoso.example").await;
    let (_, member) = app.client(t.id, &[Role::TenantMember]).await;

    assert_eq!(app.get(&users(&t), &member).await.status(), StatusCode::OK);
    assert_eq!(
        app.get(&user(&t, &ada), &member).await.status(),
        StatusCode::OK
    );
    let body = json!({ "Email": "eve@contoso.example" });
    let refused = [
        app.post_json(&users(&t), &member, &body).await,
        app.post_json(&user(&t, &UserId::generate().to_string()), &member, &body)
            .await,
        app.put_json(
            &user(&t, &ada),
            &member,
            &json!({ "RoleIds": [role_id(Role::TenantAdministrator, t.id)] }),
        )
        .await,
        app.delete(&user(&t, &ada), &member).await,
        app.post_json(&invitation(&t, &ada), &member, &json!({}))
            .await,
        app.put_json(&invitation(&t, &ada), &member, &json!({}))
            .await,
        app.delete(&invitation(&t, &ada), &member).await,
    ];
    for r in refused {
        assert_error(r, StatusCode::FORBIDDEN, "Tenant Administrator").await;
    }
    let u = stored(&app, &ada).await.unwrap();
    assert_eq!(u.tenant_roles.roles(), vec![Role::TenantMember]);
    let listed = json_with_status(app.get(&users(&t), &t.token).await, StatusCode::OK).await;
    assert!(!listed.to_string().contains("eve@"), "{listed}");
    let none = app.get(&invitation(&t, &ada), &member).await;
    assert_eq!(
        none.status(),
        StatusCode::NOT_FOUND,
        "no invitation was made"
    );
}

#[tokio::test]
async fn another_tenants_user_is_not_found() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let other = app.tenant("Fabrikam").await;
    let theirs = other.admin_user.to_string();
    let body = json!({ "Email": "taken.over@contoso.example" });

    for r in [
        app.get(&user(&t, &theirs), &t.token).await,
        app.post_json(&user(&t, &theirs), &t.token, &body).await,
        app.put_json(&user(&t, &theirs), &t.token, &body).await,
        app.delete(&user(&t, &theirs), &t.token).await,
        app.get(&invitation(&t, &theirs), &t.token).await,
        app.post_json(&invitation(&t, &theirs), &t.token, &json!({}))
            .await,
        app.put_json(&invitation(&t, &theirs), &t.token, &json!({}))
            .await,
        app.delete(&invitation(&t, &theirs), &t.token).await,
    ] {
        assert_error(r, StatusCode::NOT_FOUND, "your tenant has no user").await;
    }
    let u = stored(&app, &theirs).await.unwrap();
    assert_eq!(u.tenant, other.id);
    assert_eq!(u.email.as_str(), other.admin_email);
    assert_eq!(u.password_generation, 0);
    // Their tenant's path is refused outright.
    let foreign = app.get(&users(&other), &t.token).await;
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_last_tenant_administrator_stays() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let admin = t.admin_user.to_string();
    let member_role = role_id(Role::TenantMember, t.id);
    let admin_role = role_id(Role::TenantAdministrator, t.id);

    let removed = app.delete(&user(&t, &admin), &t.token).await;
    let body = assert_error(removed, StatusCode::CONFLICT, "last Tenant Administrator").await;
    assert!(body.to_string().contains("cannot be removed"), "{body}");
    let demoted = app
        .put_json(
            &user(&t, &admin),
            &t.token,
            &json!({ "RoleIds": [member_role] }),
        )
        .await;
    let body = assert_error(demoted, StatusCode::CONFLICT, "last Tenant Administrator").await;
    assert!(
        body.to_string()
            .contains("lose the Tenant Administrator role"),
        "{body}"
    );
    let u = stored(&app, &admin).await.unwrap();
    assert!(u.tenant_roles.contains(Role::TenantAdministrator));

    // With a second administrator, the first may step down, then go.
    let second = UserId::generate().to_string();
    let made = app
        .put_json(
            &user(&t, &second),
            &t.token,
            &json!({ "Email": "second@contoso.example", "RoleIds": [admin_role] }),
        )
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let demoted = app
        .put_json(
            &user(&t, &admin),
            &t.token,
            &json!({ "RoleIds": [member_role] }),
        )
        .await;
    let demoted = json_with_status(demoted, StatusCode::OK).await;
    assert_eq!(demoted["RoleIds"], json!([member_role]));
    assert_eq!(
        app.delete(&user(&t, &admin), &t.token).await.status(),
        StatusCode::NO_CONTENT
    );
    // Now the second is the last.
    let removed = app.delete(&user(&t, &second), &t.token).await;
    assert_error(
        removed,
        StatusCode::CONFLICT,
        "second@contoso.example is the tenant's last Tenant Administrator",
    )
    .await;
}

/// The one invitation email, checked word for word; its link.
fn invitation_link(
    email: &CapturedEmail,
    app: &TestApp,
    to: &str,
    tenant: &str,
    expires: &str,
) -> String {
    assert_eq!(email.envelope_to, vec![to.to_string()]);
    assert_eq!(email.subject, format!("You are invited to {tenant}"));
    let link = email.link("/password/").expect("a set-password link");
    let until = chrono::DateTime::parse_from_rfc3339(expires)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .format("%-d %B %Y at %H:%M UTC")
        .to_string();
    let text = email.text.replace("\r\n", "\n");
    assert_eq!(
        text.trim_end(),
        format!(
            "Hello,\n\nAn administrator of {tenant} invited you to sign in to {} with this email address. To accept, choose your password:\n{link}\n\nThe link works once, until {until}. Then sign in with tenant {tenant}, this email address and the password you chose.",
            app.ctx.public_url
        )
    );
    assert!(
        email.html.contains("CHOOSE YOUR PASSWORD"),
        "{}",
        email.html
    );
    assert!(email
        .html
        .contains("invited you to sign in with this email address"));
    link
}

#[tokio::test]
async fn an_invitation_emails_a_link_that_sets_a_password_once_and_signs_in() {
    let (smtp, app) = app_with_mail().await;
    let t = app.tenant("Contoso").await;
    let ada = add(&app, &t, "ada@contoso.example").await;
    assert_eq!(
        app.get(&invitation(&t, &ada), &t.token).await.status(),
        StatusCode::NOT_FOUND
    );

    // The library's getOrCreateInvitation sends State as a number.
    let made = app
        .post_json(
            &invitation(&t, &ada),
            &t.token,
            &json!({ "SendInvitation": true, "State": 1 }),
        )
        .await;
    let made = json_with_status(made, StatusCode::CREATED).await;
    assert_eq!(made["State"], "InvitationEmailSent");
    assert_eq!(made["UserId"], ada.as_str());
    assert_eq!(made["TenantId"], t.id.to_string());
    assert_eq!(made["Accepted"], Value::Null);
    assert_eq!(made["SendInvitation"], true);
    let issued = chrono::DateTime::parse_from_rfc3339(made["Issued"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(made["Expires"].as_str().unwrap()).unwrap();
    assert_eq!(
        expires - issued,
        chrono::Duration::days(7),
        "the operator's default"
    );
    // Asked again: the same invitation, no second email.
    let again = app
        .post_json(&invitation(&t, &ada), &t.token, &json!({}))
        .await;
    assert_eq!(
        json_with_status(again, StatusCode::OK).await["Id"],
        made["Id"]
    );

    let emails = smtp.wait_for(1).await;
    let link = invitation_link(
        &emails[0],
        &app,
        "ada@contoso.example",
        "Contoso",
        made["Expires"].as_str().unwrap(),
    );

    // The tenant's list and the lookup by id.
    let id = made["Id"].as_str().unwrap();
    let list = format!("/api/v1/Tenants/{}/Invitations", t.id);
    let listed = json_with_status(app.get(&list, &t.token).await, StatusCode::OK).await;
    assert_eq!(listed, json!([made]));
    let one = app.get(&format!("{list}/{id}"), &t.token).await;
    assert_eq!(json_with_status(one, StatusCode::OK).await, made);
    let unknown = app
        .get(&format!("{list}/{}", UserId::generate()), &t.token)
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // The link sets the first password; then the user signs in.
    let b = Browser::new(&app);
    let page = b.get(&link).await;
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert!(page.text().await.unwrap().contains("ada@contoso.example"));
    let (_, before) = sign_in(&app, "Contoso", "ada@contoso.example", "a guess at it").await;
    assert_eq!(
        before,
        StatusCode::UNAUTHORIZED,
        "no password before the link"
    );
    let done = set_password(&b, &link, "ada's own password").await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/login");
    let (signed_in, status) =
        sign_in(&app, "Contoso", "ada@contoso.example", "ada's own password").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(still_signed_in(&signed_in).await);

    let accepted = json_with_status(
        app.get(&invitation(&t, &ada), &t.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(accepted["State"], "InvitationAccepted");
    assert!(accepted["Accepted"].is_string(), "{accepted}");
    assert_eq!(accepted["Id"], made["Id"]);

    // Used once: the generic page, and the password stays.
    assert_invalid_link(&Browser::new(&app), &link).await;
    // An accepted invitation is not sent again: Forgot password is for that.
    let resend = app
        .put_json(&invitation(&t, &ada), &t.token, &json!({}))
        .await;
    assert_error(
        resend,
        StatusCode::CONFLICT,
        "accepted the invitation already",
    )
    .await;
    assert!(still_signed_in(&signed_in).await);
    assert_eq!(smtp.count(), 1);
}

#[tokio::test]
async fn a_resent_withdrawn_expired_or_removed_users_link_shows_the_invalid_link_page() {
    let (smtp, app) = app_with_mail().await;
    let t = app.tenant("Contoso").await;
    let b = Browser::new(&app);

    // Resent (PUT): a new link; the old one is dead.
    let ada = add(&app, &t, "ada@contoso.example").await;
    let first = app
        .put_json(&invitation(&t, &ada), &t.token, &json!({}))
        .await;
    let first = json_with_status(first, StatusCode::CREATED).await;
    let old = smtp.wait_for(1).await[0].link("/password/").unwrap();
    assert_eq!(b.get(&old).await.status(), StatusCode::OK);
    let resent = app
        .put_json(
            &invitation(&t, &ada),
            &t.token,
            &json!({ "SendInvitation": true }),
        )
        .await;
    let resent = json_with_status(resent, StatusCode::OK).await;
    assert_eq!(
        resent["Id"], first["Id"],
        "the same invitation, issued again"
    );
    let new = smtp.wait_for(2).await[1].link("/password/").unwrap();
    assert_ne!(new, old);
    assert_invalid_link(&b, &old).await;
    assert_eq!(b.get(&new).await.status(), StatusCode::OK);

    // Expired: the link and the state say so.
    app.clock
        .advance(chrono::Duration::days(7) + chrono::Duration::minutes(1));
    // Tokens expire with the clock too: a fresh one.
    let token = app.token(t.client_id, &t.client_secret).await;
    assert_invalid_link(&b, &new).await;
    let state =
        json_with_status(app.get(&invitation(&t, &ada), &token).await, StatusCode::OK).await;
    assert_eq!(state["State"], "InvitationExpired");

    // Withdrawn (DELETE): the link is dead and the invitation gone.
    let bob = add_as(&app, &t, &token, "bob@contoso.example").await;
    let made = app
        .post_json(&invitation(&t, &bob), &token, &json!({}))
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let bobs = smtp
        .wait_for_email("bob@contoso.example", "invited")
        .await
        .link("/password/")
        .unwrap();
    assert_eq!(b.get(&bobs).await.status(), StatusCode::OK);
    assert_eq!(
        app.delete(&invitation(&t, &bob), &token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_invalid_link(&b, &bobs).await;
    assert_eq!(
        app.get(&invitation(&t, &bob), &token).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(&invitation(&t, &bob), &token).await.status(),
        StatusCode::NOT_FOUND
    );

    // The user removed: the link is dead, and so is the invitation.
    let carol = add_as(&app, &t, &token, "carol@contoso.example").await;
    let made = app
        .post_json(&invitation(&t, &carol), &token, &json!({}))
        .await;
    let made = json_with_status(made, StatusCode::CREATED).await;
    let carols = smtp
        .wait_for_email("carol@contoso.example", "invited")
        .await
        .link("/password/")
        .unwrap();
    assert_eq!(
        app.delete(&user(&t, &carol), &token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_invalid_link(&b, &carols).await;
    let by_id = format!(
        "/api/v1/Tenants/{}/Invitations/{}",
        t.id,
        made["Id"].as_str().unwrap()
    );
    assert_eq!(
        app.get(&by_id, &token).await.status(),
        StatusCode::NOT_FOUND
    );

    // Not sent: no email, state None.
    let dan = add_as(&app, &t, &token, "dan@contoso.example").await;
    let quiet = app
        .post_json(
            &invitation(&t, &dan),
            &token,
            &json!({ "SendInvitation": false }),
        )
        .await;
    assert_eq!(
        json_with_status(quiet, StatusCode::CREATED).await["State"],
        "None"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(smtp.count(), 4);
}

#[tokio::test]
async fn removing_a_user_ends_their_sessions_and_other_changes_keep_them() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let id = app
        .user(t.id, "ada@contoso.example", &[Role::TenantMember])
        .await
        .to_string();
    let (ada, status) = sign_in(
        &app,
        "Contoso",
        "ada@contoso.example",
        "correct horse battery",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let admin_role = role_id(Role::TenantAdministrator, t.id);

    let promoted = app
        .put_json(
            &user(&t, &id),
            &t.token,
            &json!({ "RoleIds": [admin_role] }),
        )
        .await;
    assert_eq!(promoted.status(), StatusCode::OK);
    assert!(
        still_signed_in(&ada).await,
        "a role change keeps the session"
    );

    assert_eq!(
        app.delete(&user(&t, &id), &t.token).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(
        !still_signed_in(&ada).await,
        "the session ended with the user"
    );
    let (_, again) = sign_in(
        &app,
        "Contoso",
        "ada@contoso.example",
        "correct horse battery",
    )
    .await;
    assert_eq!(again, StatusCode::UNAUTHORIZED);
}
