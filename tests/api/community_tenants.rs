//! Member tenants of a community: the status machine (every legal and
//! illegal transition), who may pause, resume, remove and leave, and what
//! leaving takes with it.

use crate::helpers::*;
use communityd::domain::ids::TenantId;
use communityd::domain::role::Role;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

fn member_path(viewer: TenantId, community: &str, member: TenantId) -> String {
    format!(
        "{}/{community}/communitytenants/{member}",
        communities_path(viewer)
    )
}

/// PUT .../communitytenants/{member} {"Status": status} as `actor`.
async fn set_status(
    app: &TestApp,
    actor: &TestTenant,
    community: &str,
    member: TenantId,
    status: &str,
) -> Response {
    app.put_json(
        &member_path(actor.id, community, member),
        &actor.token,
        &json!({ "Status": status }),
    )
    .await
}

async fn remove(app: &TestApp, actor: &TestTenant, community: &str, member: TenantId) -> Response {
    app.delete(&member_path(actor.id, community, member), &actor.token)
        .await
}

fn pair(name: &str, status: &str) -> (String, String) {
    (name.to_string(), status.to_string())
}

/// Invites `member` and lets it accept; returns the invitation id.
async fn accept_only(
    app: &TestApp,
    inviter: &TestTenant,
    community: &str,
    member: &TestTenant,
) -> String {
    let inv = app.invite(inviter, community, &member.admin_email).await;
    let id = inv["Id"].as_str().expect("invitation Id").to_string();
    app.accept(&member.token, &id).await;
    id
}

async fn invitation(app: &TestApp, owner: &TestTenant, community: &str, id: &str) -> Response {
    app.get(
        &format!("{}/{id}", invitations_path(owner.id, community)),
        &owner.token,
    )
    .await
}

/// The status of a status change: 204 "nothing changed" has no body; 200
/// carries the member tenant as it is now.
async fn status_code(response: Response) -> StatusCode {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if status == StatusCode::OK {
        let member: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("a change answers with the member tenant ({e}): {text}"));
        assert!(
            member["Id"].is_string() && member["Status"].is_string(),
            "{text}"
        );
    } else {
        assert!(text.is_empty(), "{status} answers without a body: {text}");
    }
    status
}

/// A status change that changed something: the member tenant it answers with.
async fn changed(response: Response) -> Value {
    json_with_status(response, StatusCode::OK).await
}

// ---------------------------------------------------------------- legal transitions

#[tokio::test]
async fn status_active_for_an_awaiting_tenant_confirms_it_and_completes_the_invitation() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let inv = accept_only(&app, &contoso, &community, &fabrikam).await;
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![
            pair("Contoso", "Active"),
            pair("Fabrikam", "AwaitingConfirmation")
        ]
    );

    let response = set_status(&app, &contoso, &community, fabrikam.id, "Active").await;
    assert_eq!(status_code(response).await, StatusCode::OK);

    let both = vec![pair("Contoso", "Active"), pair("Fabrikam", "Active")];
    assert_eq!(app.member_statuses(&contoso, &community).await, both);
    assert_eq!(app.member_statuses(&fabrikam, &community).await, both);
    let stored = json_with_status(
        invitation(&app, &contoso, &community, &inv).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stored["State"], "InvitationCompleted");
    // The accepting identity became Community Administrator there.
    let clients = json_with_status(
        app.get(
            &format!(
                "{}/{community}/ClientCredentialClients",
                communities_path(fabrikam.id)
            ),
            &fabrikam.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(clients[0]["Id"], fabrikam.client_id.to_string());
    assert_eq!(clients[0]["RoleIds"].as_array().unwrap().len(), 2);
    // Confirming twice is not possible any more.
    assert_error(
        app.act(&contoso.token, &inv, "Confirm").await,
        StatusCode::CONFLICT,
        "InvitationCompleted",
    )
    .await;
}

#[tokio::test]
async fn only_the_inviting_tenant_confirms_through_status_active() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    accept_only(&app, &contoso, &community, &northwind).await;

    // Fabrikam is a Community Administrator, but did not send the invitation.
    let response = set_status(&app, &fabrikam, &community, northwind.id, "Active").await;
    assert_error(response, StatusCode::FORBIDDEN, "sent the invitation").await;
    // A Tenant Member client of the inviting tenant lacks the role.
    let (_, tenant_member) = app.client(contoso.id, &[Role::TenantMember]).await;
    let response = app
        .put_json(
            &member_path(contoso.id, &community, northwind.id),
            &tenant_member,
            &json!({ "Status": "Active" }),
        )
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "Community Administrator").await;
    assert!(app
        .member_statuses(&contoso, &community)
        .await
        .contains(&pair("Northwind", "AwaitingConfirmation")));
}

