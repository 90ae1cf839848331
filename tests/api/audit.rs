//! The audit log as the use cases write it: each change's event in its own
//! transaction, with who, from where and in which request; nothing for a
//! change refused; failed sign-ins; retention; and a backup keeps it.
//! (The log is read here through the store; its API is tested with it.)

use crate::helpers::*;
use crate::sds_fixtures::{send, stream_path};
use communityd::app::{expiry, identity};
use communityd::domain::audit::{AuditEvent, AuditFilter, AuditKind, AuditPage};
use communityd::domain::ids::{ClientId, PrincipalId, TenantId};
use communityd::operator::client;
use communityd::store::{audit_events, Store, StoreError};
use reqwest::{Method, Response, StatusCode};
use serde_json::json;

/// The events `tenant` sees of these kinds, newest first.
async fn events_of(app: &TestApp, tenant: TenantId, kinds: &[AuditKind]) -> Vec<AuditEvent> {
    read_events(&app.ctx.store, tenant, kinds).await
}

async fn read_events(store: &Store, tenant: TenantId, kinds: &[AuditKind]) -> Vec<AuditEvent> {
    let filter = AuditFilter {
        kinds: kinds.to_vec(),
        ..AuditFilter::default()
    };
    let page = AuditPage {
        after: None,
        count: 1000,
    };
    store
        .read(move |tx| Ok::<_, StoreError>(audit_events::list(tx, tenant, &filter, page)?.events))
        .await
        .expect("the audit log reads")
}

/// Every event in the store, oldest first.
async fn all_events(store: &Store) -> Vec<AuditEvent> {
    store
        .read(|tx| audit_events::all_after(tx, None, 100_000))
        .await
        .expect("the audit log reads")
}

/// The response's status and its `Operation-Id` header.
async fn answered(response: Response, status: StatusCode) -> String {
    let id = response
        .headers()
        .get("operation-id")
        .and_then(|v| v.to_str().ok())
        .expect("an Operation-Id header")
        .to_string();
    json_with_status(response, status).await;
    id
}

fn by_client(event: &AuditEvent) -> Option<(ClientId, TenantId)> {
    let actor = event.actor.as_ref()?;
    match actor.principal {
        PrincipalId::Client(id) => Some((id, actor.tenant)),
        PrincipalId::User(_) => None,
    }
}

const MEMBERSHIP: [AuditKind; 7] = [
    AuditKind::InvitationCreated,
    AuditKind::InvitationAccepted,
    AuditKind::MembershipConfirmed,
    AuditKind::MembershipPaused,
    AuditKind::MembershipResumed,
    AuditKind::MembershipRemoved,
    AuditKind::MembershipLeft,
];

