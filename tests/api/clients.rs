//! What AVEVA's client libraries need, route by route: AVEVA Data Hub's
//! public models on the tenant-less routes, the tenant's Roles, Users and
//! ClientCredentialClients, the ADH-era aliases and fields, and reading
//! bodies in any case.

use crate::helpers::*;
use communityd::domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn tenantless(community: &str) -> String {
    format!("/api/v1-preview/Communities/{community}")
}

/// (Name, Status) of each entry of a `Tenants[]` or community-tenants list.
fn statuses(tenants: &Value) -> Vec<(String, String)> {
    tenants
        .as_array()
        .expect("array")
        .iter()
        .map(|t| {
            (
                t["Name"].as_str().unwrap_or_default().to_string(),
                t["Status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn pair(name: &str, status: &str) -> (String, String) {
    (name.to_string(), status.to_string())
}

async fn get_ok(app: &TestApp, path: &str, token: &str) -> Value {
    json_with_status(app.get(path, token).await, StatusCode::OK).await
}

// ---------------------------------------------------------------- 1. status enum

#[tokio::test]
async fn tenantless_routes_show_a_tenant_only_once_it_is_confirmed() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let id = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;
    app.accept(&fabrikam.token, &id).await;

    // AVEVA Data Hub's enum has no AwaitingConfirmation: leave Fabrikam out.
    let owner_only = vec![pair("Contoso", "Active")];
    let list = get_ok(&app, "/api/v1-preview/Communities", &contoso.token).await;
    assert_eq!(statuses(&list[0]["Tenants"]), owner_only);
    let one = get_ok(&app, &tenantless(&community), &contoso.token).await;
    assert_eq!(statuses(&one["Tenants"]), owner_only);
    let members = get_ok(
        &app,
        &format!("{}/Tenants", tenantless(&community)),
        &contoso.token,
    )
    .await;
    assert_eq!(statuses(&members), owner_only);

    // OCS-2021's routes keep the five-valued enum.
    let ocs = get_ok(
        &app,
        &format!("{}/{community}", communities_path(contoso.id)),
        &contoso.token,
    )
    .await;
    assert_eq!(
        statuses(&ocs["Tenants"]),
        vec![
            pair("Contoso", "Active"),
            pair("Fabrikam", "AwaitingConfirmation")
        ]
    );

    // Confirmed, then paused: both are in ADH's enum.
    json_with_status(
        app.act(&contoso.token, &id, "Confirm").await,
        StatusCode::OK,
    )
    .await;
    let one = get_ok(&app, &tenantless(&community), &contoso.token).await;
    assert_eq!(
        statuses(&one["Tenants"]),
        vec![pair("Contoso", "Active"), pair("Fabrikam", "Active")]
    );
    let response = app
        .request(
            Method::PATCH,
            &format!("{}/Tenants/{}", tenantless(&community), fabrikam.id),
            &contoso.token,
        )
        .json(&json!({ "Status": "Paused" }))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), StatusCode::OK);
    let one = get_ok(&app, &tenantless(&community), &fabrikam.token).await;
    assert_eq!(
        statuses(&one["Tenants"]),
        vec![pair("Contoso", "Active"), pair("Fabrikam", "Paused")]
    );
}

// ---------------------------------------------------------------- 2. roles

fn roles_path(tenant: impl std::fmt::Display) -> String {
    format!("/api/v1/Tenants/{tenant}/Roles")
}

#[tokio::test]
async fn a_tenant_lists_its_roles_and_its_communities_roles_with_aveva_type_ids() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    // Fabrikam only accepted: the community's roles are not yet its own.
    let id = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;
    app.accept(&fabrikam.token, &id).await;

    let roles = get_ok(&app, &roles_path(contoso.id), &contoso.token).await;
    let roles = roles.as_array().expect("array").clone();
    assert_eq!(roles.len(), 5, "two tenant roles, three of the community");
    for role in &roles {
        for key in [
            "Id",
            "Name",
            "Description",
            "RoleScope",
            "TenantId",
            "CommunityId",
            "RoleTypeId",
        ] {
            assert!(role.get(key).is_some(), "{key} missing from {role}");
        }
    }
    let of_type = |role: Role| -> Vec<&Value> {
        roles
            .iter()
            .filter(|r| r["RoleTypeId"] == role.type_id().to_string().as_str())
            .collect()
    };
    let admin = of_type(Role::TenantAdministrator);
    assert_eq!(admin.len(), 1);
    assert_eq!(admin[0]["Name"], "Tenant Administrator");
    assert_eq!(admin[0]["RoleScope"], 1);
    assert_eq!(admin[0]["TenantId"], contoso.id.to_string());
    assert_eq!(admin[0]["CommunityId"], Value::Null);
    assert_eq!(
        admin[0]["RoleTypeId"],
        "2dc742ab-39ea-4fc0-a39e-2bcb71c26a5f"
    );
    assert_eq!(of_type(Role::TenantMember).len(), 1);

    // AVEVA's SDS sample: the member role of a community, by type and community.
    let member: Vec<&Value> = roles
        .iter()
        .filter(|r| {
            r["RoleTypeId"] == "f79a55da-7c76-4600-a809-0f62ca9971d9"
                && r["CommunityId"] == community.as_str()
        })
        .collect();
    assert_eq!(member.len(), 1);
    assert_eq!(member[0]["RoleScope"], 2);
    assert_eq!(member[0]["Name"], "Plant data Community Member");
    let shown = get_ok(&app, &tenantless(&community), &contoso.token).await;
    assert_eq!(member[0]["Id"], shown["MemberRoleId"]);
    for (role, type_id) in [
        (
            Role::CommunityAdministrator,
            "b50b3349-fa9e-4a03-9220-cf99184b4645",
        ),
        (
            Role::CommunityModerator,
            "f49f69a6-61b2-423e-8ad5-d58841be441c",
        ),
        (Role::TenantMember, "7ad2b9ef-5386-4ead-ac9f-ad99c5c5b977"),
    ] {
        assert_eq!(of_type(role)[0]["RoleTypeId"], type_id);
    }

    // One by id; paging; Fabrikam (still awaiting) has only its own two.
    let one = get_ok(
        &app,
        &format!(
            "{}/{}",
            roles_path(contoso.id),
            member[0]["Id"].as_str().unwrap()
        ),
        &contoso.token,
    )
    .await;
    assert_eq!(&one, member[0]);
    let page = get_ok(
        &app,
        &format!("{}?skip=1&count=2", roles_path(contoso.id)),
        &contoso.token,
    )
    .await;
    assert_eq!(page.as_array().unwrap(), &roles[1..3]);
    let theirs = get_ok(&app, &roles_path(fabrikam.id), &fabrikam.token).await;
    assert_eq!(theirs.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn built_in_roles_are_read_only_and_only_the_own_tenants() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let (_, member) = app.client(contoso.id, &[Role::TenantMember]).await;

    let roles = get_ok(&app, &roles_path(contoso.id), &member).await;
    assert_eq!(
        roles.as_array().unwrap().len(),
        2,
        "a Tenant Member may read"
    );
    let role_id = roles[0]["Id"].as_str().unwrap().to_string();

    assert_error(
        app.get(&roles_path(contoso.id), &fabrikam.token).await,
        StatusCode::FORBIDDEN,
        "own tenant",
    )
    .await;
    assert_error(
        app.get(
            &format!("{}/{}", roles_path(contoso.id), uuid::Uuid::new_v4()),
            &contoso.token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "no role",
    )
    .await;
    // A built-in role is not the tenant's to change: 403 for each write,
    // and it stays as it was.
    let role_path = format!("{}/{role_id}", roles_path(contoso.id));
    for method in [Method::PUT, Method::DELETE] {
        let response = app
            .request(method.clone(), &role_path, &contoso.token)
            .json(&json!({ "Name": "Mine" }))
            .send()
            .await
            .expect("request sent");
        assert_error(response, StatusCode::FORBIDDEN, "built-in").await;
    }
    let kept = get_ok(&app, &role_path, &contoso.token).await;
    assert_eq!(
        (kept["Id"].as_str(), kept["Name"].as_str()),
        (Some(role_id.as_str()), roles[0]["Name"].as_str())
    );
}

// ---------------------------------------------------------------- 3. users and clients

const USER_KEYS: [&str; 12] = [
    "Id",
    "GivenName",
    "Surname",
    "Name",
    "Email",
    "ContactEmail",
    "ContactGivenName",
    "ContactSurname",
    "ExternalUserId",
    "IdentityProviderId",
    "IdentityProviderSpecificUserId",
    "RoleIds",
];
const CLIENT_KEYS: [&str; 6] = [
    "Id",
    "Name",
    "Enabled",
    "AccessTokenLifetime",
    "Tags",
    "RoleIds",
];

fn assert_keys(body: &Value, keys: &[&str]) {
    let object = body.as_object().expect("object");
    let mut found: Vec<&str> = object.keys().map(String::as_str).collect();
    let mut wanted = keys.to_vec();
    found.sort();
    wanted.sort();
    assert_eq!(found, wanted, "{body}");
}

#[tokio::test]
async fn a_tenant_lists_its_users_and_clients_with_every_property_and_their_role_ids() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let second = app
        .user(contoso.id, "second@contoso.example", &[Role::TenantMember])
        .await;
    let users_path = format!("/api/v1/Tenants/{}/Users", contoso.id);
    let clients_path = format!("/api/v1/Tenants/{}/ClientCredentialClients", contoso.id);

    let users = get_ok(&app, &users_path, &contoso.token).await;
    let users = users.as_array().expect("array");
    assert_eq!(users.len(), 2);
    let admin = &users[0];
    assert_keys(admin, &USER_KEYS);
    assert_eq!(admin["Id"], contoso.admin_user.to_string());
    assert_eq!(admin["Email"], contoso.admin_email.as_str());
    assert_eq!(admin["GivenName"], Value::Null);
    assert_eq!(admin["IdentityProviderId"], Value::Null);
    let tenant_admin = Role::TenantAdministrator
        .instance_id(contoso.id.0)
        .to_string();
    let tenant_member = Role::TenantMember.instance_id(contoso.id.0).to_string();
    assert_eq!(admin["RoleIds"], json!([tenant_admin, tenant_member]));

    let one = get_ok(&app, &format!("{users_path}/{second}"), &contoso.token).await;
    assert_eq!(one["Email"], "second@contoso.example");
    let page = get_ok(
        &app,
        &format!("{users_path}?skip=1&count=1"),
        &contoso.token,
    )
    .await;
    assert_eq!(page, json!([one]));

    // The creating client holds the community's Administrator and Member roles.
    let clients = get_ok(&app, &clients_path, &contoso.token).await;
    let client = &clients[0];
    assert_keys(client, &CLIENT_KEYS);
    assert_eq!(client["Id"], contoso.client_id.to_string());
    assert_eq!(client["Enabled"], true);
    assert_eq!(client["AccessTokenLifetime"], 3600);
    assert_eq!(client["Tags"], Value::Null);
    let community_id = uuid::Uuid::parse_str(&community).unwrap();
    let held: Vec<&str> = client["RoleIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    for role in [Role::CommunityAdministrator, Role::CommunityMember] {
        assert!(held.contains(&role.instance_id(community_id).to_string().as_str()));
    }
    assert!(held.contains(&tenant_admin.as_str()));
    let one = get_ok(
        &app,
        &format!("{clients_path}/{}", contoso.client_id),
        &contoso.token,
    )
    .await;
    assert_eq!(&one, client);

    // Another tenant's directory, or another tenant's user by id: refused.
    assert_error(
        app.get(&users_path, &fabrikam.token).await,
        StatusCode::FORBIDDEN,
        "own tenant",
    )
    .await;
    assert_error(
        app.get(
            &format!(
                "/api/v1/Tenants/{}/Users/{}",
                fabrikam.id, contoso.admin_user
            ),
            &fabrikam.token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "no user",
    )
    .await;
    assert_error(
        app.get(&format!("{users_path}?count=0"), &contoso.token)
            .await,
        StatusCode::BAD_REQUEST,
        "count",
    )
    .await;
}

// ---------------------------------------------------------------- 4. ADH-era aliases

#[tokio::test]
async fn tenantless_invitations_and_community_members_work_like_the_ocs_routes() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    let invitations = format!("/api/v1-preview/communities/{community}/invitations");

    let created = json_with_status(
        app.post_json(
            &invitations,
            &contoso.token,
            &json!({ "InvitationRecipient": fabrikam.admin_email }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = created["Id"].as_str().unwrap().to_string();
    let listed = get_ok(&app, &invitations, &contoso.token).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["Id"], id.as_str());
    let one = get_ok(&app, &format!("{invitations}/{id}"), &contoso.token).await;
    assert_eq!(one["InvitationRecipient"], fabrikam.admin_email.as_str());
    let response = app
        .delete(&format!("{invitations}/{id}"), &contoso.token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(get_ok(&app, &invitations, &contoso.token).await, json!([]));

    // ADH's /Communities/{c}/Tenants/{t}/Users: grant, list, count, revoke.
    app.join(&contoso, &community, &fabrikam).await;
    let member_role = Role::CommunityMember
        .instance_id(uuid::Uuid::parse_str(&community).unwrap())
        .to_string();
    let users = format!(
        "/api/v1-preview/Communities/{community}/Tenants/{}/Users",
        fabrikam.id
    );
    let granted = json_with_status(
        app.put_json(
            &format!("{users}/{}", fabrikam.admin_user),
            &fabrikam.token,
            &json!([member_role]),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_keys(&granted, &USER_KEYS);
    assert_eq!(granted["RoleIds"], json!([member_role]));
    let listed = get_ok(&app, &users, &fabrikam.token).await;
    assert_eq!(listed, json!([granted]));
    let head = app
        .request(Method::HEAD, &users, &fabrikam.token)
        .send()
        .await
        .expect("request sent");
    assert_eq!(head.headers()["Total-Count"], "1");
    let clients = format!(
        "/api/v1-preview/Communities/{community}/Tenants/{}/ClientCredentialClients",
        fabrikam.id
    );
    let listed = get_ok(&app, &clients, &fabrikam.token).await;
    assert_keys(&listed[0], &CLIENT_KEYS);
    let response = app
        .delete(&format!("{users}/{}", fabrikam.admin_user), &fabrikam.token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(get_ok(&app, &users, &fabrikam.token).await, json!([]));
    // Another tenant's segment is refused, as on the OCS route.
    assert_error(
        app.get(&users, &contoso.token).await,
        StatusCode::FORBIDDEN,
        "own tenant",
    )
    .await;
}

// ---------------------------------------------------------------- 6. ADH fields

#[tokio::test]
async fn contact_emails_regions_and_aliases_are_stored_and_shown() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let created = json_with_status(
        app.post_json(
            "/api/v1-preview/Communities",
            &contoso.token,
            &json!({
                "Name": "Plant data",
                "ContactEmail": "ops@contoso.example",
                "PreferredRegionId": "local"
            }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let community = created["Id"].as_str().unwrap().to_string();
    assert_eq!(created["PreferredRegionId"], "local");
    assert_eq!(created["Tenants"][0]["ContactEmail"], "ops@contoso.example");
    assert_eq!(created["CommunityRoles"].as_array().unwrap().len(), 3);

    // The invitee sees the inviter's contact, and leaves its own on Accept.
    let id = app
        .invite_id(&contoso, &community, &fabrikam.admin_email)
        .await;
    let details = get_ok(
        &app,
        &format!("/api/v1-preview/communityinvitations/{id}/details"),
        &fabrikam.token,
    )
    .await;
    assert_eq!(details["ContactEmail"], "ops@contoso.example");
    let response = app
        .put_json(
            &format!("/api/v1-preview/communityinvitations/{id}"),
            &fabrikam.token,
            &json!({ "Action": "Accept", "ContactEmail": "data@fabrikam.example" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    json_with_status(
        app.act(&contoso.token, &id, "Confirm").await,
        StatusCode::OK,
    )
    .await;

    // A PATCH with only the alias is a whole request; the alias is private.
    let own_row = format!("{}/Tenants/{}", tenantless(&community), fabrikam.id);
    let patch = |body: Value, token: String, path: String| {
        let request = app.request(Method::PATCH, &path, &token).json(&body);
        async move { request.send().await.expect("request sent") }
    };
    let response = patch(
        json!({ "CommunityAlias": "Contoso's plants" }),
        fabrikam.token.clone(),
        own_row.clone(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = patch(
        json!({ "CommunityAlias": "Contoso's plants" }),
        fabrikam.token.clone(),
        own_row.clone(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT, "nothing changed");
    let response = patch(
        json!({ "PreferredRegionId": "LOCAL" }),
        fabrikam.token.clone(),
        own_row.clone(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);

    let seen = get_ok(&app, &tenantless(&community), &fabrikam.token).await;
    assert_eq!(seen["DisplayName"], "Contoso's plants");
    let row = &seen["Tenants"][1];
    assert_eq!(row["Name"], "Fabrikam");
    assert_eq!(row["CommunityAlias"], "Contoso's plants");
    assert_eq!(row["ContactEmail"], "data@fabrikam.example");
    assert_eq!(row["PreferredRegionId"], "local");
    let by_owner = get_ok(&app, &tenantless(&community), &contoso.token).await;
    assert_eq!(by_owner["Tenants"][1]["CommunityAlias"], Value::Null);
    assert_eq!(
        by_owner["Tenants"][1]["ContactEmail"],
        "data@fabrikam.example"
    );
    assert_eq!(by_owner["DisplayName"], "Plant data");

    // Only one's own row; unknown regions and bad addresses name the field.
    assert_error(
        patch(
            json!({ "CommunityAlias": "Mine" }),
            contoso.token.clone(),
            own_row.clone(),
        )
        .await,
        StatusCode::FORBIDDEN,
        "its own",
    )
    .await;
    let body = assert_error(
        patch(
            json!({ "PreferredRegionId": "mars" }),
            fabrikam.token.clone(),
            own_row.clone(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "region",
    )
    .await;
    assert_eq!(body["Parameter"], "PreferredRegionId");
    let body = assert_error(
        patch(
            json!({ "ContactEmail": "nobody" }),
            fabrikam.token.clone(),
            own_row.clone(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "ContactEmail",
    )
    .await;
    assert_eq!(body["Parameter"], "ContactEmail");
    assert_error(
        patch(json!({}), fabrikam.token.clone(), own_row.clone()).await,
        StatusCode::BAD_REQUEST,
        "at least one",
    )
    .await;

    // The owner's community-wide region; the ADH summary's per-tenant list.
    let response = app
        .put_json(
            &tenantless(&community),
            &contoso.token,
            &json!({ "PreferredRegionId": "" }),
        )
        .await;
    let updated = json_with_status(response, StatusCode::OK).await;
    assert_eq!(updated["PreferredRegionId"], Value::Null);
    let summary = get_ok(
        &app,
        &format!("{}/Summary", tenantless(&community)),
        &fabrikam.token,
    )
    .await;
    let tenants: Vec<&Value> = summary["CommunitySummaryInformationForTenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["TenantId"])
        .collect();
    assert_eq!(tenants.len(), 2);
    assert!(tenants.contains(&&json!(contoso.id.to_string())));
    assert!(tenants.contains(&&json!(fabrikam.id.to_string())));
}

#[tokio::test]
async fn the_profile_goes_with_the_membership_and_survives_a_restart() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    let own_row = format!("{}/Tenants/{}", tenantless(&community), fabrikam.id);
    let response = app
        .request(Method::PATCH, &own_row, &fabrikam.token)
        .json(&json!({ "ContactEmail": "data@fabrikam.example" }))
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), StatusCode::OK);

    // A restart gets a new port, so a new token issuer: sign in again.
    let app = app.restart().await;
    let contoso_token = app.token(contoso.client_id, &contoso.client_secret).await;
    let fabrikam_token = app.token(fabrikam.client_id, &fabrikam.client_secret).await;
    let seen = get_ok(&app, &tenantless(&community), &contoso_token).await;
    assert_eq!(seen["Tenants"][1]["ContactEmail"], "data@fabrikam.example");

    // Leaving takes the contact with it: back again, it is unset.
    let response = app.delete(&own_row, &fabrikam_token).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let contoso = TestTenant {
        token: contoso_token,
        ..contoso
    };
    let fabrikam = TestTenant {
        token: fabrikam_token,
        ..fabrikam
    };
    app.join(&contoso, &community, &fabrikam).await;
    let seen = get_ok(&app, &tenantless(&community), &contoso.token).await;
    assert_eq!(seen["Tenants"][1]["ContactEmail"], Value::Null);
}

#[tokio::test]
async fn tenants_show_their_external_account_and_type() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let path = format!("/api/v1/Tenants/{}", contoso.id);

    let tenant = get_ok(&app, &path, &contoso.token).await;
    assert_eq!(tenant["ExternalAccountId"], Value::Null);
    assert_eq!(tenant["TenantType"], "Unlinked");
    let updated = json_with_status(
        app.put_json(
            &path,
            &contoso.token,
            &json!({ "ExternalAccountId": "acct-42" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["ExternalAccountId"], "acct-42");
    assert_eq!(updated["TenantType"], "Linked");
    let tenant = get_ok(&app, &path, &contoso.token).await;
    assert_eq!(tenant["ExternalAccountId"], "acct-42");
}

// ---------------------------------------------------------------- 7. lenient reading

#[tokio::test]
async fn bodies_are_read_in_any_case_and_answered_in_pascal_case() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let created = json_with_status(
        app.post_json(
            &communities_path(contoso.id),
            &contoso.token,
            &json!({ "name": "Plant data", "DESCRIPTION": "camel and shouting" }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["Name"], "Plant data");
    assert_eq!(created["Description"], "camel and shouting");
    let community = created["Id"].as_str().unwrap().to_string();

    let invitation = json_with_status(
        app.post_json(
            &invitations_path(contoso.id, &community),
            &contoso.token,
            &json!({ "invitationRecipient": fabrikam.admin_email }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(invitation["State"], "InvitationCreated");
    let id = invitation["Id"].as_str().unwrap();
    for (token, action) in [(&fabrikam.token, "accept"), (&contoso.token, "CONFIRM")] {
        let response = app
            .put_json(
                &format!("/api/v1-preview/communityinvitations/{id}"),
                token,
                &json!({ "action": action }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{action}");
    }
    let response = app
        .put_json(
            &format!(
                "{}/{community}/communitytenants/{}",
                communities_path(contoso.id),
                fabrikam.id
            ),
            &contoso.token,
            &json!({ "status": "paused" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.member_statuses(&contoso, &community).await[1],
        pair("Fabrikam", "Paused")
    );
    // Unknown values still fail, naming the field.
    let body = assert_error(
        app.put_json(
            &format!("/api/v1-preview/communityinvitations/{id}"),
            &contoso.token,
            &json!({ "action": "maybe" }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "Action",
    )
    .await;
    assert_eq!(body["Parameter"], "Action");
}

#[tokio::test]
async fn a_401_names_the_bearer_scheme_and_a_405_has_an_error_response() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;

    for token in ["", "not-a-token"] {
        let response = app
            .get(&format!("/api/v1/Tenants/{}", contoso.id), token)
            .await;
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer",
            "token '{token}'"
        );
        assert_error(response, StatusCode::UNAUTHORIZED, "").await;
    }
    let response = app
        .request(
            Method::PATCH,
            &format!("/api/v1/Tenants/{}", contoso.id),
            &contoso.token,
        )
        .send()
        .await
        .expect("request sent");
    assert_error(response, StatusCode::METHOD_NOT_ALLOWED, "PATCH").await;
}