#[tokio::test]
async fn sharing_is_paused_and_resumed_and_repeating_a_status_changes_nothing() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    let alias = |m: TenantId| {
        format!(
            "{}/{community}/membertenants/{m}",
            communities_path(contoso.id)
        )
    };
    let tenantless = |m: TenantId| format!("/api/v1-preview/Communities/{community}/Tenants/{m}");

    // Active -> Active: 204.
    let r = set_status(&app, &contoso, &community, fabrikam.id, "Active").await;
    assert_eq!(status_code(r).await, StatusCode::NO_CONTENT);
    // Active -> Paused: 200 with the member tenant as it is now.
    let r = set_status(&app, &contoso, &community, fabrikam.id, "Paused").await;
    let paused = changed(r).await;
    assert_eq!(paused["Id"], fabrikam.id.to_string());
    assert_eq!(paused["Name"], "Fabrikam");
    assert_eq!(paused["Status"], "Paused");
    assert_eq!(paused["IsOwner"], false);
    assert_eq!(
        app.member_statuses(&fabrikam, &community).await,
        vec![pair("Contoso", "Active"), pair("Fabrikam", "Paused")]
    );
    // Paused -> Paused (through the membertenants alias): 204.
    let r = app
        .put_json(
            &alias(fabrikam.id),
            &contoso.token,
            &json!({ "Status": "Paused" }),
        )
        .await;
    assert_eq!(status_code(r).await, StatusCode::NO_CONTENT);
    // A paused tenant still sees the community.
    json_with_status(
        app.get(
            &format!("/api/v1-preview/Communities/{community}"),
            &fabrikam.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Paused -> Active (through the tenant-less route): 200.
    let r = app
        .put_json(
            &tenantless(fabrikam.id),
            &contoso.token,
            &json!({ "Status": "Active" }),
        )
        .await;
    assert_eq!(status_code(r).await, StatusCode::OK);
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active"), pair("Fabrikam", "Active")]
    );
    // The tenant-less list shows the same.
    let listed = json_with_status(
        app.get(
            &format!("/api/v1-preview/Communities/{community}/Tenants"),
            &fabrikam.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed[1]["Id"], fabrikam.id.to_string());
    assert_eq!(listed[1]["Status"], "Active");
    assert_eq!(listed[1]["IsOwner"], false);
    assert_eq!(listed[0]["IsOwner"], true);
}

#[tokio::test]
async fn status_remove_takes_an_active_tenant_out() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;

    let r = set_status(&app, &contoso, &community, fabrikam.id, "Remove").await;
    // Removed: answered as it was, with the status it was given.
    let removed = changed(r).await;
    assert_eq!(removed["Id"], fabrikam.id.to_string());
    assert_eq!(removed["Name"], "Fabrikam");
    assert_eq!(removed["Status"], "Remove");
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active")]
    );
    assert_error(
        app.get(
            &format!("{}/{community}", communities_path(fabrikam.id)),
            &fabrikam.token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not a member",
    )
    .await;
    // Gone means gone: a second Remove finds no such member.
    let r = set_status(&app, &contoso, &community, fabrikam.id, "Remove").await;
    assert_error(r, StatusCode::NOT_FOUND, "not a member").await;
}