#[tokio::test]
async fn an_invitation_accepted_confirmed_paused_and_removed_writes_each_event_for_both_tenants() {
    let app = spawn_app().await;
    let owner = app.tenant("Audit Owner").await;
    let member = app.tenant("Audit Member").await;
    let community = app.community(&owner, "Audited").await;
    let invited = app
        .post_json(
            &invitations_path(owner.id, &community),
            &owner.token,
            &json!({ "InvitationRecipient": member.admin_email }),
        )
        .await;
    let id = invited
        .headers()
        .get("operation-id")
        .and_then(|v| v.to_str().ok())
        .expect("an Operation-Id header")
        .to_string();
    let invitation = json_with_status(invited, StatusCode::CREATED).await;
    let invitation = invitation["Id"].as_str().expect("Id").to_string();
    let mut operations = vec![id];
    operations.push(
        answered(
            app.act(&member.token, &invitation, "Accept").await,
            StatusCode::OK,
        )
        .await,
    );
    operations.push(
        answered(
            app.act(&owner.token, &invitation, "Confirm").await,
            StatusCode::OK,
        )
        .await,
    );
    let member_path = format!(
        "{}/{community}/communitytenants/{}",
        communities_path(owner.id),
        member.id
    );
    let paused = app
        .put_json(&member_path, &owner.token, &json!({ "Status": "Paused" }))
        .await;
    operations.push(answered(paused, StatusCode::OK).await);
    let removed = app.delete(&member_path, &owner.token).await;
    let removed_id = removed
        .headers()
        .get("operation-id")
        .and_then(|v| v.to_str().ok())
        .expect("an Operation-Id header")
        .to_string();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    operations.push(removed_id);

    let of_owner = events_of(&app, owner.id, &MEMBERSHIP).await;
    let kinds: Vec<AuditKind> = of_owner.iter().rev().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            AuditKind::InvitationCreated,
            AuditKind::InvitationAccepted,
            AuditKind::MembershipConfirmed,
            AuditKind::MembershipPaused,
            AuditKind::MembershipRemoved,
        ]
    );
    let in_order: Vec<&AuditEvent> = of_owner.iter().rev().collect();
    let ids: Vec<&str> = in_order.iter().map(|e| e.operation_id.as_str()).collect();
    assert_eq!(
        ids, operations,
        "each event names its request's Operation-Id"
    );
    let actors: Vec<Option<(ClientId, TenantId)>> = in_order.iter().map(|e| by_client(e)).collect();
    let (by_owner, by_member) = (
        Some((owner.client_id, owner.id)),
        Some((member.client_id, member.id)),
    );
    assert_eq!(
        actors,
        vec![by_owner, by_member, by_owner, by_owner, by_owner]
    );
    for event in &in_order {
        assert_eq!(event.address, Some([127, 0, 0, 1].into()), "{event:?}");
        assert_eq!(
            event.actor.as_ref().and_then(|a| a.name.as_deref()),
            Some("admin client"),
            "the actor's name as known: {event:?}"
        );
    }
    assert_eq!(
        in_order[0].subject.id, invitation,
        "the invitation is the subject"
    );
    assert_eq!(
        in_order[4].subject.id,
        format!("{community}/{}", member.id),
        "the membership is the subject"
    );

    // The member sees every change to its membership, from its acceptance
    // on (the invitation named no tenant before).
    let of_member = events_of(&app, member.id, &MEMBERSHIP).await;
    let seen: Vec<AuditKind> = of_member.iter().rev().map(|e| e.kind).collect();
    assert_eq!(seen, kinds[1..].to_vec());
    let same: Vec<&AuditEvent> = of_member.iter().rev().collect();
    assert_eq!(same, in_order[1..].to_vec(), "one event, seen by both");

    // A third tenant sees none of it.
    let stranger = app.tenant("Audit Stranger").await;
    assert!(events_of(&app, stranger.id, &MEMBERSHIP).await.is_empty());
}

#[tokio::test]
async fn a_share_and_its_end_are_seen_by_every_member_tenant() {
    let app = spawn_app().await;
    let owner = app.tenant("Sharing Owner").await;
    let member = app.tenant("Sharing Member").await;
    let community = app.community(&owner, "Shared Log").await;
    app.join(&owner, &community, &member).await;
    app.wave_stream(&owner, "flow", &[1, 2]).await;
    app.share_ok(&owner, &community, "flow").await;
    let acl_path = format!("{}/AccessControl", stream_path(owner.id, "flow"));
    let acl = json_with_status(app.get(&acl_path, &owner.token).await, StatusCode::OK).await;
    let role = app.member_role(&owner, &community).await;
    let at = acl["RoleTrusteeAccessControlEntries"]
        .as_array()
        .expect("entries")
        .iter()
        .position(|e| e["Trustee"]["ObjectId"] == role.as_str())
        .expect("the share's entry");
    let unshare =
        json!([{ "op": "remove", "path": format!("/RoleTrusteeAccessControlEntries/{at}") }]);
    let ended = send(&app, Method::PATCH, &acl_path, &owner.token, Some(unshare)).await;
    assert_eq!(ended.status(), StatusCode::NO_CONTENT);

    let kinds = [AuditKind::ShareAdded, AuditKind::ShareRemoved];
    let of_owner = events_of(&app, owner.id, &kinds).await;
    let of_member = events_of(&app, member.id, &kinds).await;
    assert_eq!(of_owner, of_member, "one event each, seen by both tenants");
    let seen: Vec<AuditKind> = of_member.iter().rev().map(|e| e.kind).collect();
    assert_eq!(seen, kinds.to_vec());
    for event in &of_member {
        assert_eq!(by_client(event), Some((owner.client_id, owner.id)));
        assert!(
            event.subject.id.starts_with(&community) && event.subject.id.ends_with("/flow"),
            "{event:?}"
        );
    }
}

