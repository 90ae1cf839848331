//! A tenant's namespaces (`/api/v1/Tenants/{t}/Namespaces`) and their
//! access control lists: `default` plus every namespace holding something,
//! 404 for one holding nothing, the tenant's default list for namespaces
//! and a namespace's own list (GET, PUT, PATCH), changed by Tenant
//! Administrators only.

use crate::helpers::*;
use crate::sds_fixtures::{send, wave_type};
use communityd::domain::ids::TenantId;
use communityd::domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn tenant_path(tenant: impl std::fmt::Display) -> String {
    format!("/api/v1/Tenants/{tenant}")
}

fn ids(body: &Value) -> Vec<String> {
    body.as_array()
        .expect("array")
        .iter()
        .map(|n| n["Id"].as_str().expect("Id").to_string())
        .collect()
}

/// A list naming the tenant's Tenant Administrator role alone, with all rights.
fn admins_only(tenant: TenantId) -> Value {
    let role = Role::TenantAdministrator.instance_id(tenant.0);
    json!({"RoleTrusteeAccessControlEntries": [
        {"Trustee": {"Type": 3, "ObjectId": role, "TenantId": null}, "AccessType": 0, "AccessRights": 31}
    ]})
}

async fn member_token(app: &TestApp, owner: &TestTenant) -> String {
    app.client(owner.id, &[Role::TenantMember]).await.1
}