#[tokio::test]
async fn status_remove_takes_a_paused_tenant_out() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    let r = set_status(&app, &contoso, &community, fabrikam.id, "Paused").await;
    assert_eq!(status_code(r).await, StatusCode::OK);

    let r = set_status(&app, &contoso, &community, fabrikam.id, "Remove").await;
    assert_eq!(status_code(r).await, StatusCode::OK);
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active")]
    );
    let listed = json_with_status(
        app.get(&communities_path(fabrikam.id), &fabrikam.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn status_remove_takes_an_awaiting_tenant_out_and_its_acceptance_is_void() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let inv = accept_only(&app, &contoso, &community, &fabrikam).await;

    let r = set_status(&app, &contoso, &community, fabrikam.id, "Remove").await;
    assert_eq!(status_code(r).await, StatusCode::OK);
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active")]
    );
    // The accepted invitation can no longer be confirmed.
    let confirm = app.act(&contoso.token, &inv, "Confirm").await;
    assert!(
        confirm.status().is_client_error(),
        "confirming a removed tenant's invitation: {}",
        confirm.status()
    );
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active")]
    );
    // It may be invited again.
    app.join(&contoso, &community, &fabrikam).await;
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active"), pair("Fabrikam", "Active")]
    );
}

// ---------------------------------------------------------------- illegal transitions

#[tokio::test]
async fn an_awaiting_tenant_cannot_be_paused() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    accept_only(&app, &contoso, &community, &fabrikam).await;

    let r = set_status(&app, &contoso, &community, fabrikam.id, "Paused").await;
    assert_error(r, StatusCode::CONFLICT, "AwaitingConfirmation").await;
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![
            pair("Contoso", "Active"),
            pair("Fabrikam", "AwaitingConfirmation")
        ]
    );
}

#[tokio::test]
async fn none_awaiting_confirmation_and_unknown_statuses_cannot_be_requested() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;

    for status in ["None", "AwaitingConfirmation", "Bogus"] {
        let r = set_status(&app, &contoso, &community, fabrikam.id, status).await;
        let error = assert_error(r, StatusCode::BAD_REQUEST, "Status").await;
        assert_eq!(error["Parameter"], "Status", "for {status}");
    }
    for body in [json!({}), json!({ "Status": 3 }), json!({ "Status": null })] {
        let r = app
            .put_json(
                &member_path(contoso.id, &community, fabrikam.id),
                &contoso.token,
                &body,
            )
            .await;
        assert_error(r, StatusCode::BAD_REQUEST, "Status").await;
    }
    // Also for the owner's own membership and an awaiting one.
    let r = set_status(&app, &contoso, &community, contoso.id, "None").await;
    assert_error(r, StatusCode::BAD_REQUEST, "Status").await;
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active"), pair("Fabrikam", "Active")]
    );
}

#[tokio::test]
async fn the_owner_can_neither_be_removed_nor_leave() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;

    let r = set_status(&app, &contoso, &community, contoso.id, "Remove").await;
    assert_error(r, StatusCode::CONFLICT, "owner").await;
    let r = remove(&app, &contoso, &community, contoso.id).await;
    assert_error(r, StatusCode::CONFLICT, "delete the community").await;
    let r = app
        .delete(
            &format!(
                "/api/v1-preview/Communities/{community}/Tenants/{}",
                contoso.id
            ),
            &contoso.token,
        )
        .await;
    assert_error(r, StatusCode::CONFLICT, "owner").await;
    // Nor can a member remove it.
    let r = remove(&app, &fabrikam, &community, contoso.id).await;
    assert!(
        r.status() == StatusCode::CONFLICT || r.status() == StatusCode::FORBIDDEN,
        "member removing the owner: {}",
        r.status()
    );
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active"), pair("Fabrikam", "Active")]
    );
}

#[tokio::test]
async fn an_unknown_member_tenant_is_not_found() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let northwind = app.tenant("Northwind").await;
    let community = app.community(&contoso, "Plant data").await;
    let unknown = TenantId::generate();

    for member in [unknown, northwind.id] {
        let r = set_status(&app, &contoso, &community, member, "Paused").await;
        assert_error(r, StatusCode::NOT_FOUND, &member.to_string()).await;
        let r = remove(&app, &contoso, &community, member).await;
        assert_error(r, StatusCode::NOT_FOUND, &member.to_string()).await;
    }
    let r = app
        .put_json(
            &format!(
                "{}/{community}/communitytenants/not-a-guid",
                communities_path(contoso.id)
            ),
            &contoso.token,
            &json!({ "Status": "Paused" }),
        )
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "memberTenantId").await;
}

