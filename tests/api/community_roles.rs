//! Community roles: the role instances, and granting and revoking them to a
//! tenant's own users and clients.

use crate::helpers::*;
use communityd::domain::ids::TenantId;
use communityd::domain::role::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

/// The community's role ids by name.
struct RoleIds {
    administrator: String,
    moderator: String,
    member: String,
}

async fn role_ids(app: &TestApp, viewer: &TestTenant, community: &str) -> RoleIds {
    let body = json_with_status(
        app.get(
            &format!("/api/v1-preview/Communities/{community}/Roles"),
            &viewer.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Found by AVEVA's RoleTypeId, as AVEVA's own samples do.
    let id_of = |role: Role| {
        let type_id = role.type_id().to_string();
        body.as_array()
            .expect("array")
            .iter()
            .find(|r| r["RoleTypeId"] == type_id.as_str())
            .unwrap_or_else(|| panic!("no role of type {type_id} in {body}"))["Id"]
            .as_str()
            .expect("Id")
            .to_string()
    };
    RoleIds {
        administrator: id_of(Role::CommunityAdministrator),
        moderator: id_of(Role::CommunityModerator),
        member: id_of(Role::CommunityMember),
    }
}

fn holders_path(tenant: TenantId, community: &str, segment: &str) -> String {
    format!("{}/{community}/{segment}", communities_path(tenant))
}

async fn put_roles(
    app: &TestApp,
    token: &str,
    tenant: TenantId,
    community: &str,
    segment: &str,
    who: &str,
    roles: &[&str],
) -> Response {
    app.put_json(
        &format!("{}/{who}", holders_path(tenant, community, segment)),
        token,
        &json!(roles),
    )
    .await
}

async fn total_count(app: &TestApp, viewer: &TestTenant, community: &str, segment: &str) -> String {
    let response = app
        .request(
            Method::HEAD,
            &holders_path(viewer.id, community, segment),
            &viewer.token,
        )
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), StatusCode::OK);
    response
        .headers()
        .get("Total-Count")
        .expect("Total-Count header")
        .to_str()
        .unwrap()
        .to_string()
}