#[tokio::test]
async fn a_refused_change_writes_no_event() {
    let app = spawn_app().await;
    let owner = app.tenant("Refusing Owner").await;
    let member = app.tenant("Refusing Member").await;
    let community = app.community(&owner, "Refusals").await;
    let before = all_events(&app.ctx.store).await;

    // 400: a recipient that is no address.
    let bad = app
        .post_json(
            &invitations_path(owner.id, &community),
            &owner.token,
            &json!({ "InvitationRecipient": "not an address" }),
        )
        .await;
    assert_error(bad, StatusCode::BAD_REQUEST, "").await;
    // 403: a tenant that is not in the community pausing its owner.
    let not_in = app
        .put_json(
            &format!(
                "{}/{community}/communitytenants/{}",
                communities_path(member.id),
                owner.id
            ),
            &member.token,
            &json!({ "Status": "Paused" }),
        )
        .await;
    assert!(not_in.status().is_client_error(), "{}", not_in.status());
    // 409: the owner leaving its own community.
    let leave = app
        .delete(
            &format!(
                "{}/{community}/communitytenants/{}",
                communities_path(owner.id),
                owner.id
            ),
            &owner.token,
        )
        .await;
    assert!(leave.status().is_client_error(), "{}", leave.status());
    // 403: a Tenant Member granting itself roles.
    let (_, plain) = app
        .client(owner.id, &[communityd::domain::role::Role::TenantMember])
        .await;
    let grant = app
        .post_json(
            &invitations_path(owner.id, &community),
            &plain,
            &json!({ "InvitationRecipient": "someone@example.com" }),
        )
        .await;
    assert_eq!(grant.status(), StatusCode::FORBIDDEN);

    let after = all_events(&app.ctx.store).await;
    let new: Vec<&AuditEvent> = after
        .iter()
        .filter(|e| !before.contains(e))
        .filter(|e| e.kind != AuditKind::SignInSucceeded && e.kind != AuditKind::ClientCreated)
        .collect();
    assert!(new.is_empty(), "refused changes wrote {new:?}");
}

#[tokio::test]
async fn failed_and_right_password_sign_ins_are_recorded_for_the_tenant() {
    let app = spawn_app().await;
    let tenant = app.tenant("Signing In").await;
    let wrong = identity::login(
        &app.ctx,
        tenant.id,
        &tenant.admin_email,
        "wrong",
        loopback(),
    )
    .await;
    assert!(wrong.is_err());
    let nobody = identity::login(
        &app.ctx,
        tenant.id,
        "nobody@example.com",
        "wrong",
        loopback(),
    )
    .await;
    assert!(nobody.is_err());
    identity::login(
        &app.ctx,
        tenant.id,
        &tenant.admin_email,
        &tenant.admin_password,
        loopback(),
    )
    .await
    .expect("the right password signs in");

    let failed = events_of(&app, tenant.id, &[AuditKind::SignInFailed]).await;
    assert_eq!(failed.len(), 2, "{failed:?}");
    let subjects: Vec<(&str, &str)> = failed
        .iter()
        .rev()
        .map(|e| (e.subject.kind.as_str(), e.subject.id.as_str()))
        .collect();
    let admin = tenant.admin_user.to_string();
    assert_eq!(
        subjects,
        vec![
            ("User", admin.as_str()),
            ("SignInName", "nobody@example.com")
        ]
    );
    assert!(failed.iter().all(|e| e.actor.is_none()));
    assert!(failed.iter().all(|e| e.visible_to == vec![tenant.id]));

    let signed_in = events_of(&app, tenant.id, &[AuditKind::SignInSucceeded]).await;
    let by_password: Vec<&AuditEvent> = signed_in
        .iter()
        .filter(|e| e.detail.contains("\"Password\""))
        .collect();
    assert_eq!(by_password.len(), 1, "{signed_in:?}");
    let actor = by_password[0].actor.as_ref().expect("the user signed in");
    assert_eq!(actor.principal, PrincipalId::User(tenant.admin_user));
    assert_eq!(actor.name.as_deref(), Some(tenant.admin_email.as_str()));
    // The fixture's client token was a sign-in too.
    assert!(signed_in
        .iter()
        .any(|e| e.detail.contains("ClientCredentials")
            && by_client(e) == Some((tenant.client_id, tenant.id))));
}