// ---------------------------------------------------------------- who may pause

#[tokio::test]
async fn a_member_tenant_pauses_and_resumes_its_own_sharing() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;

    let r = set_status(&app, &fabrikam, &community, fabrikam.id, "Paused").await;
    assert_eq!(status_code(r).await, StatusCode::OK);
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active"), pair("Fabrikam", "Paused")]
    );
    let r = set_status(&app, &fabrikam, &community, fabrikam.id, "Active").await;
    assert_eq!(status_code(r).await, StatusCode::OK);
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active"), pair("Fabrikam", "Active")]
    );
}

#[tokio::test]
async fn a_member_tenant_cannot_pause_another_member_but_the_owner_can() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    app.join(&contoso, &community, &northwind).await;

    let r = set_status(&app, &fabrikam, &community, northwind.id, "Paused").await;
    assert_error(r, StatusCode::FORBIDDEN, "owns the community").await;
    let r = set_status(&app, &fabrikam, &community, contoso.id, "Paused").await;
    assert_error(r, StatusCode::FORBIDDEN, "owns the community").await;
    let (_, tenant_member) = app.client(contoso.id, &[Role::TenantMember]).await;
    let r = app
        .put_json(
            &member_path(contoso.id, &community, northwind.id),
            &tenant_member,
            &json!({ "Status": "Paused" }),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "Community Administrator").await;
    let everyone_active = vec![
        pair("Contoso", "Active"),
        pair("Fabrikam", "Active"),
        pair("Northwind", "Active"),
    ];
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        everyone_active
    );

    let r = set_status(&app, &contoso, &community, northwind.id, "Paused").await;
    assert_eq!(status_code(r).await, StatusCode::OK);
    assert_eq!(
        app.member_statuses(&fabrikam, &community).await,
        vec![
            pair("Contoso", "Active"),
            pair("Fabrikam", "Active"),
            pair("Northwind", "Paused"),
        ]
    );
}

// ---------------------------------------------------------------- leave and remove

#[tokio::test]
async fn a_member_tenant_leaves_and_can_be_invited_back() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    // Fabrikam gives one of its users a role there, to see it go.
    let members = format!("{}/{community}/Users", communities_path(fabrikam.id));
    let roles = json_with_status(
        app.get(
            &format!("/api/v1-preview/Communities/{community}/Roles"),
            &fabrikam.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let member_role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["Name"] == "Plant data Community Member")
        .unwrap()["Id"]
        .clone();
    json_with_status(
        app.put_json(
            &format!("{members}/{}", fabrikam.admin_user),
            &fabrikam.token,
            &json!([member_role]),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    let r = remove(&app, &fabrikam, &community, fabrikam.id).await;
    assert_eq!(status_code(r).await, StatusCode::NO_CONTENT);

    assert_error(
        app.get(
            &format!("{}/{community}", communities_path(fabrikam.id)),
            &fabrikam.token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not a member",
    )
    .await;
    assert_error(
        app.get(&members, &fabrikam.token).await,
        StatusCode::NOT_FOUND,
        "not a member",
    )
    .await;
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active")]
    );
    let listed = json_with_status(
        app.get(&communities_path(fabrikam.id), &fabrikam.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed, json!([]));

    // Back in through a new invitation: Active again, with no old grants.
    app.join(&contoso, &community, &fabrikam).await;
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active"), pair("Fabrikam", "Active")]
    );
    let users = json_with_status(app.get(&members, &fabrikam.token).await, StatusCode::OK).await;
    assert_eq!(users, json!([]), "the old grant did not survive leaving");
}

#[tokio::test]
async fn a_tenant_awaiting_confirmation_may_withdraw_by_leaving() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let inv = accept_only(&app, &contoso, &community, &fabrikam).await;

    let r = remove(&app, &fabrikam, &community, fabrikam.id).await;
    assert_eq!(status_code(r).await, StatusCode::NO_CONTENT);
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active")]
    );
    let confirm = app.act(&contoso.token, &inv, "Confirm").await;
    assert!(confirm.status().is_client_error(), "{}", confirm.status());
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active")]
    );
}