/// (UserCount, ClientCount) of `tenant` in the community, as `viewer` sees it.
async fn counts(
    app: &TestApp,
    viewer: &TestTenant,
    community: &str,
    tenant: TenantId,
) -> Option<(u64, u64)> {
    let body = json_with_status(
        app.get(
            &format!("{}/{community}", communities_path(viewer.id)),
            &viewer.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    body["Tenants"]
        .as_array()
        .expect("Tenants")
        .iter()
        .find(|t| t["Id"] == tenant.to_string())
        .map(|t| {
            (
                t["UserCount"].as_u64().expect("UserCount"),
                t["ClientCount"].as_u64().expect("ClientCount"),
            )
        })
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

fn role_ids_of(holder: &Value) -> Vec<String> {
    sorted(
        holder["RoleIds"]
            .as_array()
            .expect("RoleIds")
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect(),
    )
}

// ---------------------------------------------------------------- role instances

#[tokio::test]
async fn a_community_has_three_role_instances_of_its_own() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let community = app.community(&contoso, "Plant data").await;
    let other = app.community(&contoso, "Line data").await;
    app.join(&contoso, &community, &fabrikam).await;
    let path = format!("/api/v1-preview/Communities/{community}/Roles");

    let body = json_with_status(app.get(&path, &contoso.token).await, StatusCode::OK).await;
    let roles = body.as_array().expect("array");
    assert_eq!(roles.len(), 3);
    let mut names: Vec<&str> = roles.iter().map(|r| r["Name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            "Plant data Community Administrator",
            "Plant data Community Member",
            "Plant data Community Moderator"
        ],
        "named after the community, as AVEVA names them"
    );
    for role in roles {
        assert_eq!(role["RoleScope"], 2);
        assert_eq!(role["CommunityId"], community);
        assert_eq!(role["TenantId"], Value::Null);
        assert!(uuid::Uuid::try_parse(role["RoleTypeId"].as_str().unwrap()).is_ok());
        assert!(uuid::Uuid::try_parse(role["Id"].as_str().unwrap()).is_ok());
        assert!(role["Description"].is_string());
    }
    // The member tenant sees the same ids; another community has other ids.
    let seen_by_member =
        json_with_status(app.get(&path, &fabrikam.token).await, StatusCode::OK).await;
    assert_eq!(seen_by_member, body);
    let mine = role_ids(&app, &contoso, &community).await;
    let theirs = role_ids(&app, &contoso, &other).await;
    assert_ne!(mine.member, theirs.member);
    let created = json_with_status(
        app.get(
            &format!("{}/{community}", communities_path(contoso.id)),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(created["MemberRoleId"], mine.member);

    // Not a member: nothing.
    assert_error(
        app.get(&path, &northwind.token).await,
        StatusCode::NOT_FOUND,
        "not a member",
    )
    .await;
    let (_, tenant_member) = app.client(contoso.id, &[Role::TenantMember]).await;
    assert_error(
        app.get(&path, &tenant_member).await,
        StatusCode::FORBIDDEN,
        "Community Member",
    )
    .await;
}

// ---------------------------------------------------------------- users

#[tokio::test]
async fn granting_and_revoking_a_users_community_roles_moves_the_user_count() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let roles = role_ids(&app, &contoso, &community).await;
    let bob = app
        .user(contoso.id, "bob@contoso.example", &[Role::TenantMember])
        .await;
    let bob = bob.to_string();
    assert_eq!(
        counts(&app, &contoso, &community, contoso.id).await,
        Some((0, 1))
    );
    assert_eq!(total_count(&app, &contoso, &community, "Users").await, "0");

    let added = json_with_status(
        put_roles(
            &app,
            &contoso.token,
            contoso.id,
            &community,
            "Users",
            &bob,
            &[&roles.member],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(added["Id"], bob);
    assert_eq!(added["Email"], "bob@contoso.example");
    assert_eq!(role_ids_of(&added), vec![roles.member.clone()]);

    let again = json_with_status(
        put_roles(
            &app,
            &contoso.token,
            contoso.id,
            &community,
            "Users",
            &bob,
            &[&roles.member],
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(role_ids_of(&again), vec![roles.member.clone()]);

    let listed = json_with_status(
        app.get(
            &holders_path(contoso.id, &community, "Users"),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let listed = listed.as_array().expect("array");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["Id"], bob);
    assert_eq!(listed[0]["Email"], "bob@contoso.example");
    assert_eq!(total_count(&app, &contoso, &community, "Users").await, "1");
    assert_eq!(
        counts(&app, &contoso, &community, contoso.id).await,
        Some((1, 1))
    );

    // Adding a role to one already present is a 200 with both.
    let more = json_with_status(
        put_roles(
            &app,
            &contoso.token,
            contoso.id,
            &community,
            "Users",
            &bob,
            &[&roles.member, &roles.moderator],
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        role_ids_of(&more),
        sorted(vec![roles.member.clone(), roles.moderator.clone()])
    );

    let response = app
        .delete(
            &format!("{}/{bob}", holders_path(contoso.id, &community, "Users")),
            &contoso.token,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(total_count(&app, &contoso, &community, "Users").await, "0");
    assert_eq!(
        counts(&app, &contoso, &community, contoso.id).await,
        Some((0, 1))
    );
    let listed = json_with_status(
        app.get(
            &holders_path(contoso.id, &community, "Users"),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn role_lists_must_hold_the_member_role_and_only_this_communitys_roles() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let other = app.community(&contoso, "Line data").await;
    let roles = role_ids(&app, &contoso, &community).await;
    let others = role_ids(&app, &contoso, &other).await;
    let bob = app
        .user(contoso.id, "bob@contoso.example", &[Role::TenantMember])
        .await
        .to_string();
    let unknown = uuid::Uuid::new_v4().to_string();

    for bad in [
        vec![],
        vec![roles.administrator.as_str()],
        vec![roles.moderator.as_str()],
        vec![roles.member.as_str(), unknown.as_str()],
        vec![unknown.as_str()],
        vec![others.member.as_str()],
        vec!["not-a-guid"],
    ] {
        let response = put_roles(
            &app,
            &contoso.token,
            contoso.id,
            &community,
            "Users",
            &bob,
            &bad,
        )
        .await;
        json_with_status(response, StatusCode::BAD_REQUEST).await;
    }
    let response = put_roles(
        &app,
        &contoso.token,
        contoso.id,
        &community,
        "Users",
        &bob,
        &[&roles.administrator],
    )
    .await;
    assert_error(response, StatusCode::BAD_REQUEST, "Community Member").await;
    let response = put_roles(
        &app,
        &contoso.token,
        contoso.id,
        &community,
        "Users",
        &bob,
        &[&roles.member, &unknown],
    )
    .await;
    assert_error(response, StatusCode::BAD_REQUEST, &unknown).await;
    let response = app
        .put_json(
            &format!("{}/{bob}", holders_path(contoso.id, &community, "Users")),
            &contoso.token,
            &json!({ "RoleIds": [roles.member] }),
        )
        .await;
    json_with_status(response, StatusCode::BAD_REQUEST).await;

    assert_eq!(total_count(&app, &contoso, &community, "Users").await, "0");
    assert_eq!(
        counts(&app, &contoso, &community, contoso.id).await,
        Some((0, 1))
    );
}

#[tokio::test]
async fn a_tenant_grants_roles_only_to_its_own_identities_through_its_own_path() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    let roles = role_ids(&app, &contoso, &community).await;
    let bob = app
        .user(contoso.id, "bob@contoso.example", &[Role::TenantMember])
        .await
        .to_string();

    // Another tenant's user or client, through one's own path: not found.
    let response = put_roles(
        &app,
        &contoso.token,
        contoso.id,
        &community,
        "Users",
        &fabrikam.admin_user.to_string(),
        &[&roles.member],
    )
    .await;
    assert_error(response, StatusCode::NOT_FOUND, "no user").await;
    let response = put_roles(
        &app,
        &contoso.token,
        contoso.id,
        &community,
        "ClientCredentialClients",
        &fabrikam.client_id.to_string(),
        &[&roles.member],
    )
    .await;
    assert_error(response, StatusCode::NOT_FOUND, "no client").await;
    // A member tenant cannot touch the owner's identities either.
    let response = put_roles(
        &app,
        &fabrikam.token,
        fabrikam.id,
        &community,
        "Users",
        &bob,
        &[&roles.member],
    )
    .await;
    assert_error(response, StatusCode::NOT_FOUND, "no user").await;
    let response = app
        .delete(
            &format!(
                "{}/{}",
                holders_path(fabrikam.id, &community, "ClientCredentialClients"),
                contoso.client_id
            ),
            &fabrikam.token,
        )
        .await;
    assert_error(response, StatusCode::NOT_FOUND, "no client").await;
    // Another tenant's path: forbidden, for every verb.
    let response = put_roles(
        &app,
        &fabrikam.token,
        contoso.id,
        &community,
        "Users",
        &bob,
        &[&roles.member],
    )
    .await;
    assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;
    let response = app
        .get(
            &holders_path(contoso.id, &community, "Users"),
            &fabrikam.token,
        )
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;

    // Nothing changed: the owner's admin client still holds its grant, nobody else does.
    assert_eq!(
        counts(&app, &contoso, &community, contoso.id).await,
        Some((0, 1))
    );
    assert_eq!(
        counts(&app, &contoso, &community, fabrikam.id).await,
        Some((0, 1))
    );
    // And a member tenant's administrator manages its own identities.
    let response = put_roles(
        &app,
        &fabrikam.token,
        fabrikam.id,
        &community,
        "Users",
        &fabrikam.admin_user.to_string(),
        &[&roles.member],
    )
    .await;
    json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(
        counts(&app, &contoso, &community, fabrikam.id).await,
        Some((1, 1))
    );
}

#[tokio::test]
async fn a_community_moderator_grants_member_but_not_administrator() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let roles = role_ids(&app, &contoso, &community).await;
    let bob = app
        .user(contoso.id, "bob@contoso.example", &[Role::TenantMember])
        .await
        .to_string();
    let (moderator, moderator_token) = app.client(contoso.id, &[Role::TenantMember]).await;
    json_with_status(
        put_roles(
            &app,
            &contoso.token,
            contoso.id,
            &community,
            "ClientCredentialClients",
            &moderator.to_string(),
            &[&roles.member, &roles.moderator],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    let granted = json_with_status(
        put_roles(
            &app,
            &moderator_token,
            contoso.id,
            &community,
            "Users",
            &bob,
            &[&roles.member],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(role_ids_of(&granted), vec![roles.member.clone()]);

    let response = put_roles(
        &app,
        &moderator_token,
        contoso.id,
        &community,
        "Users",
        &bob,
        &[&roles.member, &roles.administrator],
    )
    .await;
    assert_error(response, StatusCode::FORBIDDEN, "Community Administrator").await;
    // Nor may it promote itself, or strip the administrator's roles.
    let response = put_roles(
        &app,
        &moderator_token,
        contoso.id,
        &community,
        "ClientCredentialClients",
        &moderator.to_string(),
        &[&roles.member, &roles.moderator, &roles.administrator],
    )
    .await;
    assert_error(response, StatusCode::FORBIDDEN, "Community Administrator").await;
    let response = app
        .delete(
            &format!(
                "{}/{}",
                holders_path(contoso.id, &community, "ClientCredentialClients"),
                contoso.client_id
            ),
            &moderator_token,
        )
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "Community Administrator").await;

    let users = json_with_status(
        app.get(
            &holders_path(contoso.id, &community, "Users"),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(users.as_array().unwrap().len(), 1);
    assert_eq!(role_ids_of(&users[0]), vec![roles.member.clone()]);
    let clients = json_with_status(
        app.get(
            &holders_path(contoso.id, &community, "ClientCredentialClients"),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let admin = clients
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["Id"] == contoso.client_id.to_string())
        .expect("the administrator client keeps its grant");
    assert_eq!(
        role_ids_of(admin),
        sorted(vec![roles.administrator.clone(), roles.member.clone()])
    );
    let me = clients
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["Id"] == moderator.to_string())
        .expect("the moderator");
    assert_eq!(
        role_ids_of(me),
        sorted(vec![roles.member.clone(), roles.moderator.clone()])
    );

    // It may take back the Member role it gave.
    let response = app
        .delete(
            &format!("{}/{bob}", holders_path(contoso.id, &community, "Users")),
            &moderator_token,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(total_count(&app, &contoso, &community, "Users").await, "0");
}

#[tokio::test]
async fn a_tenant_member_without_a_community_role_cannot_grant() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let roles = role_ids(&app, &contoso, &community).await;
    let bob = app
        .user(contoso.id, "bob@contoso.example", &[Role::TenantMember])
        .await
        .to_string();
    let (itself, token) = app.client(contoso.id, &[Role::TenantMember]).await;

    for who in [
        ("Users", bob.clone()),
        ("ClientCredentialClients", itself.to_string()),
    ] {
        let response = put_roles(
            &app,
            &token,
            contoso.id,
            &community,
            who.0,
            &who.1,
            &[&roles.member],
        )
        .await;
        assert_error(response, StatusCode::FORBIDDEN, "Community").await;
    }
    let response = app
        .delete(
            &format!(
                "{}/{}",
                holders_path(contoso.id, &community, "ClientCredentialClients"),
                contoso.client_id
            ),
            &token,
        )
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "Community").await;
    assert_eq!(
        counts(&app, &contoso, &community, contoso.id).await,
        Some((0, 1))
    );
}

// ---------------------------------------------------------------- clients

#[tokio::test]
async fn granting_and_revoking_a_clients_community_roles_moves_the_client_count() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let roles = role_ids(&app, &contoso, &community).await;
    let (client, _) = app.client(contoso.id, &[Role::TenantMember]).await;
    let client = client.to_string();
    assert_eq!(
        total_count(&app, &contoso, &community, "ClientCredentialClients").await,
        "1"
    );

    let added = json_with_status(
        put_roles(
            &app,
            &contoso.token,
            contoso.id,
            &community,
            "ClientCredentialClients",
            &client,
            &[&roles.member],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(added["Id"], client);
    assert_eq!(added["Name"], "extra client");
    assert!(
        added.get("Email").is_none(),
        "a client has no Email: {added}"
    );
    assert_eq!(role_ids_of(&added), vec![roles.member.clone()]);
    json_with_status(
        put_roles(
            &app,
            &contoso.token,
            contoso.id,
            &community,
            "ClientCredentialClients",
            &client,
            &[&roles.member],
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        total_count(&app, &contoso, &community, "ClientCredentialClients").await,
        "2"
    );
    assert_eq!(
        counts(&app, &contoso, &community, contoso.id).await,
        Some((0, 2))
    );
    let listed = json_with_status(
        app.get(
            &holders_path(contoso.id, &community, "clientcredentialclients"),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mut ids: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        sorted(vec![client.clone(), contoso.client_id.to_string()])
    );
    // The users list is not the clients list.
    let users = json_with_status(
        app.get(
            &holders_path(contoso.id, &community, "Users"),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(users, json!([]));

    let response = app
        .delete(
            &format!(
                "{}/{client}",
                holders_path(contoso.id, &community, "ClientCredentialClients")
            ),
            &contoso.token,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        counts(&app, &contoso, &community, contoso.id).await,
        Some((0, 1))
    );
    assert_eq!(
        total_count(&app, &contoso, &community, "ClientCredentialClients").await,
        "1"
    );
}

// ---------------------------------------------------------------- leaving

#[tokio::test]
async fn leaving_drops_the_leaving_tenants_grants() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    let roles = role_ids(&app, &fabrikam, &community).await;
    let (extra, _) = app.client(fabrikam.id, &[Role::TenantMember]).await;
    json_with_status(
        put_roles(
            &app,
            &fabrikam.token,
            fabrikam.id,
            &community,
            "Users",
            &fabrikam.admin_user.to_string(),
            &[&roles.member],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    json_with_status(
        put_roles(
            &app,
            &fabrikam.token,
            fabrikam.id,
            &community,
            "ClientCredentialClients",
            &extra.to_string(),
            &[&roles.member],
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        counts(&app, &contoso, &community, fabrikam.id).await,
        Some((1, 2))
    );

    let response = app
        .delete(
            &format!(
                "{}/{community}/communitytenants/{}",
                communities_path(fabrikam.id),
                fabrikam.id
            ),
            &fabrikam.token,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(counts(&app, &contoso, &community, fabrikam.id).await, None);
    assert_eq!(
        counts(&app, &contoso, &community, contoso.id).await,
        Some((0, 1))
    );

    // Back again: only the identity that accepted holds roles.
    app.join(&contoso, &community, &fabrikam).await;
    assert_eq!(
        counts(&app, &contoso, &community, fabrikam.id).await,
        Some((0, 1))
    );
    let users = json_with_status(
        app.get(
            &holders_path(fabrikam.id, &community, "Users"),
            &fabrikam.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(users, json!([]));
    let clients = json_with_status(
        app.get(
            &holders_path(fabrikam.id, &community, "ClientCredentialClients"),
            &fabrikam.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let clients = clients.as_array().unwrap();
    assert_eq!(clients.len(), 1, "{clients:?}");
    assert_eq!(clients[0]["Id"], fabrikam.client_id.to_string());
    assert_eq!(
        role_ids_of(&clients[0]),
        sorted(vec![roles.administrator.clone(), roles.member.clone()])
    );
}