#[tokio::test]
async fn namespaces_are_default_and_every_one_holding_something() {
    let app = spawn_app().await;
    let owner = app.tenant("Namespace Owner").await;
    let base = tenant_path(owner.id);

    // A new tenant has `default` alone.
    let body = json_with_status(
        app.get(&format!("{base}/Namespaces"), &owner.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&body), vec!["default"]);
    assert_eq!(body[0]["State"], 1);
    assert_eq!(body[0]["Region"], "local");
    assert!(body[0]["Self"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/api/v1/Tenants/{}/Namespaces/default", owner.id)));

    // A type in "plant", a stream in "Lab" (kept lower-cased as its key).
    let typed = app
        .post_json(
            &format!("{base}/Namespaces/plant/Types/WaveData_SampleType"),
            &owner.token,
            &wave_type(),
        )
        .await;
    assert!(typed.status().is_success(), "{}", typed.status());
    app.post_json(
        &format!("{base}/Namespaces/Lab/Types/WaveData_SampleType"),
        &owner.token,
        &wave_type(),
    )
    .await;
    let stream = json!({"Id": "s1", "TypeId": "WaveData_SampleType"});
    let made = app
        .post_json(
            &format!("{base}/Namespaces/Lab/Streams/s1"),
            &owner.token,
            &stream,
        )
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);

    let body = json_with_status(
        app.get(&format!("{base}/Namespaces?region=local"), &owner.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&body), vec!["default", "lab", "plant"]);
    // Another region holds none of them.
    let body = json_with_status(
        app.get(&format!("{base}/Namespaces?region=elsewhere"), &owner.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body, json!([]));

    let one = json_with_status(
        app.get(&format!("{base}/Namespaces/PLANT"), &owner.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one["Id"], "plant");
    let one = json_with_status(
        app.get(&format!("{base}/Namespaces/default"), &owner.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one["Id"], "default");
    assert_error(
        app.get(&format!("{base}/Namespaces/empty"), &owner.token)
            .await,
        StatusCode::NOT_FOUND,
        "does not exist",
    )
    .await;

    // Another tenant's administrator sees none of them.
    let other = app.tenant("Namespace Stranger").await;
    assert_eq!(
        app.get(&format!("{base}/Namespaces"), &other.token)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&format!("{base}/Namespaces/plant"), &other.token)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_default_list_for_namespaces_is_read_by_members_and_changed_by_administrators() {
    let app = spawn_app().await;
    let owner = app.tenant("Namespace Admin").await;
    let member = member_token(&app, &owner).await;
    let path = format!("{}/AccessControl/Namespaces", tenant_path(owner.id));

    // Built in: administrators all rights, members Read and Write.
    let built_in = json_with_status(app.get(&path, &member).await, StatusCode::OK).await;
    let entries = built_in["RoleTrusteeAccessControlEntries"]
        .as_array()
        .expect("entries");
    assert_eq!(entries.len(), 2, "{built_in}");
    let rights: Vec<i64> = entries
        .iter()
        .map(|e| e["AccessRights"].as_i64().unwrap())
        .collect();
    assert_eq!(rights, vec![31, 3]);

    // A member may not change it, with PUT or PATCH.
    assert_error(
        app.put_json(&path, &member, &admins_only(owner.id)).await,
        StatusCode::FORBIDDEN,
        "ManageAccessControl",
    )
    .await;
    let remove_member = json!([{"op": "remove", "path": "/RoleTrusteeAccessControlEntries/1"}]);
    let patched = send(
        &app,
        Method::PATCH,
        &path,
        &member,
        Some(remove_member.clone()),
    )
    .await;
    assert_eq!(patched.status(), StatusCode::FORBIDDEN);

    // The administrator may; members then no longer see `default` listed.
    assert_eq!(
        send(
            &app,
            Method::PATCH,
            &path,
            &owner.token,
            Some(remove_member)
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    let stored = json_with_status(app.get(&path, &owner.token).await, StatusCode::OK).await;
    assert_eq!(
        stored["RoleTrusteeAccessControlEntries"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let listed = json_with_status(
        app.get(&format!("{}/Namespaces", tenant_path(owner.id)), &member)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed, json!([]));
    assert_eq!(
        app.get(
            &format!("{}/Namespaces/default", tenant_path(owner.id)),
            &member
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    let listed = json_with_status(
        app.get(
            &format!("{}/Namespaces", tenant_path(owner.id)),
            &owner.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&listed), vec!["default"]);

    // A bad body names its field.
    let bad = app
        .put_json(
            &path,
            &owner.token,
            &json!({"RoleTrusteeAccessControlEntries": [{"AccessType": 0}]}),
        )
        .await;
    let body = json_with_status(bad, StatusCode::BAD_REQUEST).await;
    assert!(
        body["Parameter"]
            .as_str()
            .unwrap_or_default()
            .contains("RoleTrusteeAccessControlEntries"),
        "{body}"
    );
}

#[tokio::test]
async fn a_namespace_list_overrides_the_default_for_that_namespace_only() {
    let app = spawn_app().await;
    let owner = app.tenant("Namespace Lists").await;
    let member = member_token(&app, &owner).await;
    let base = tenant_path(owner.id);
    app.post_json(
        &format!("{base}/Namespaces/plant/Types/WaveData_SampleType"),
        &owner.token,
        &wave_type(),
    )
    .await;
    let path = format!("{base}/Namespaces/plant/AccessControl");

    // Until set, a namespace's list is the default in force.
    let before = json_with_status(app.get(&path, &member).await, StatusCode::OK).await;
    let default = json_with_status(
        app.get(&format!("{base}/AccessControl/Namespaces"), &member)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(before, default);

    assert_error(
        app.put_json(&path, &member, &admins_only(owner.id)).await,
        StatusCode::FORBIDDEN,
        "ManageAccessControl",
    )
    .await;
    assert_eq!(
        app.put_json(&path, &owner.token, &admins_only(owner.id))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let after = json_with_status(app.get(&path, &owner.token).await, StatusCode::OK).await;
    assert_eq!(after, admins_only(owner.id));

    // The member no longer sees "plant", still sees "default".
    let listed = json_with_status(
        app.get(&format!("{base}/Namespaces"), &member).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&listed), vec!["default"]);
    assert_eq!(
        app.get(&path, &member).await.status(),
        StatusCode::NOT_FOUND
    );

    // PATCH gives the member Read back.
    let member_role = Role::TenantMember.instance_id(owner.id.0);
    let patch = json!([{"op": "add", "path": "/RoleTrusteeAccessControlEntries/-",
        "value": {"Trustee": {"Type": "Role", "ObjectId": member_role, "TenantId": null}, "AccessType": 0, "AccessRights": 1}}]);
    assert_eq!(
        send(&app, Method::PATCH, &path, &owner.token, Some(patch))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let listed = json_with_status(
        app.get(&format!("{base}/Namespaces"), &member).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&listed), vec!["default", "plant"]);

    // A namespace holding nothing has no list to change.
    let missing = app
        .put_json(
            &format!("{base}/Namespaces/nothing/AccessControl"),
            &owner.token,
            &admins_only(owner.id),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // A list naming a role of another tenant is refused, naming the field.
    let stranger = json!({"RoleTrusteeAccessControlEntries": [
        {"Trustee": {"Type": "Role", "ObjectId": uuid::Uuid::new_v4(), "TenantId": null}, "AccessType": 0, "AccessRights": 1}
    ]});
    assert_eq!(
        app.put_json(&path, &owner.token, &stranger).await.status(),
        StatusCode::BAD_REQUEST
    );
}