#[tokio::test]
async fn the_owner_removes_a_member_but_a_member_cannot_remove_another() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    app.join(&contoso, &community, &northwind).await;

    let r = remove(&app, &fabrikam, &community, northwind.id).await;
    assert_error(r, StatusCode::FORBIDDEN, "owns the community").await;
    let r = app
        .put_json(
            &member_path(fabrikam.id, &community, northwind.id),
            &fabrikam.token,
            &json!({ "Status": "Remove" }),
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "owns the community").await;
    let (_, tenant_member) = app.client(contoso.id, &[Role::TenantMember]).await;
    let r = app
        .delete(
            &member_path(contoso.id, &community, northwind.id),
            &tenant_member,
        )
        .await;
    assert_error(r, StatusCode::FORBIDDEN, "Community").await;
    assert_eq!(app.member_statuses(&contoso, &community).await.len(), 3);

    let r = remove(&app, &contoso, &community, northwind.id).await;
    assert_eq!(status_code(r).await, StatusCode::NO_CONTENT);
    assert_eq!(
        app.member_statuses(&fabrikam, &community).await,
        vec![pair("Contoso", "Active"), pair("Fabrikam", "Active")]
    );
    assert_error(
        app.get(
            &format!("/api/v1-preview/Communities/{community}"),
            &northwind.token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not a member",
    )
    .await;
}

#[tokio::test]
async fn leaving_withdraws_the_invitations_the_leaving_tenant_sent() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    // Fabrikam's client accepted, so it is Community Administrator and may invite.
    let sent = app
        .invite(&fabrikam, &community, &northwind.admin_email)
        .await;
    let id = sent["Id"].as_str().unwrap().to_string();
    assert_eq!(sent["IssuingTenantId"], fabrikam.id.to_string());

    let r = remove(&app, &fabrikam, &community, fabrikam.id).await;
    assert_eq!(status_code(r).await, StatusCode::NO_CONTENT);

    assert_error(
        app.act(&northwind.token, &id, "Accept").await,
        StatusCode::CONFLICT,
        "withdrawn",
    )
    .await;
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active")]
    );
}

#[tokio::test]
async fn leaving_drops_a_tenant_that_accepted_the_leavers_invitation_and_awaits_it() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    let id = accept_only(&app, &fabrikam, &community, &northwind).await;
    assert!(app
        .member_statuses(&contoso, &community)
        .await
        .contains(&pair("Northwind", "AwaitingConfirmation")));

    let r = remove(&app, &fabrikam, &community, fabrikam.id).await;
    assert_eq!(status_code(r).await, StatusCode::NO_CONTENT);

    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![pair("Contoso", "Active")]
    );
    let confirm = app.act(&fabrikam.token, &id, "Confirm").await;
    assert_error(confirm, StatusCode::CONFLICT, "withdrawn").await;
    // Northwind is free to be invited by the owner.
    app.join(&contoso, &community, &northwind).await;
    assert!(app
        .member_statuses(&contoso, &community)
        .await
        .contains(&pair("Northwind", "Active")));
}

#[tokio::test]
async fn a_member_list_needs_a_role_in_the_community() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let (_, tenant_member) = app.client(contoso.id, &[Role::TenantMember]).await;
    let response = app
        .get(
            &format!(
                "{}/{community}/communitytenants",
                communities_path(contoso.id)
            ),
            &tenant_member,
        )
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "Community Member").await;
    let body: Value = json_with_status(
        app.get(
            &format!(
                "{}/{community}/CommunityTenants",
                communities_path(contoso.id)
            ),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body[0]["Name"], "Contoso");
}

#[tokio::test]
async fn an_awaiting_tenant_cannot_confirm_or_pause_itself() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    accept_only(&app, &contoso, &community, &fabrikam).await;

    for status in ["Active", "Paused"] {
        let r = set_status(&app, &fabrikam, &community, fabrikam.id, status).await;
        assert_error(r, StatusCode::FORBIDDEN, "not confirmed").await;
    }
    assert_eq!(
        app.member_statuses(&contoso, &community).await,
        vec![
            pair("Contoso", "Active"),
            pair("Fabrikam", "AwaitingConfirmation")
        ]
    );
}