#[tokio::test]
async fn a_wrong_client_secret_is_a_failed_sign_in_of_that_client() {
    let app = spawn_app().await;
    let tenant = app.tenant("Wrong Secret").await;
    let response = app
        .token_response(&tenant.client_id.to_string(), "not the secret")
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let failed = events_of(&app, tenant.id, &[AuditKind::SignInFailed]).await;
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].subject.id, tenant.client_id.to_string());
    assert_eq!(failed[0].address, Some([127, 0, 0, 1].into()));
}

#[tokio::test]
async fn the_retention_sweep_deletes_only_events_older_than_the_setting() {
    let app = spawn_app_with(|s| s.audit_retention_days = 30).await;
    let owner = app.tenant("Retained").await;
    let old = all_events(&app.ctx.store).await;
    assert!(!old.is_empty());
    app.clock.advance(chrono::Duration::days(31));
    let token = app.token(owner.client_id, &owner.client_secret).await;
    let made = app
        .post_json(
            &communities_path(owner.id),
            &token,
            &json!({ "Name": "Made Later", "Description": "after a month" }),
        )
        .await;
    json_with_status(made, StatusCode::CREATED).await;
    let swept = expiry::sweep_audit_events(&app.ctx).await.expect("sweep");
    assert_eq!(swept, old.len());
    let left = all_events(&app.ctx.store).await;
    assert!(left.iter().all(|e| !old.contains(e)), "{left:?}");
    let kinds: Vec<AuditKind> = left.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![AuditKind::SignInSucceeded, AuditKind::CommunityCreated]
    );
    assert_eq!(
        expiry::sweep_audit_events(&app.ctx).await.expect("sweep"),
        0
    );
    assert_eq!(events_of(&app, owner.id, &[]).await.len(), 2);
}

#[tokio::test]
async fn audit_events_survive_a_backup_and_its_restore() {
    if redb_only("backups and restores of the redb file") {
        return;
    }
    let app = spawn_app().await;
    let owner = app.tenant("Backed Up Log").await;
    app.community(&owner, "Logged").await;
    let live = app.stop().await;
    let (before, everything) = {
        let store = Store::open(live.path()).expect("store");
        (
            read_events(&store, owner.id, &[]).await,
            all_events(&store).await,
        )
    };
    // The fixture's tenant and its client are made at one instant by two
    // commands; the tenant's own events keep their order.
    let mut kinds: Vec<AuditKind> = before.iter().rev().map(|e| e.kind).collect();
    let made = kinds.iter().position(|k| *k == AuditKind::TenantCreated);
    let first_user = kinds.iter().position(|k| *k == AuditKind::UserCreated);
    assert!(made < first_user, "{kinds:?}");
    let mut expected = vec![
        AuditKind::TenantCreated,
        AuditKind::UserCreated,
        AuditKind::ClientCreated,
        AuditKind::SignInSucceeded,
        AuditKind::CommunityCreated,
    ];
    kinds.sort();
    expected.sort();
    assert_eq!(kinds, expected);
    let backups = tempfile::tempdir().expect("dir");
    let file = backups.path().join("backup.redb");
    client::backup(live.path(), &file).expect("backup");
    let target = tempfile::tempdir().expect("dir");
    client::restore(target.path(), &file).expect("restore");
    let restored = Store::open(target.path()).expect("the restored store opens");
    assert_eq!(read_events(&restored, owner.id, &[]).await, before);
    assert_eq!(all_events(&restored).await, everything);
}
