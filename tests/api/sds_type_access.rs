//! A type's access control, as a stream's: the default list and owner, the
//! rights each call needs, a list that hides the type from Tenant Members,
//! only the tenant's own roles as trustees, and AccessRights.

use crate::helpers::*;
use crate::sds_fixtures::*;
use communityd::domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const TYPE_ID: &str = "WaveData_SampleType";

fn type_path(tenant: impl std::fmt::Display) -> String {
    format!("{}/Types/{TYPE_ID}", ns(tenant))
}

async fn made_type(app: &TestApp, t: &TestTenant) {
    let created = app
        .post_json(&type_path(t.id), &t.token, &wave_type())
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
}

async fn json_of(app: &TestApp, path: &str, token: &str) -> Value {
    json_with_status(app.get(path, token).await, StatusCode::OK).await
}

#[tokio::test]
async fn a_new_type_gives_administrators_everything_members_read_write_and_its_creator_owns_it() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    made_type(&app, &t).await;
    let acl = json_of(
        &app,
        &format!("{}/AccessControl", type_path(t.id)),
        &t.token,
    )
    .await;
    let entries = acl["RoleTrusteeAccessControlEntries"].as_array().unwrap();
    let admin = Role::TenantAdministrator.instance_id(t.id.0).to_string();
    let member = Role::TenantMember.instance_id(t.id.0).to_string();
    assert_eq!(entries.len(), 2, "{acl}");
    assert_eq!(
        (
            &entries[0]["Trustee"]["ObjectId"],
            &entries[0]["AccessRights"]
        ),
        (&json!(admin), &json!(31))
    );
    assert_eq!(
        (
            &entries[1]["Trustee"]["ObjectId"],
            &entries[1]["AccessRights"]
        ),
        (&json!(member), &json!(3))
    );
    let owner = json_of(&app, &format!("{}/Owner", type_path(t.id)), &t.token).await;
    assert_eq!(
        (&owner["Type"], &owner["ObjectId"]),
        (&json!(2), &json!(t.client_id.to_string()))
    );
    let (_, member_token) = app.client(t.id, &[Role::TenantMember]).await;
    let rights = json_of(
        &app,
        &format!("{}/AccessRights", type_path(t.id)),
        &member_token,
    )
    .await;
    assert_eq!(rights, json!(["Read", "Write"]));
    let rights = json_of(&app, &format!("{}/AccessRights", type_path(t.id)), &t.token).await;
    assert_eq!(
        rights,
        json!(["Read", "Write", "Delete", "ManageAccessControl", "Share"])
    );
}

#[tokio::test]
async fn a_list_without_the_member_role_hides_the_type_from_members_and_only_managers_change_it() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    made_type(&app, &t).await;
    let (_, member) = app.client(t.id, &[Role::TenantMember]).await;
    let acl_path = format!("{}/AccessControl", type_path(t.id));
    let admin_only = json!({"RoleTrusteeAccessControlEntries": [{
        "Trustee": {"Type": "Role", "ObjectId": Role::TenantAdministrator.instance_id(t.id.0)},
        "AccessType": 0, "AccessRights": 31
    }]});

    let refused = send(
        &app,
        Method::PUT,
        &acl_path,
        &member,
        Some(admin_only.clone()),
    )
    .await;
    assert_error(refused, StatusCode::FORBIDDEN, "ManageAccessControl").await;
    let deleted = app.delete(&type_path(t.id), &member).await;
    assert_error(deleted, StatusCode::FORBIDDEN, "Delete").await;

    let stored = send(&app, Method::PUT, &acl_path, &t.token, Some(admin_only)).await;
    assert_eq!(stored.status(), StatusCode::NO_CONTENT);
    // Gone for the member: as if it did not exist, in a read and in the list.
    let read = app.get(&type_path(t.id), &member).await;
    assert_eq!(read.status(), StatusCode::NOT_FOUND);
    let listed = json_of(&app, &format!("{}/Types", ns(t.id)), &member).await;
    assert_eq!(listed, json!([]));
    let listed = json_of(&app, &format!("{}/Types", ns(t.id)), &t.token).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    // Its id stays taken: the member's POST neither sees nor replaces it.
    let again = app.post_json(&type_path(t.id), &member, &wave_type()).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // PATCH gives Tenant Members Read back.
    let read_back = json!([{"op": "add", "path": "/RoleTrusteeAccessControlEntries/-", "value": {
        "Trustee": {"Type": 3, "ObjectId": Role::TenantMember.instance_id(t.id.0)},
        "AccessType": 0, "AccessRights": 1
    }}]);
    let patched = send(&app, Method::PATCH, &acl_path, &t.token, Some(read_back)).await;
    assert_eq!(patched.status(), StatusCode::NO_CONTENT);
    let rights = json_of(&app, &format!("{}/AccessRights", type_path(t.id)), &member).await;
    assert_eq!(rights, json!(["Read"]));
}

#[tokio::test]
async fn a_type_list_names_only_the_tenants_own_roles_and_a_new_owner_holds_everything() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    let other = app.tenant("Other").await;
    made_type(&app, &t).await;
    let acl_path = format!("{}/AccessControl", type_path(t.id));
    let foreign = json!({"RoleTrusteeAccessControlEntries": [{
        "Trustee": {"Type": "Role", "ObjectId": Role::TenantMember.instance_id(other.id.0)},
        "AccessType": 0, "AccessRights": 1
    }]});
    let refused = send(&app, Method::PUT, &acl_path, &t.token, Some(foreign)).await;
    let body = assert_error(
        refused,
        StatusCode::BAD_REQUEST,
        "not a role of your tenant",
    )
    .await;
    assert!(
        body.to_string()
            .contains("RoleTrusteeAccessControlEntries[0].Trustee.ObjectId"),
        "{body}"
    );

    let (member_id, member) = app.client(t.id, &[Role::TenantMember]).await;
    let owner =
        json!({"Type": "Client", "ObjectId": member_id.to_string(), "TenantId": t.id.to_string()});
    let refused = send(
        &app,
        Method::PUT,
        &format!("{}/Owner", type_path(t.id)),
        &member,
        Some(owner.clone()),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let given = send(
        &app,
        Method::PUT,
        &format!("{}/Owner", type_path(t.id)),
        &t.token,
        Some(owner),
    )
    .await;
    assert_eq!(given.status(), StatusCode::NO_CONTENT);
    let rights = json_of(&app, &format!("{}/AccessRights", type_path(t.id)), &member).await;
    assert_eq!(
        rights,
        json!(["Read", "Write", "Delete", "ManageAccessControl", "Share"])
    );
    // The owner deletes it; the type in use rule still holds for others.
    let deleted = app.delete(&type_path(t.id), &member).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
}
