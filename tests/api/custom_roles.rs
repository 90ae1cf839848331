//! A tenant's own roles: made, renamed and deleted by its administrators,
//! held by its users and clients, and named in stream and type access
//! lists, so a "Data Steward" may share a stream without being a Tenant
//! Administrator.

use crate::helpers::*;
use crate::sds_fixtures::{ns, stream_path};
use communityd::domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn roles_path(tenant: impl std::fmt::Display) -> String {
    format!("/api/v1/Tenants/{tenant}/Roles")
}

fn role_path(tenant: impl std::fmt::Display, role: &str) -> String {
    format!("{}/{role}", roles_path(tenant))
}

async fn make_role(app: &TestApp, owner: &TestTenant, name: &str) -> Value {
    json_with_status(
        app.post_json(
            &roles_path(owner.id),
            &owner.token,
            &json!({"Id": null, "Name": name, "Description": "Shares streams", "RoleScope": 1}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

fn id(v: &Value) -> String {
    v["Id"].as_str().expect("Id").to_string()
}

/// A new client of `owner` holding `role_ids`, and its token.
async fn client_with(app: &TestApp, owner: &TestTenant, role_ids: &[String]) -> (String, String) {
    let created = json_with_status(
        app.post_json(
            &format!("/api/v1/Tenants/{}/ClientCredentialClients", owner.id),
            &owner.token,
            &json!({"Name": "steward script", "RoleIds": role_ids}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let client = id(&created["Client"]);
    let secret = created["ClientSecret"].as_str().expect("ClientSecret");
    let token = json_with_status(app.token_response(&client, secret).await, StatusCode::OK).await
        ["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    (client, token)
}

fn tenant_role(owner: &TestTenant, role: Role) -> String {
    role.instance_id(owner.id.0).to_string()
}

fn entry(role: &str, rights: u32) -> Value {
    json!({"Trustee": {"Type": "Role", "ObjectId": role, "TenantId": null},
           "AccessType": "Allowed", "AccessRights": rights})
}

#[tokio::test]
async fn administrators_make_rename_and_delete_their_roles_and_built_in_ones_stay() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;

    let made = make_role(&app, &contoso, "  Data Steward ").await;
    assert_eq!(
        made,
        json!({"Id": made["Id"], "Name": "Data Steward", "Description": "Shares streams",
               "RoleScope": 1, "TenantId": contoso.id.to_string(), "CommunityId": null,
               "RoleTypeId": null})
    );
    let steward = id(&made);
    let listed = json_with_status(
        app.get(&roles_path(contoso.id), &contoso.token).await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Tenant Administrator", "Tenant Member", "Data Steward"]
    );

    // Names are unique in a tenant whatever their case, never built-in.
    for (body, status, needle) in [
        (
            json!({"Name": "data STEWARD"}),
            StatusCode::CONFLICT,
            "already has a role named",
        ),
        (
            json!({"Name": "tenant administrator"}),
            StatusCode::BAD_REQUEST,
            "Name",
        ),
        (json!({"Name": "  "}), StatusCode::BAD_REQUEST, "Name"),
        (
            json!({"Name": "Auditor", "RoleScope": 2}),
            StatusCode::BAD_REQUEST,
            "RoleScope",
        ),
        (
            json!({"Name": "Auditor", "CommunityId": steward}),
            StatusCode::BAD_REQUEST,
            "CommunityId",
        ),
        (
            json!({"Name": "Auditor", "TenantId": fabrikam.id}),
            StatusCode::BAD_REQUEST,
            "TenantId",
        ),
        (
            json!({"Name": "Auditor", "Id": steward}),
            StatusCode::CONFLICT,
            "already exists",
        ),
        (
            json!({"Name": "Auditor", "Id": "not-a-guid"}),
            StatusCode::BAD_REQUEST,
            "Id",
        ),
    ] {
        let body_text = body.to_string();
        let response = app
            .post_json(&roles_path(contoso.id), &contoso.token, &body)
            .await;
        let error = assert_error(response, status, needle).await;
        if status == StatusCode::BAD_REQUEST {
            assert!(
                error["Reason"].as_str().unwrap().contains(needle),
                "{body_text}"
            );
        }
    }
    // Another tenant may use the name.
    make_role(&app, &fabrikam, "Data Steward").await;

    let renamed = json_with_status(
        app.put_json(
            &role_path(contoso.id, &steward),
            &contoso.token,
            &json!({"Id": steward, "Name": "Stream Steward", "RoleScope": 1, "TenantId": contoso.id}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (renamed["Name"].as_str(), renamed["Description"].as_str()),
        (Some("Stream Steward"), Some("Shares streams"))
    );
    // The old name is free again.
    make_role(&app, &contoso, "Data Steward").await;

    // Another tenant's role is not found; a built-in one is not the
    // tenant's to change.
    assert_error(
        app.put_json(
            &role_path(fabrikam.id, &steward),
            &fabrikam.token,
            &json!({"Name": "Mine"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "no role",
    )
    .await;
    let admin_role = tenant_role(&contoso, Role::TenantAdministrator);
    assert_error(
        app.delete(&role_path(contoso.id, &admin_role), &contoso.token)
            .await,
        StatusCode::FORBIDDEN,
        "built-in",
    )
    .await;

    let gone = app
        .delete(&role_path(contoso.id, &steward), &contoso.token)
        .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_error(
        app.get(&role_path(contoso.id, &steward), &contoso.token)
            .await,
        StatusCode::NOT_FOUND,
        "no role",
    )
    .await;
    assert_error(
        app.delete(&role_path(contoso.id, &steward), &contoso.token)
            .await,
        StatusCode::NOT_FOUND,
        "no role",
    )
    .await;
}

#[tokio::test]
async fn users_and_clients_hold_custom_roles_until_the_role_is_deleted() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let steward = id(&make_role(&app, &contoso, "Data Steward").await);
    let theirs = id(&make_role(&app, &fabrikam, "Data Steward").await);
    let member = tenant_role(&contoso, Role::TenantMember);
    let users = format!("/api/v1/Tenants/{}/Users", contoso.id);

    let user = json_with_status(
        app.post_json(
            &users,
            &contoso.token,
            &json!({"Email": "steward@contoso.example", "RoleIds": [steward]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // Naming no built-in role still gives Tenant Member.
    assert_eq!(user["RoleIds"], json!([member, steward]));
    let user_path = format!("{users}/{}", id(&user));

    // Another tenant's role is no role of this one.
    assert_error(
        app.put_json(
            &user_path,
            &contoso.token,
            &json!({"RoleIds": [member, theirs]}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "RoleIds",
    )
    .await;
    let (client, _) = client_with(&app, &contoso, &[member.clone(), steward.clone()]).await;
    let client_path = format!(
        "/api/v1/Tenants/{}/ClientCredentialClients/{client}",
        contoso.id
    );
    let read = |path: String| {
        let app = &app;
        let token = contoso.token.clone();
        async move {
            json_with_status(app.get(&path, &token).await, StatusCode::OK).await["RoleIds"].clone()
        }
    };
    assert_eq!(read(client_path.clone()).await, json!([member, steward]));

    let gone = app
        .delete(&role_path(contoso.id, &steward), &contoso.token)
        .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    assert_eq!(read(user_path).await, json!([member]));
    assert_eq!(read(client_path).await, json!([member]));
}

#[tokio::test]
async fn a_data_steward_shares_a_stream_it_may_share_and_no_longer_once_the_role_is_gone() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    app.wave_stream(&contoso, "line-1", &[1, 2]).await;
    let steward = id(&make_role(&app, &contoso, "Data Steward").await);
    let member = tenant_role(&contoso, Role::TenantMember);
    let (_, steward_token) = client_with(&app, &contoso, &[member.clone(), steward.clone()]).await;
    let (_, member_token) = client_with(&app, &contoso, std::slice::from_ref(&member)).await;

    // The administrator lets Data Stewards read and share the stream.
    let acl_path = format!("{}/AccessControl", stream_path(contoso.id, "line-1"));
    let mut acl = json_with_status(app.get(&acl_path, &contoso.token).await, StatusCode::OK).await;
    acl["RoleTrusteeAccessControlEntries"]
        .as_array_mut()
        .unwrap()
        .push(entry(&steward, 1 | 16));
    let put = app.put_json(&acl_path, &contoso.token, &acl).await;
    assert_eq!(put.status(), StatusCode::NO_CONTENT);

    let community_member = app.member_role(&contoso, &community).await;
    // A plain Tenant Member may not share; the steward may.
    let refused = app
        .share(&contoso, &member_token, "line-1", &community_member)
        .await;
    assert_error(refused, StatusCode::FORBIDDEN, "Share right").await;
    let shared = app
        .share(&contoso, &steward_token, "line-1", &community_member)
        .await;
    assert_eq!(shared.status(), StatusCode::NO_CONTENT);
    let seen = app
        .request(
            Method::GET,
            &format!(
                "/api/v1-preview/Communities/{community}/Tenants/{}/Namespaces/default/Streams/line-1",
                contoso.id
            ),
            &fabrikam.token,
        )
        .send()
        .await
        .expect("request sent");
    assert_eq!(seen.status(), StatusCode::OK, "Fabrikam reads the share");

    // Once the role is gone its holder shares nothing more; the entry that
    // names it stays, and the list can be sent back unchanged.
    let gone = app
        .delete(&role_path(contoso.id, &steward), &contoso.token)
        .await;
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let unshare = json!([{"op": "remove", "path": "/RoleTrusteeAccessControlEntries/3"}]);
    let current = json_with_status(app.get(&acl_path, &contoso.token).await, StatusCode::OK).await;
    assert_eq!(
        current["RoleTrusteeAccessControlEntries"][2]["Trustee"]["ObjectId"],
        json!(steward)
    );
    assert_eq!(
        current["RoleTrusteeAccessControlEntries"][3]["Trustee"]["ObjectId"],
        json!(community_member)
    );
    let after = app
        .request(Method::PATCH, &acl_path, &steward_token)
        .json(&unshare)
        .send()
        .await
        .expect("request sent");
    assert_error(after, StatusCode::FORBIDDEN, "Share right").await;
    let again = app.put_json(&acl_path, &contoso.token, &current).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn type_lists_name_custom_roles_and_no_unknown_ones() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    app.wave_stream(&contoso, "line-1", &[]).await;
    let steward = id(&make_role(&app, &contoso, "Data Steward").await);
    let acl_path = format!("{}/Types/WaveData_SampleType/AccessControl", ns(contoso.id));
    let mut acl = json_with_status(app.get(&acl_path, &contoso.token).await, StatusCode::OK).await;
    let entries = acl["RoleTrusteeAccessControlEntries"]
        .as_array_mut()
        .unwrap();
    entries.push(entry(&steward, 1));
    let put = app.put_json(&acl_path, &contoso.token, &acl).await;
    assert_eq!(put.status(), StatusCode::NO_CONTENT);
    let stored = json_with_status(app.get(&acl_path, &contoso.token).await, StatusCode::OK).await;
    assert_eq!(
        stored["RoleTrusteeAccessControlEntries"][2]["Trustee"]["ObjectId"],
        json!(steward)
    );

    let mut unknown = stored.clone();
    unknown["RoleTrusteeAccessControlEntries"]
        .as_array_mut()
        .unwrap()
        .push(entry(&uuid::Uuid::new_v4().to_string(), 1));
    assert_error(
        app.put_json(&acl_path, &contoso.token, &unknown).await,
        StatusCode::BAD_REQUEST,
        "is not a role of your tenant",
    )
    .await;
}
