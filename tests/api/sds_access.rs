//! A stream's access control list: its default, GET / PUT / PATCH, the
//! rights each change needs, Denied entries, owner and AccessRights.

use crate::helpers::*;
use crate::sds_fixtures::*;
use communityd::domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_new_stream_gives_administrators_everything_and_members_read_write() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    app.wave_stream(&t, "s", &[]).await;
    let acl = json_with_status(
        app.get(
            &format!("{}/AccessControl", stream_path(t.id, "s")),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let entries = acl["RoleTrusteeAccessControlEntries"]
        .as_array()
        .expect("entries");
    let admin = Role::TenantAdministrator.instance_id(t.id.0).to_string();
    let member = Role::TenantMember.instance_id(t.id.0).to_string();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0]["Trustee"],
        json!({"Type": 3, "ObjectId": admin, "TenantId": null})
    );
    assert_eq!(
        (
            entries[0]["AccessType"].clone(),
            entries[0]["AccessRights"].clone()
        ),
        (json!(0), json!(31))
    );
    assert_eq!(entries[1]["Trustee"]["ObjectId"], member);
    assert_eq!(entries[1]["AccessRights"], 3);
    let owner = json_with_status(
        app.get(&format!("{}/Owner", stream_path(t.id, "s")), &t.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(owner["ObjectId"], t.client_id.to_string());
    assert_eq!(owner["Type"], 2);
    let (_, member_token) = app.client(t.id, &[Role::TenantMember]).await;
    let rights = json_with_status(
        app.get(
            &format!("{}/AccessRights", stream_path(t.id, "s")),
            &member_token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(rights, json!(["Read", "Write"]));
    let rights = json_with_status(
        app.get(
            &format!("{}/AccessRights", stream_path(t.id, "s")),
            &t.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        rights,
        json!(["Read", "Write", "Delete", "ManageAccessControl", "Share"])
    );
}

#[tokio::test]
async fn changes_need_manage_access_control_and_denied_entries_hide_the_stream() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    app.wave_stream(&t, "s", &[1]).await;
    let (member_id, member_token) = app.client(t.id, &[Role::TenantMember]).await;
    let acl_path = format!("{}/AccessControl", stream_path(t.id, "s"));
    let deny = json!([{"op": "add", "path": "/RoleTrusteeAccessControlEntries/-", "value": {
        "AccessRights": "All", "AccessType": "Denied", "Trustee": {"Type": "Client", "ObjectId": member_id.to_string()}}}]);
    let r = send(
        &app,
        Method::PATCH,
        &acl_path,
        &member_token,
        Some(deny.clone()),
    )
    .await;
    assert_error(r, StatusCode::FORBIDDEN, "ManageAccessControl").await;
    let r = send(&app, Method::PATCH, &acl_path, &t.token, Some(deny)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // Denied everything: the stream is not there for that client.
    assert_error(
        app.get(&stream_path(t.id, "s"), &member_token).await,
        StatusCode::NOT_FOUND,
        "does not exist",
    )
    .await;
    let listed = json_with_status(
        app.get(&format!("{}/Streams", ns(t.id)), &member_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed, json!([]));

    // PUT replaces the list; the administrator role loses Delete.
    let admin = Role::TenantAdministrator.instance_id(t.id.0).to_string();
    let (_, admin2) = app.client(t.id, &[Role::TenantAdministrator]).await;
    let list = json!({"RoleTrusteeAccessControlEntries": [
        {"Trustee": {"Type": 3, "ObjectId": admin}, "AccessType": 0, "AccessRights": 27}]});
    assert_eq!(
        app.put_json(&acl_path, &t.token, &list).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_error(
        app.delete(&stream_path(t.id, "s"), &admin2).await,
        StatusCode::FORBIDDEN,
        "Delete",
    )
    .await;
    // The owner keeps every right whatever the list says.
    assert_eq!(
        app.get(&stream_path(t.id, "s"), &t.token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_lists_and_patches_are_400s_naming_the_field() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    app.wave_stream(&t, "s", &[]).await;
    let acl_path = format!("{}/AccessControl", stream_path(t.id, "s"));
    let r = app
        .put_json(
            &acl_path,
            &t.token,
            &json!({"RoleTrusteeAccessControlEntries": [
        {"Trustee": {"Type": 3, "ObjectId": uuid::Uuid::now_v7()}, "AccessRights": 1}]}),
        )
        .await;
    let body = assert_error(r, StatusCode::BAD_REQUEST, "is not a role").await;
    assert_eq!(
        body["Parameter"],
        "RoleTrusteeAccessControlEntries[0].Trustee.ObjectId"
    );
    let r = app
        .put_json(
            &acl_path,
            &t.token,
            &json!({"RoleTrusteeAccessControlEntries": [
        {"Trustee": {"Type": "Group", "ObjectId": uuid::Uuid::now_v7()}}]}),
        )
        .await;
    assert_error(r, StatusCode::BAD_REQUEST, "Trustee.Type").await;
    let r = send(
        &app,
        Method::PATCH,
        &acl_path,
        &t.token,
        Some(json!([{"op": "remove", "path": "/RoleTrusteeAccessControlEntries/9"}])),
    )
    .await;
    assert_error(r, StatusCode::BAD_REQUEST, "does not apply").await;
    let r = send(
        &app,
        Method::PATCH,
        &acl_path,
        &t.token,
        Some(json!({"op": "add"})),
    )
    .await;
    assert_error(r, StatusCode::BAD_REQUEST, "JSON Patch").await;
    let acl = json_with_status(app.get(&acl_path, &t.token).await, StatusCode::OK).await;
    assert_eq!(
        acl["RoleTrusteeAccessControlEntries"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "unchanged"
    );
}
