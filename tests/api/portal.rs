//! The portal pages an administrator works in: the Invitations tab (paging,
//! filter, Confirm Tenant where it is needed), tenant settings, the Roles
//! tab, the community edit form, and the words pages use.

use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use reqwest::StatusCode;
use serde_json::Value;

async fn html(b: &Browser, path: &str) -> String {
    let r = b.get(path).await;
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// Creates a community through the page, so the signed-in person is its
/// Community Administrator; returns its id.
async fn create_community(b: &Browser, name: &str) -> String {
    let csrf = hidden(&html(b, "/communities").await, "csrf");
    let r = b
        .post(
            "/communities",
            &[("csrf", &csrf), ("name", name), ("description", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    location(&r).trim_start_matches("/communities/").to_string()
}

/// Invites through the Invitations tab's form.
async fn invite(b: &Browser, community: &str, recipient: &str) -> reqwest::Response {
    let tab = format!("/communities/{community}?tab=invitations");
    let csrf = hidden(&html(b, &tab).await, "csrf");
    b.post(
        &format!("/communities/{community}/invitations"),
        &[("csrf", &csrf), ("recipient", recipient)],
    )
    .await
}

/// The id of the newest invitation to `recipient`, as the API lists it.
async fn invitation_id(app: &TestApp, t: &TestTenant, community: &str, recipient: &str) -> String {
    let list = json_with_status(
        app.get(&invitations_path(t.id, community), &t.token).await,
        StatusCode::OK,
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|i| i["InvitationRecipient"].as_str() == Some(recipient))
        .and_then(|i| i["Id"].as_str())
        .expect("invitation listed")
        .to_string()
}

/// The recipients of the Invitations tab's table rows, top to bottom.
fn recipients(html: &str) -> Vec<String> {
    html.split("data-recipient=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

/// The `<tr>` of one recipient, for checking its buttons.
fn row_of<'a>(html: &'a str, recipient: &str) -> &'a str {
    let start = html
        .find(&format!("data-recipient=\"{recipient}\""))
        .unwrap_or_else(|| panic!("no row for {recipient}"));
    let end = html[start..].find("</tr>").unwrap() + start;
    &html[start..end]
}

#[tokio::test]
async fn invitations_tab_pages_newest_first_with_awaiting_confirmation_on_top_and_a_state_filter() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let b = Browser::new(&app);
    b.login(&contoso, "/communities").await;
    let community = create_community(&b, "Plant data").await;
    // The oldest invitation is the one Fabrikam accepts: newest-first alone
    // would push it to the last page.
    invite(&b, &community, &fabrikam.admin_email).await;
    let accepted = invitation_id(&app, &contoso, &community, &fabrikam.admin_email).await;
    app.accept(&fabrikam.token, &accepted).await;
    for i in 0..21 {
        let r = invite(&b, &community, &format!("person{i:02}@elsewhere.example")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
    let tab = format!("/communities/{community}?tab=invitations");
    let first = html(&b, &tab).await;

    let rows = recipients(&first);
    assert_eq!(rows.len(), 20, "twenty rows a page");
    assert_eq!(rows[0], fabrikam.admin_email, "awaiting confirmation first");
    assert_eq!(rows[1], "person20@elsewhere.example", "then newest first");
    assert_eq!(rows[19], "person02@elsewhere.example");
    let awaiting = first
        .split("Awaiting your confirmation")
        .nth(1)
        .expect("an awaiting-confirmation section at the top");
    assert!(awaiting.contains(
        "<strong>Fabrikam</strong> accepted the invitation sent to admin@fabrikam.example"
    ));
    let confirm_url = format!("/communities/{community}/invitations/{accepted}/confirm");
    assert!(awaiting
        .split("</section>")
        .next()
        .unwrap()
        .contains(&confirm_url));
    let row = row_of(&first, &fabrikam.admin_email);
    assert!(
        row.contains(&confirm_url),
        "Confirm Tenant on the accepted row: {row}"
    );
    assert!(row.contains(">Confirm Tenant<"));
    assert!(!row_of(&first, "person20@elsewhere.example").contains("/confirm"));
    assert!(first.contains("Invitation Accepted") && first.contains("Invitation Pending"));
    assert!(
        !first.contains(">InvitationAccepted<"),
        "no state names as text"
    );

    let older = format!("{tab}&amp;state=all&amp;skip=20");
    assert!(first.contains(&older), "a link to the older page");
    let second = html(&b, &format!("{tab}&state=all&skip=20")).await;
    assert_eq!(
        recipients(&second),
        ["person01@elsewhere.example", "person00@elsewhere.example"],
        "the rest, without repeating the accepted one"
    );
    assert!(second.contains("← Newer") && !second.contains("Older →"));

    let pending = html(&b, &format!("{tab}&state=pending")).await;
    let pending_rows = recipients(&pending);
    assert_eq!(pending_rows.len(), 20);
    assert!(!pending_rows.contains(&fabrikam.admin_email));
    let only_accepted = html(&b, &format!("{tab}&state=accepted")).await;
    assert_eq!(
        recipients(&only_accepted),
        vec![fabrikam.admin_email.to_string()]
    );
    let declined = html(&b, &format!("{tab}&state=declined")).await;
    assert!(recipients(&declined).is_empty());
    assert!(declined.contains("No invitations in this state."));

    // Confirm Tenant from the row: a confirmation step, then a redirect.
    let csrf = hidden(&first, "csrf");
    let ask = b.post(&confirm_url, &[("csrf", &csrf)]).await;
    assert_eq!(ask.status(), StatusCode::OK);
    let ask = ask.text().await.unwrap();
    assert!(ask.contains("Confirm Tenant?") && ask.contains("Fabrikam"));
    let done = b
        .post(&confirm_url, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), format!("/communities/{community}"));
    let members = app.member_statuses(&contoso, &community).await;
    assert!(members.contains(&("Fabrikam".to_string(), "Active".to_string())));
    let after = html(&b, &tab).await;
    assert!(!after.contains("Awaiting your confirmation"));
}

#[tokio::test]
async fn invite_flash_says_queued_and_errors_speak_the_portals_words() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let b = Browser::new(&app);
    b.login(&contoso, "/communities").await;
    let community = create_community(&b, "Plant data").await;
    let tab = format!("/communities/{community}?tab=invitations");
    let csrf = hidden(&html(&b, &tab).await, "csrf");
    let path = format!("/communities/{community}/invitations");
    let sent = b
        .post(
            &path,
            &[("csrf", &csrf), ("recipient", "Ann@Elsewhere.example")],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let page = html(&b, &tab).await;
    assert!(page.contains("Invitation queued for email"), "{page}");
    assert!(!page.contains("Invitation sent."));
    assert!(page.contains("the link in the earlier email stops working"));

    let again = b
        .post(
            &path,
            &[("csrf", &csrf), ("recipient", "ann@elsewhere.example")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let text = again.text().await.unwrap();
    let message = text
        .split("<p class=\"message\">")
        .nth(1)
        .unwrap()
        .split("</p>")
        .next()
        .unwrap();
    assert_eq!(
        message,
        "ann@elsewhere.example already has an open invitation to this community."
    );
}

/// A multipart body as a browser sends it for the icon form.
fn icon_form(csrf: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----portal-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"icon\"; filename=\"icon.png\"\r\nContent-Type: image/png\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn tiny_png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 2, 2);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer
            .write_image_data(&[0, 96, 138, 255].repeat(4))
            .unwrap();
    }
    out
}

async fn upload(b: &Browser, csrf: &str, file: &[u8]) -> reqwest::Response {
    let (content_type, body) = icon_form(csrf, file);
    b.http
        .post(b.url("/tenant/icon"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn tenant_settings_rename_and_upload_an_icon_under_the_api_rules() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let b = Browser::new(&app);
    b.login(&contoso, "/tenant").await;
    let page = html(&b, "/tenant").await;
    assert!(page.contains("No icon yet."));
    let csrf = hidden(&page, "csrf");

    let forged = b
        .post("/tenant/name", &[("csrf", "wrong"), ("company_name", "X")])
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let renamed = b
        .post(
            "/tenant/name",
            &[("csrf", &csrf), ("company_name", "Contoso Ltd")],
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&renamed), "/tenant");
    let tenant = json_with_status(
        app.get(&format!("/api/v1/Tenants/{}", contoso.id), &contoso.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(tenant["CompanyName"], "Contoso Ltd");
    let blank = b
        .post("/tenant/name", &[("csrf", &csrf), ("company_name", "  ")])
        .await;
    assert_eq!(blank.status(), StatusCode::BAD_REQUEST);
    assert!(blank.text().await.unwrap().contains("class=\"error\""));

    let icon_api = format!("/api/v1/Tenants/{}/Icon", contoso.id);
    // The API answers an unset icon with an empty string.
    let stored_icon = || async {
        let v: Value =
            json_with_status(app.get(&icon_api, &contoso.token).await, StatusCode::OK).await;
        v.as_str().unwrap_or_default().to_string()
    };
    let not_png = upload(&b, &csrf, b"GIF89a not a png at all").await;
    assert_eq!(not_png.status(), StatusCode::BAD_REQUEST);
    assert!(not_png.text().await.unwrap().contains("is not a PNG image"));
    assert_eq!(stored_icon().await, "");
    assert_eq!(b.get("/tenant/icon").await.status(), StatusCode::NOT_FOUND);
    let forged = upload(&b, "wrong", &tiny_png()).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let png = tiny_png();
    let saved = upload(&b, &csrf, &png).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let page = html(&b, "/tenant").await;
    assert!(
        page.contains("src=\"/tenant/icon\""),
        "a preview of the stored icon"
    );
    let shown = b.get("/tenant/icon").await;
    assert_eq!(shown.status(), StatusCode::OK);
    assert_eq!(shown.headers()["content-type"], "image/png");
    assert_eq!(shown.bytes().await.unwrap().to_vec(), png);
    assert!(
        !stored_icon().await.is_empty(),
        "the API sees the same icon"
    );

    let ask = b.post("/tenant/icon/delete", &[("csrf", &csrf)]).await;
    assert_eq!(ask.status(), StatusCode::OK);
    let ask = ask.text().await.unwrap();
    assert!(ask.contains("Remove icon?") && ask.contains("class=\"danger\" data-confirm"));
    assert!(!stored_icon().await.is_empty(), "asking changes nothing");
    let removed = b
        .post(
            "/tenant/icon/delete",
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored_icon().await, "");
}

#[tokio::test]
async fn a_tenant_member_sees_settings_but_cannot_change_them() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    app.user(
        contoso.id,
        "member@contoso.example",
        &[communityd::domain::role::Role::TenantMember],
    )
    .await;
    let member = TestTenant {
        admin_email: "member@contoso.example".into(),
        ..contoso
    };
    let b = Browser::new(&app);
    b.login(&member, "/tenant").await;
    let page = html(&b, "/tenant").await;
    assert!(!page.contains("action=\"/tenant/name\""));
    let csrf = hidden(&page, "csrf");
    let refused = b
        .post(
            "/tenant/name",
            &[("csrf", &csrf), ("company_name", "Mine now")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = upload(&b, &csrf, &tiny_png()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

/// The community roles of one identity, as the API lists them.
async fn api_roles(app: &TestApp, t: &TestTenant, community: &str, user: &str) -> Vec<String> {
    let list = json_with_status(
        app.get(
            &format!(
                "/api/v1-preview/Tenants/{}/Communities/{community}/Users",
                t.id
            ),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let Some(entry) = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["Id"].as_str() == Some(user))
    else {
        return Vec::new();
    };
    let mut names: Vec<String> = entry["RoleIds"]
        .as_array()
        .or(entry["Roles"].as_array())
        .unwrap_or_else(|| panic!("roles in {entry}"))
        .iter()
        .map(|r| {
            r.as_str()
                .map(String::from)
                .unwrap_or_else(|| r["Id"].as_str().unwrap().to_string())
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn roles_tab_grants_and_revokes_by_the_api_rules() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let bob = app
        .user(
            contoso.id,
            "bob@contoso.example",
            &[communityd::domain::role::Role::TenantMember],
        )
        .await
        .to_string();
    let b = Browser::new(&app);
    b.login(&contoso, "/communities").await;
    let tab = format!("/communities/{community}?tab=roles");
    let page = html(&b, &tab).await;
    assert!(
        page.contains("data-identity=\"bob@contoso.example\""),
        "an identity without roles is offered"
    );
    let csrf = hidden(&page, "csrf");
    let save = format!("/communities/{community}/roles/users/{bob}");

    let forged = b.post(&save, &[("csrf", "wrong"), ("member", "yes")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // The rule is on the tab before anyone trips over it.
    assert!(
        page.contains("id=\"roles-hint\"") && page.contains("aria-describedby=\"roles-hint\""),
        "the hint is on the tab, tied to each form"
    );
    assert!(page.contains("Keep Community Member ticked when you save"));
    // Saved without Community Member anyway: the tab again, saying why and
    // keeping the ticks as sent, not a page without a way on.
    for sent in [vec![], vec![("moderator", "yes")]] {
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend(sent.iter().copied());
        let refused = b.post(&save, &fields).await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let refused = refused.text().await.unwrap();
        assert!(
            refused.contains("class=\"error\" role=\"alert\">The roles of bob@contoso.example were not saved: Community Member is needed for any other role."),
            "{refused}"
        );
        assert!(
            refused.contains(&format!("href=\"{tab}\" aria-current=\"page\"")),
            "on the Roles tab"
        );
        assert!(refused.contains("data-identity=\"bob@contoso.example\""));
        let moderator_ticked = refused.contains("name=\"moderator\" value=\"yes\" checked");
        assert_eq!(moderator_ticked, !sent.is_empty(), "the ticks as sent");
        assert!(api_roles(&app, &contoso, &community, &bob).await.is_empty());
    }

    let granted = b
        .post(
            &save,
            &[("csrf", &csrf), ("member", "yes"), ("moderator", "yes")],
        )
        .await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&granted), tab);
    assert_eq!(api_roles(&app, &contoso, &community, &bob).await.len(), 2);
    let page = html(&b, &tab).await;
    assert!(page.contains("Roles saved."));

    let revoke = format!("{save}/revoke");
    let ask = b.post(&revoke, &[("csrf", &csrf)]).await;
    assert_eq!(ask.status(), StatusCode::OK);
    let ask = ask.text().await.unwrap();
    assert!(ask.contains("Revoke roles?") && ask.contains("bob@contoso.example loses every role"));
    assert_eq!(
        api_roles(&app, &contoso, &community, &bob).await.len(),
        2,
        "asking changes nothing"
    );
    let revoked = b
        .post(&revoke, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert!(api_roles(&app, &contoso, &community, &bob).await.is_empty());
}

#[tokio::test]
async fn community_edit_form_saves_name_and_description_for_the_owner_only() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let b = Browser::new(&app);
    b.login(&contoso, "/communities").await;
    let community = create_community(&b, "Plant data").await;
    // Fabrikam joins, confirmed through the page by its creator.
    invite(&b, &community, &fabrikam.admin_email).await;
    let id = invitation_id(&app, &contoso, &community, &fabrikam.admin_email).await;
    app.accept(&fabrikam.token, &id).await;
    let csrf = hidden(&html(&b, "/communities").await, "csrf");
    let confirmed = b
        .post(
            &format!("/communities/{community}/invitations/{id}/confirm"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::SEE_OTHER);
    let details = html(&b, &format!("/communities/{community}")).await;
    assert!(details.contains(&format!("href=\"/communities/{community}/edit\"")));
    let form = html(&b, &format!("/communities/{community}/edit")).await;
    let csrf = hidden(&form, "csrf");
    let path = format!("/communities/{community}/edit");

    let bad = b
        .post(
            &path,
            &[("csrf", &csrf), ("name", " "), ("description", "kept")],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad = bad.text().await.unwrap();
    assert!(
        bad.contains("class=\"error\"") && bad.contains("Name "),
        "{bad}"
    );
    assert!(bad.contains(">kept</textarea>"), "what was typed stays");

    let saved = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("name", "Plant data 2"),
                ("description", "Sensors of line 1"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let details = html(&b, &format!("/communities/{community}")).await;
    assert!(details.contains("<h1>Plant data 2</h1>"));
    assert!(details.contains("Sensors of line 1"));

    let other = Browser::new(&app);
    other.login(&fabrikam, "/communities").await;
    let theirs = html(&other, &format!("/communities/{community}")).await;
    assert!(
        !theirs.contains("/edit\""),
        "no edit link for a member tenant"
    );
    let csrf = hidden(&theirs, "csrf");
    let refused = other
        .post(
            &path,
            &[("csrf", &csrf), ("name", "Taken over"), ("description", "")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_in_says_why_and_keeps_the_email_after_a_wrong_password() {
    let smtp = crate::smtp::SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| s.smtp_url = url).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.invite(&contoso, &community, &fabrikam.admin_email)
        .await;
    let link = smtp.wait_for(1).await[0].link("/invitations/").unwrap();
    let b = Browser::new(&app);
    let to_login = location(&b.get(&link).await);
    assert!(to_login.starts_with("/login?next="));
    let page = html(&b, &to_login).await;
    assert!(
        page.contains("<strong>Contoso</strong> invited your tenant to join the community <strong>Plant data</strong>"),
        "{page}"
    );
    let tampered = html(&b, "/login?next=%2Finvitations%2Fnot-a-token").await;
    assert!(
        !tampered.contains("data-reason"),
        "a bad link gets no reason"
    );

    // Each sign-in page sets a fresh token; use the latest.
    let csrf = hidden(&tampered, "login_csrf");
    let step2 = b
        .post(
            "/login",
            &[
                ("login_csrf", &csrf),
                ("tenant", "Fabrikam"),
                ("next", "/communities"),
            ],
        )
        .await
        .text()
        .await
        .unwrap();
    let tenant_id = hidden(&step2, "tenant_id");
    let wrong = b
        .post(
            "/login",
            &[
                ("login_csrf", &csrf),
                ("tenant_id", &tenant_id),
                ("email", &fabrikam.admin_email),
                ("password", "not the password"),
                ("next", "/communities"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong = wrong.text().await.unwrap();
    assert!(
        wrong.contains(&format!("value=\"{}\"", fabrikam.admin_email)),
        "{wrong}"
    );
}

#[tokio::test]
async fn decline_leads_on_and_a_removed_tenant_is_told_in_plain_words() {
    let smtp = crate::smtp::SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| s.smtp_url = url).await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let community = app.community(&contoso, "Plant data").await;
    let declined = app
        .invite_id(&contoso, &community, &northwind.admin_email)
        .await;

    let b = Browser::new(&app);
    b.login(&northwind, "/communities").await;
    let csrf = hidden(&html(&b, "/communities").await, "csrf");
    let ask = b
        .post(
            "/invitations/answer",
            &[
                ("csrf", &csrf),
                ("invitation", &declined),
                ("answer", "decline"),
            ],
        )
        .await;
    assert_eq!(ask.status(), StatusCode::OK);
    assert!(ask
        .text()
        .await
        .unwrap()
        .contains("class=\"danger\">Decline invitation<"));
    let done = b
        .post(
            "/invitations/answer",
            &[
                ("csrf", &csrf),
                ("invitation", &declined),
                ("answer", "decline"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/communities");
    let list = html(&b, "/communities").await;
    assert!(list.contains("Invitation declined; the inviting tenant has been told."));

    app.invite(&contoso, &community, &fabrikam.admin_email)
        .await;
    let link = smtp
        .wait_for_email(&fabrikam.admin_email, "Plant data")
        .await
        .link("/invitations/")
        .unwrap();
    let f = Browser::new(&app);
    f.login(&fabrikam, "/communities").await;
    let landing = html(&f, &link).await;
    let csrf = hidden(&landing, "csrf");
    let id = hidden(&landing, "invitation");
    f.post(
        "/invitations/answer",
        &[("csrf", &csrf), ("invitation", &id), ("answer", "join")],
    )
    .await;
    json_with_status(
        app.act(&contoso.token, &id, "Confirm").await,
        StatusCode::OK,
    )
    .await;
    let removed = app
        .delete(
            &format!(
                "{}/{community}/communitytenants/{}",
                communities_path(contoso.id),
                fabrikam.id
            ),
            &contoso.token,
        )
        .await;
    assert!(removed.status().is_success());
    let again = html(&f, &link).await;
    assert!(
        again.contains("This invitation was already used"),
        "{again}"
    );
    assert!(again.contains("your tenant Fabrikam is not a member of Plant data now"));
    assert!(!again.contains("Invitation Completed"));
}

#[tokio::test]
async fn an_unknown_portal_address_is_a_page_and_an_unknown_api_path_is_json() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let b = Browser::new(&app);
    for signed_in in [false, true] {
        if signed_in {
            b.login(&contoso, "/communities").await;
        }
        let r = b.get("/communites/typo").await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let page = r.text().await.unwrap();
        assert!(page.contains("<h1>Page not found</h1>"), "{page}");
        assert!(page.contains("href=\"/static/favicon.svg\""));
        let onward = if signed_in {
            "<a href=\"/communities\">Back to communities</a>"
        } else {
            "<a href=\"/login\">Sign in</a>"
        };
        assert!(page.contains(onward), "a way on: {page}");
    }
    for path in [
        "/api/v1/nothing",
        "/API/v1-preview/Nothing/here",
        "/identity/nope",
    ] {
        let r = b.get(path).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["Reason"], "no such route", "{path}: {body}");
        assert!(body["OperationId"].is_string(), "{path}: {body}");
    }
    for path in ["/favicon.ico", "/static/favicon.svg"] {
        let r = b.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()["content-type"], "image/svg+xml");
        assert!(r.text().await.unwrap().starts_with("<svg "));
    }
}
