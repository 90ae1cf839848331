//! JSON Patch of a stream's documents (access control list, metadata):
//! rights are checked before any work, and no patch can grow a document
//! past what a replacement could send, however it copies.

use crate::helpers::*;
use crate::sds_fixtures::*;
use communityd::domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A 2 KB string, then `copy` of the whole document into itself, which
/// doubles it each time: 12 copies make 8 MB, 40 would make terabytes, from
/// a request of a few kilobytes.
fn doubling_patch(times: usize) -> Value {
    let seed = json!({"op": "add", "path": "/Seed", "value": "x".repeat(2000)});
    let copies = (0..times).map(|i| json!({"op": "copy", "from": "", "path": format!("/Copy{i}")}));
    Value::Array(std::iter::once(seed).chain(copies).collect())
}

/// A stream whose list gives Tenant Members Read only; its members' token.
async fn read_only_member(app: &TestApp, t: &TestTenant) -> String {
    app.wave_stream(t, "s", &[1]).await;
    let admin = Role::TenantAdministrator.instance_id(t.id.0).to_string();
    let member = Role::TenantMember.instance_id(t.id.0).to_string();
    let list = json!({"RoleTrusteeAccessControlEntries": [
        {"Trustee": {"Type": 3, "ObjectId": admin}, "AccessType": 0, "AccessRights": 31},
        {"Trustee": {"Type": 3, "ObjectId": member}, "AccessType": 0, "AccessRights": 1}]});
    let acl_path = format!("{}/AccessControl", stream_path(t.id, "s"));
    assert_eq!(
        app.put_json(&acl_path, &t.token, &list).await.status(),
        StatusCode::NO_CONTENT
    );
    app.client(t.id, &[Role::TenantMember]).await.1
}

async fn acl(app: &TestApp, t: &TestTenant) -> Value {
    let path = format!("{}/AccessControl", stream_path(t.id, "s"));
    json_with_status(app.get(&path, &t.token).await, StatusCode::OK).await
}

#[tokio::test]
async fn a_reader_is_refused_before_the_patch_runs_even_when_it_changes_nothing() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let reader = read_only_member(&app, &t).await;
    let acl_path = format!("{}/AccessControl", stream_path(t.id, "s"));
    let before = acl(&app, &t).await;
    for body in [json!([]), doubling_patch(12)] {
        let r = send(&app, Method::PATCH, &acl_path, &reader, Some(body)).await;
        assert_error(r, StatusCode::FORBIDDEN, "ManageAccessControl").await;
    }
    // A PUT of the same list is a change of the list too.
    let r = send(&app, Method::PUT, &acl_path, &reader, Some(before.clone())).await;
    assert_error(r, StatusCode::FORBIDDEN, "ManageAccessControl").await;
    assert_eq!(acl(&app, &t).await, before);
}

#[tokio::test]
async fn a_doubling_patch_is_refused_at_the_limit_and_nothing_is_stored() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let reader = read_only_member(&app, &t).await;
    let acl_path = format!("{}/AccessControl", stream_path(t.id, "s"));
    let before = acl(&app, &t).await;
    let r = send(
        &app,
        Method::PATCH,
        &acl_path,
        &t.token,
        Some(doubling_patch(12)),
    )
    .await;
    let body = assert_error(r, StatusCode::BAD_REQUEST, "larger than 262144 bytes").await;
    assert!(body["Reason"].as_str().unwrap().starts_with('['), "{body}");
    assert_eq!(acl(&app, &t).await, before);

    // The metadata's patch is bounded the same way (a member may write it).
    let meta_path = format!("{}/Metadata", stream_path(t.id, "s"));
    let r = send(
        &app,
        Method::PATCH,
        &meta_path,
        &t.token,
        Some(doubling_patch(12)),
    )
    .await;
    assert_error(r, StatusCode::BAD_REQUEST, "larger than 262144 bytes").await;

    // Too many operations: refused by count, whatever they do.
    let many = Value::Array(vec![json!({"op": "test", "path": "", "value": {}}); 101]);
    let r = send(&app, Method::PATCH, &acl_path, &t.token, Some(many)).await;
    assert_error(r, StatusCode::BAD_REQUEST, "at most 100").await;

    // The server still serves, and a small patch still works.
    let r = app.get(&stream_path(t.id, "s"), &reader).await;
    assert_eq!(r.status(), StatusCode::OK);
    let small = json!([{"op": "replace", "path": "/RoleTrusteeAccessControlEntries/1/AccessRights", "value": 3}]);
    let r = send(&app, Method::PATCH, &acl_path, &t.token, Some(small)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        acl(&app, &t).await["RoleTrusteeAccessControlEntries"][1]["AccessRights"],
        3
    );
}
