//! The tenant's Users page in the portal, through the real server and the
//! real SMTP capture: a Tenant Administrator invites, resends, changes
//! roles, deactivates, reactivates and removes; the rules the API keeps
//! come back as messages on the page; a Tenant Member only reads it.

use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use crate::users::{
    app_with_mail, assert_invalid_link, set_password, sign_in, still_signed_in, stored, users,
};
use communityd::domain::role::Role;
use reqwest::StatusCode;

/// The Users page's forms, posted as a browser does.
async fn users_page(b: &Browser) -> (String, String) {
    let page = b.get("/tenant/users").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    (page, csrf)
}

#[tokio::test]
async fn the_users_page_invites_changes_roles_deactivates_and_removes() {
    let (smtp, app) = app_with_mail().await;
    let t = app.tenant("Contoso").await;
    let admin = Browser::new(&app);
    admin.login(&t, "/tenant/users").await;
    let (page, csrf) = users_page(&admin).await;
    assert!(
        page.contains("<a href=\"/tenant/users\">Users</a>"),
        "in the nav"
    );
    assert!(page.contains("Invite a colleague") && page.contains(&t.admin_email));

    // Invite: the user is made and emailed.
    let sent = admin
        .post(
            "/tenant/users/invite",
            &[
                ("csrf", &csrf),
                ("email", "ada@contoso.example"),
                ("member", "yes"),
            ],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&sent), "/tenant/users");
    let (page, _) = users_page(&admin).await;
    assert!(page.contains("Invitation queued for email"), "{page}");
    assert!(
        page.contains("ada@contoso.example") && page.contains("Invitation sent (until "),
        "{page}"
    );
    let email = smtp
        .wait_for_email("ada@contoso.example", "You are invited to Contoso")
        .await;
    let link = email.link("/password/").unwrap();
    let ada = {
        let listed = json_with_status(app.get(&users(&t), &t.token).await, StatusCode::OK).await;
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["Email"] == "ada@contoso.example")
            .unwrap()["Id"]
            .as_str()
            .unwrap()
            .to_string()
    };

    // The same address again: a message on the page, not an error page.
    let again = admin
        .post(
            "/tenant/users/invite",
            &[("csrf", &csrf), ("email", "ADA@contoso.example")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let again = again.text().await.unwrap();
    assert!(
        again.contains("class=\"error\" role=\"alert\"")
            && again.contains("already has a user with the address ada@contoso.example"),
        "{again}"
    );

    // Resend: a new link, the old one dead.
    let resent = admin
        .post(&format!("/tenant/users/{ada}/resend"), &[("csrf", &csrf)])
        .await;
    assert_eq!(resent.status(), StatusCode::SEE_OTHER);
    let emails = smtp.wait_for(2).await;
    let new_link = emails[1].link("/password/").unwrap();
    assert_invalid_link(&Browser::new(&app), &link).await;

    // The last Tenant Administrator: the rule as a message on the page.
    let me = t.admin_user.to_string();
    let dropped = admin
        .post(
            &format!("/tenant/users/{me}/roles"),
            &[("csrf", &csrf), ("member", "yes")],
        )
        .await;
    assert_eq!(dropped.status(), StatusCode::CONFLICT);
    let dropped = dropped.text().await.unwrap();
    assert!(dropped.contains("is the tenant&#x27;s last Tenant Administrator and cannot lose the Tenant Administrator role") || dropped.contains("is the tenant's last Tenant Administrator and cannot lose the Tenant Administrator role"), "{dropped}");
    let removed = admin
        .post(
            &format!("/tenant/users/{me}/remove"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::CONFLICT);
    assert!(stored(&app, &me)
        .await
        .unwrap()
        .tenant_roles
        .contains(Role::TenantAdministrator));

    // Ada accepts, then is made an administrator with the tick boxes.
    let b = Browser::new(&app);
    assert_eq!(
        set_password(&b, &new_link, "ada's own password")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let (ada_b, status) =
        sign_in(&app, "Contoso", "ada@contoso.example", "ada's own password").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let saved = admin
        .post(
            &format!("/tenant/users/{ada}/roles"),
            &[("csrf", &csrf), ("administrator", "yes"), ("member", "yes")],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let roles = stored(&app, &ada).await.unwrap().tenant_roles;
    assert!(roles.contains(Role::TenantAdministrator) && roles.contains(Role::TenantMember));
    let (page, _) = users_page(&admin).await;
    assert!(page.contains("Accepted"), "{page}");

    // Deactivate asks first, then signs Ada out; she cannot sign in or
    // get a set-password link until reactivated.
    let asked = admin
        .post(
            &format!("/tenant/users/{ada}/deactivate"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    assert!(asked.text().await.unwrap().contains("Deactivate user?"));
    assert!(still_signed_in(&ada_b).await, "asking changed nothing");
    let done = admin
        .post(
            &format!("/tenant/users/{ada}/deactivate"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert!(!still_signed_in(&ada_b).await, "her session ended");
    let (_, status) = sign_in(&app, "Contoso", "ada@contoso.example", "ada's own password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (page, _) = users_page(&admin).await;
    assert!(
        page.contains("Deactivated") && page.contains("Reactivate"),
        "{page}"
    );
    let back = admin
        .post(
            &format!("/tenant/users/{ada}/reactivate"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let (_, status) = sign_in(&app, "Contoso", "ada@contoso.example", "ada's own password").await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Remove asks first, then the user is gone.
    let asked = admin
        .post(&format!("/tenant/users/{ada}/remove"), &[("csrf", &csrf)])
        .await;
    assert!(asked.text().await.unwrap().contains("Remove user?"));
    assert!(stored(&app, &ada).await.is_some());
    let gone = admin
        .post(
            &format!("/tenant/users/{ada}/remove"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(gone.status(), StatusCode::SEE_OTHER);
    assert!(stored(&app, &ada).await.is_none());
    // A form without the page's token changes nothing.
    let forged = admin
        .post(
            "/tenant/users/invite",
            &[("csrf", "not-the-token"), ("email", "eve@contoso.example")],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_tenant_member_sees_the_users_page_without_its_forms() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    let id = app
        .user(t.id, "ada@contoso.example", &[Role::TenantMember])
        .await;
    let (ada, status) = sign_in(
        &app,
        "Contoso",
        "ada@contoso.example",
        "correct horse battery",
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (page, csrf) = users_page(&ada).await;
    assert!(
        page.contains(&t.admin_email) && page.contains("Tenant Administrator"),
        "{page}"
    );
    assert!(
        !page.contains("Invite a colleague") && !page.contains("/remove"),
        "{page}"
    );
    let refused = ada
        .post(
            "/tenant/users/invite",
            &[("csrf", &csrf), ("email", "eve@contoso.example")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let admin = t.admin_user.to_string();
    let refused = ada
        .post(
            &format!("/tenant/users/{admin}/remove"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(stored(&app, &admin).await.is_some());
    assert!(stored(&app, &id.to_string()).await.is_some());
}
