//! The Communities API: create, list, get, update, delete, summary, and
//! tenant isolation, with real tokens of two and three tenants.

use crate::helpers::*;
use communityd::domain::role::Role;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

fn community_path(tenant: communityd::domain::ids::TenantId, community: &str) -> String {
    format!("{}/{community}", communities_path(tenant))
}

fn tenantless(community: &str) -> String {
    format!("/api/v1-preview/Communities/{community}")
}

async fn create(app: &TestApp, owner: &TestTenant, body: Value) -> Response {
    app.post_json(&communities_path(owner.id), &owner.token, &body)
        .await
}

async fn list(app: &TestApp, viewer: &TestTenant, query: &str) -> Response {
    app.get(
        &format!("{}{query}", communities_path(viewer.id)),
        &viewer.token,
    )
    .await
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a JSON array")
        .iter()
        .map(|c| c["Name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Invites `member` and lets it accept, without confirming.
async fn accept_only(app: &TestApp, owner: &TestTenant, community: &str, member: &TestTenant) {
    let inv = app.invite(owner, community, &member.admin_email).await;
    let id = inv["Id"].as_str().expect("invitation Id");
    app.accept(&member.token, id).await;
}

// ---------------------------------------------------------------- create

#[tokio::test]
async fn creating_a_community_returns_it_with_the_owner_as_its_only_active_tenant() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;

    let response = create(
        &app,
        &contoso,
        json!({ "Name": "  Plant data ", "Description": "Shared plant streams" }),
    )
    .await;
    let body = json_with_status(response, StatusCode::CREATED).await;

    let id = body["Id"].as_str().expect("Id");
    assert!(uuid::Uuid::try_parse(id).is_ok(), "Id is a GUID: {id}");
    assert_eq!(body["Name"], "Plant data", "the name is trimmed");
    assert_eq!(body["Alias"], "Plant data", "Alias defaults to the name");
    assert_eq!(body["Description"], "Shared plant streams");
    let created = body["DateCreated"].as_str().expect("DateCreated");
    chrono::DateTime::parse_from_rfc3339(created).expect("DateCreated is RFC 3339");
    assert_eq!(body["StreamsContributedCount"], 0);
    assert_eq!(body["TotalStreamsContributedCount"], 0);
    assert_eq!(
        body["Tenants"],
        json!([{
            "Id": contoso.id.to_string(),
            "Name": "Contoso",
            "Status": "Active",
            "IsOwner": true,
            "UserCount": 0,
            "ClientCount": 1,
            "PreferredRegionId": null,
            "ContactEmail": null,
            "CommunityAlias": null
        }])
    );

    // It is stored: a GET returns the same community.
    let stored = json_with_status(
        app.get(&community_path(contoso.id, id), &contoso.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stored["Name"], "Plant data");
    assert_eq!(stored["DateCreated"], body["DateCreated"]);
}

#[tokio::test]
async fn a_tenant_member_client_cannot_create_a_community() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let (_, member_token) = app.client(contoso.id, &[Role::TenantMember]).await;

    let response = app
        .post_json(
            &communities_path(contoso.id),
            &member_token,
            &json!({ "Name": "Plant data" }),
        )
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "Tenant Administrator").await;
    let all = json_with_status(list(&app, &contoso, "").await, StatusCode::OK).await;
    assert_eq!(all, json!([]), "nothing was created");
}

#[tokio::test]
async fn invalid_community_names_are_rejected_naming_the_field() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;

    for bad in [
        json!({ "Name": "" }),
        json!({ "Name": "   \t " }),
        json!({ "Name": "x".repeat(101) }),
        json!({ "Description": "no name" }),
        json!({ "Name": 5 }),
    ] {
        let response = create(&app, &contoso, bad.clone()).await;
        let error = assert_error(response, StatusCode::BAD_REQUEST, "Name").await;
        assert_eq!(error["Parameter"], "Name", "for {bad}");
    }
    // 100 characters is still fine.
    json_with_status(
        create(&app, &contoso, json!({ "Name": "y".repeat(100) })).await,
        StatusCode::CREATED,
    )
    .await;
    let all = json_with_status(list(&app, &contoso, "").await, StatusCode::OK).await;
    assert_eq!(names(&all), vec!["y".repeat(100)]);
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;

    let response = app
        .send_raw(
            Method::POST,
            &communities_path(contoso.id),
            &contoso.token,
            "this is not json",
        )
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "body").await;
    let response = app
        .send_raw(
            Method::POST,
            &communities_path(contoso.id),
            &contoso.token,
            "{\"Name\": \"Plant data\"",
        )
        .await;
    json_with_status(response, StatusCode::BAD_REQUEST).await;
    let all = json_with_status(list(&app, &contoso, "").await, StatusCode::OK).await;
    assert_eq!(all, json!([]));
}

#[tokio::test]
async fn names_are_unique_per_owner_whatever_the_case_but_not_across_tenants() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    app.community(&contoso, "Plant data").await;

    let response = create(&app, &contoso, json!({ "Name": "PLANT DATA" })).await;
    assert_error(response, StatusCode::CONFLICT, "Plant data").await;

    let response = create(&app, &fabrikam, json!({ "Name": "Plant data" })).await;
    let body = json_with_status(response, StatusCode::CREATED).await;
    assert_eq!(body["Tenants"][0]["Name"], "Fabrikam");

    let mine = json_with_status(list(&app, &contoso, "").await, StatusCode::OK).await;
    assert_eq!(names(&mine), vec!["Plant data"]);
}

// ---------------------------------------------------------------- list

#[tokio::test]
async fn the_list_holds_only_communities_the_callers_tenant_is_in() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let shared = app.community(&contoso, "Shared").await;
    app.community(&contoso, "Contoso only").await;
    app.community(&fabrikam, "Fabrikam only").await;
    app.join(&contoso, &shared, &fabrikam).await;

    let of = |list: Value| {
        let mut n = names(&list);
        n.sort();
        n
    };
    let c = json_with_status(list(&app, &contoso, "").await, StatusCode::OK).await;
    assert_eq!(of(c), vec!["Contoso only", "Shared"]);
    let f = json_with_status(list(&app, &fabrikam, "").await, StatusCode::OK).await;
    assert_eq!(of(f), vec!["Fabrikam only", "Shared"]);
    let n = json_with_status(list(&app, &northwind, "").await, StatusCode::OK).await;
    assert_eq!(n, json!([]));

    // The tenant-less route lists the same.
    let f2 = json_with_status(
        app.get("/api/v1-preview/Communities", &fabrikam.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(of(f2), vec!["Fabrikam only", "Shared"]);
}

#[tokio::test]
async fn list_paging_edges() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    for name in ["First", "Second", "Third"] {
        app.community(&contoso, name).await;
    }
    let page = |query: &'static str| {
        let app = &app;
        let contoso = &contoso;
        async move { json_with_status(list(app, contoso, query).await, StatusCode::OK).await }
    };

    assert_eq!(names(&page("?skip=0&count=1").await), vec!["First"]);
    assert_eq!(names(&page("?skip=1&count=1").await), vec!["Second"]);
    assert_eq!(names(&page("?skip=2").await), vec!["Third"]);
    assert_eq!(page("?skip=3").await, json!([]));
    assert_eq!(page("?skip=99").await, json!([]));
    assert_eq!(
        names(&page("?count=1000").await),
        vec!["First", "Second", "Third"]
    );
    assert_eq!(
        names(&page("?SKIP=1&COUNT=2").await),
        vec!["Second", "Third"]
    );

    for (query, field) in [
        ("?count=0", "count"),
        ("?count=1001", "count"),
        ("?count=abc", "count"),
        ("?skip=-1", "skip"),
        ("?skip=x", "skip"),
    ] {
        let error = assert_error(
            list(&app, &contoso, query).await,
            StatusCode::BAD_REQUEST,
            field,
        )
        .await;
        assert_eq!(error["Parameter"], field, "for {query}");
    }
}

// ---------------------------------------------------------------- get

#[tokio::test]
async fn a_community_answers_with_and_without_the_tenant_segment_in_any_case() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let id = app.community(&contoso, "Plant data").await;

    let with = json_with_status(
        app.get(&community_path(contoso.id, &id), &contoso.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let without = json_with_status(
        app.get(&tenantless(&id), &contoso.token).await,
        StatusCode::OK,
    )
    .await;
    let shouting = json_with_status(
        app.get(
            &format!("/API/V1-PREVIEW/TENANTS/{}/COMMUNITIES/{id}", contoso.id),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let upper_id = json_with_status(
        app.get(&tenantless(&id.to_uppercase()), &contoso.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(with["Id"], id);
    assert_eq!(with["Name"], "Plant data");
    assert_eq!(with, without);
    assert_eq!(with, shouting);
    assert_eq!(with, upper_id);
}

#[tokio::test]
async fn an_invalid_community_id_is_a_bad_request_naming_it() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    for path in [
        format!("{}/not-a-guid", communities_path(contoso.id)),
        tenantless("12345"),
    ] {
        let error = assert_error(
            app.get(&path, &contoso.token).await,
            StatusCode::BAD_REQUEST,
            "communityId",
        )
        .await;
        assert_eq!(error["Parameter"], "communityId");
    }
}

#[tokio::test]
async fn another_tenants_id_in_the_path_is_forbidden() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let id = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &id, &fabrikam).await;

    // Even a member tenant must name itself in the path.
    let response = app
        .get(&community_path(contoso.id, &id), &fabrikam.token)
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;
    let response = app
        .get(&communities_path(contoso.id), &fabrikam.token)
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;
    // Its own path works.
    let body = json_with_status(
        app.get(&community_path(fabrikam.id, &id), &fabrikam.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["Name"], "Plant data");
}

#[tokio::test]
async fn an_unknown_community_is_not_found() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let unknown = uuid::Uuid::now_v7().to_string();
    assert_error(
        app.get(&community_path(contoso.id, &unknown), &contoso.token)
            .await,
        StatusCode::NOT_FOUND,
        &unknown,
    )
    .await;
}

// ---------------------------------------------------------------- update

#[tokio::test]
async fn the_owners_administrator_renames_and_redescribes_a_community() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let id = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &id, &fabrikam).await;

    let body = json_with_status(
        app.put_json(
            &community_path(contoso.id, &id),
            &contoso.token,
            &json!({ "Name": "Line data", "Description": "Lines 1 to 4" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["Name"], "Line data");
    assert_eq!(body["Alias"], "Line data");
    assert_eq!(body["Description"], "Lines 1 to 4");

    // The member sees the new values; the old name is free again.
    let seen = json_with_status(
        app.get(&tenantless(&id), &fabrikam.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["Name"], "Line data");
    assert_eq!(seen["Description"], "Lines 1 to 4");
    json_with_status(
        create(&app, &contoso, json!({ "Name": "Plant data" })).await,
        StatusCode::CREATED,
    )
    .await;

    // A change of case of its own name is not a conflict with itself.
    let body = json_with_status(
        app.put_json(
            &tenantless(&id),
            &contoso.token,
            &json!({ "Name": "LINE DATA" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["Name"], "LINE DATA");
    assert_eq!(body["Description"], "Lines 1 to 4", "left alone");
}

#[tokio::test]
async fn renaming_to_another_community_name_of_the_same_owner_conflicts() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    app.community(&contoso, "Plant data").await;
    let id = app.community(&contoso, "Line data").await;

    let response = app
        .put_json(
            &community_path(contoso.id, &id),
            &contoso.token,
            &json!({ "Name": "plant DATA" }),
        )
        .await;
    assert_error(response, StatusCode::CONFLICT, "already owns").await;
    let stored = json_with_status(
        app.get(&community_path(contoso.id, &id), &contoso.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stored["Name"], "Line data");

    let response = app
        .put_json(
            &community_path(contoso.id, &id),
            &contoso.token,
            &json!({ "Name": " " }),
        )
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "Name").await;
}

#[tokio::test]
async fn a_member_tenant_cannot_rename_but_may_set_its_own_alias() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let id = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &id, &fabrikam).await;

    let response = app
        .put_json(
            &community_path(fabrikam.id, &id),
            &fabrikam.token,
            &json!({ "Name": "Hijacked" }),
        )
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "owns the community").await;

    let body = json_with_status(
        app.put_json(
            &community_path(fabrikam.id, &id),
            &fabrikam.token,
            &json!({ "Alias": "Contoso plants" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["Alias"], "Contoso plants");
    assert_eq!(body["Name"], "Plant data");

    let members_view = json_with_status(
        app.get(&tenantless(&id), &fabrikam.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(members_view["Alias"], "Contoso plants");
    assert_eq!(members_view["Name"], "Plant data");
    let owners_view = json_with_status(
        app.get(&tenantless(&id), &contoso.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        owners_view["Alias"], "Plant data",
        "the owner sees the name"
    );
    assert_eq!(owners_view["Name"], "Plant data");
    let members_list = json_with_status(list(&app, &fabrikam, "").await, StatusCode::OK).await;
    assert_eq!(members_list[0]["Alias"], "Contoso plants");
}

// ---------------------------------------------------------------- delete

#[tokio::test]
async fn the_owner_deletes_a_community_and_it_is_gone_for_every_member() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let id = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &id, &fabrikam).await;
    assert_eq!(
        names(&json_with_status(list(&app, &fabrikam, "").await, StatusCode::OK).await),
        vec!["Plant data"]
    );

    let response = app
        .delete(&community_path(contoso.id, &id), &contoso.token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    for viewer in [&contoso, &fabrikam] {
        assert_error(
            app.get(&community_path(viewer.id, &id), &viewer.token)
                .await,
            StatusCode::NOT_FOUND,
            "does not exist",
        )
        .await;
        let all = json_with_status(list(&app, viewer, "").await, StatusCode::OK).await;
        assert_eq!(all, json!([]), "{} still lists it", viewer.name);
    }
    // Its name is free again, and a second delete finds nothing.
    json_with_status(
        create(&app, &contoso, json!({ "Name": "Plant data" })).await,
        StatusCode::CREATED,
    )
    .await;
    let again = app.delete(&tenantless(&id), &contoso.token).await;
    assert_error(again, StatusCode::NOT_FOUND, "does not exist").await;
}

#[tokio::test]
async fn only_the_owners_community_administrator_may_delete() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let id = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &id, &fabrikam).await;
    let (_, tenant_member) = app.client(contoso.id, &[Role::TenantMember]).await;

    let response = app
        .delete(&community_path(fabrikam.id, &id), &fabrikam.token)
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "owns the community").await;
    let response = app
        .delete(&community_path(contoso.id, &id), &tenant_member)
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "Community Administrator").await;

    let stored = json_with_status(
        app.get(&community_path(contoso.id, &id), &contoso.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stored["Tenants"].as_array().unwrap().len(), 2);
}

// ---------------------------------------------------------------- summary

#[tokio::test]
async fn the_summary_counts_streams_with_and_without_the_tenant_segment() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let id = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &id, &fabrikam).await;

    for (viewer, path) in [
        (
            &contoso,
            format!("{}/Summary", community_path(contoso.id, &id)),
        ),
        (&contoso, format!("{}/summary", tenantless(&id))),
        (
            &fabrikam,
            format!("{}/Summary", community_path(fabrikam.id, &id)),
        ),
    ] {
        let mut body = json_with_status(app.get(&path, &viewer.token).await, StatusCode::OK).await;
        // AVEVA Data Hub's form adds the per-tenant counts; OCS-2021's has none.
        let per_tenant = body
            .as_object_mut()
            .unwrap()
            .remove("CommunitySummaryInformationForTenants");
        assert_eq!(per_tenant.is_some(), !path.contains("/tenants/"), "{path}");
        assert_eq!(
            body,
            json!({ "TotalStreams": 0, "StreamsContributed": 0 }),
            "{path}"
        );
    }
}

// ---------------------------------------------------------------- isolation

#[tokio::test]
async fn a_tenant_outside_the_community_learns_nothing_on_any_route() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let northwind = app.tenant("Northwind").await;
    let secret = "Secret turbine data";
    let id = app.community(&contoso, secret).await;
    app.join(&contoso, &id, &fabrikam).await;
    let pending = app.invite(&contoso, &id, "someone@elsewhere.example").await;
    let inv = pending["Id"].as_str().unwrap().to_string();
    let created = json_with_status(
        app.get(&community_path(contoso.id, &id), &contoso.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let member_role = created["MemberRoleId"].as_str().unwrap().to_string();
    let roles = json!([member_role]);
    let status = json!({ "Status": "Paused" });
    let rename = json!({ "Name": "Owned", "Alias": "Mine" });
    let invite = json!({ "InvitationRecipient": "victim@northwind.example" });
    // Identities Northwind might try: its own, and the owner's.
    let (own_client, _) = app.client(northwind.id, &[Role::TenantMember]).await;
    let own_user = northwind.admin_user;

    let mut routes: Vec<(Method, String, Option<Value>)> = Vec::new();
    for (tenant, base) in [
        (Some(northwind.id), community_path(northwind.id, &id)),
        (Some(contoso.id), community_path(contoso.id, &id)),
        (None, tenantless(&id)),
    ] {
        routes.extend([
            (Method::GET, base.clone(), None),
            (Method::PUT, base.clone(), Some(rename.clone())),
            (Method::DELETE, base.clone(), None),
            (Method::GET, format!("{base}/Summary"), None),
        ]);
        let members = if tenant.is_some() {
            format!("{base}/communitytenants")
        } else {
            format!("{base}/Tenants")
        };
        routes.push((Method::GET, members.clone(), None));
        for target in [contoso.id, fabrikam.id, northwind.id] {
            routes.push((
                Method::PUT,
                format!("{members}/{target}"),
                Some(status.clone()),
            ));
            routes.push((Method::DELETE, format!("{members}/{target}"), None));
        }
        if tenant.is_some() {
            routes.push((
                Method::PUT,
                format!("{base}/membertenants/{}", fabrikam.id),
                Some(status.clone()),
            ));
            routes.push((
                Method::DELETE,
                format!("{base}/membertenants/{}", fabrikam.id),
                None,
            ));
            routes.extend([
                (Method::GET, format!("{base}/invitations"), None),
                (
                    Method::POST,
                    format!("{base}/invitations"),
                    Some(invite.clone()),
                ),
                (Method::GET, format!("{base}/invitations/{inv}"), None),
                (Method::DELETE, format!("{base}/invitations/{inv}"), None),
            ]);
            for (segment, ids) in [
                (
                    "Users",
                    [own_user.to_string(), contoso.admin_user.to_string()],
                ),
                (
                    "ClientCredentialClients",
                    [own_client.to_string(), contoso.client_id.to_string()],
                ),
            ] {
                routes.push((Method::GET, format!("{base}/{segment}"), None));
                routes.push((Method::HEAD, format!("{base}/{segment}"), None));
                for who in ids {
                    routes.push((
                        Method::PUT,
                        format!("{base}/{segment}/{who}"),
                        Some(roles.clone()),
                    ));
                    routes.push((Method::DELETE, format!("{base}/{segment}/{who}"), None));
                }
            }
        }
    }
    routes.push((Method::GET, format!("{}/Roles", tenantless(&id)), None));

    for (method, path, body) in routes {
        let mut request = app.request(method.clone(), &path, &northwind.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{method} {path} answered {status}: {text}"
        );
        assert!(
            !text.contains(secret),
            "{method} {path} leaked the name: {text}"
        );
    }

    // Nothing changed: same name, both tenants still Active, the invitation still open.
    let after = json_with_status(
        app.get(&community_path(contoso.id, &id), &contoso.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["Name"], secret);
    assert_eq!(
        app.member_statuses(&contoso, &id).await,
        vec![
            ("Contoso".to_string(), "Active".to_string()),
            ("Fabrikam".to_string(), "Active".to_string())
        ]
    );
    let still = json_with_status(
        app.get(
            &format!("{}/{inv}", invitations_path(contoso.id, &id)),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(still["State"], "InvitationCreated");
    let listed = json_with_status(list(&app, &northwind, "").await, StatusCode::OK).await;
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn a_tenant_awaiting_confirmation_cannot_see_the_community_yet() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let id = app.community(&contoso, "Plant data").await;
    accept_only(&app, &contoso, &id, &fabrikam).await;

    assert_error(
        app.get(&community_path(fabrikam.id, &id), &fabrikam.token)
            .await,
        StatusCode::FORBIDDEN,
        "not confirmed",
    )
    .await;
    assert_error(
        app.get(&format!("{}/Summary", tenantless(&id)), &fabrikam.token)
            .await,
        StatusCode::FORBIDDEN,
        "not confirmed",
    )
    .await;
    let listed = json_with_status(list(&app, &fabrikam, "").await, StatusCode::OK).await;
    assert_eq!(listed, json!([]));

    // Once confirmed it sees it.
    let invitations = json_with_status(
        app.get(&invitations_path(contoso.id, &id), &contoso.token)
            .await,
        StatusCode::OK,
    )
    .await;
    let inv = invitations[0]["Id"].as_str().unwrap();
    json_with_status(
        app.act(&contoso.token, inv, "Confirm").await,
        StatusCode::OK,
    )
    .await;
    let listed = json_with_status(list(&app, &fabrikam, "").await, StatusCode::OK).await;
    assert_eq!(names(&listed), vec!["Plant data"]);
}

#[tokio::test]
async fn requests_without_a_valid_token_are_unauthorized() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let id = app.community(&contoso, "Plant data").await;
    let response = app
        .http
        .get(format!("{}{}", app.url, community_path(contoso.id, &id)))
        .send()
        .await
        .unwrap();
    assert_error(response, StatusCode::UNAUTHORIZED, "Authorization").await;
    let response = app
        .get(&community_path(contoso.id, &id), "not-a-token")
        .await;
    assert_error(response, StatusCode::UNAUTHORIZED, "not valid").await;
}

#[tokio::test]
async fn paging_counts_only_communities_the_tenant_is_in() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    // Fabrikam awaits confirmation in an older community, and owns a newer one.
    let older = app.community(&contoso, "Older").await;
    accept_only(&app, &contoso, &older, &fabrikam).await;
    app.community(&fabrikam, "Own").await;

    let first = json_with_status(list(&app, &fabrikam, "?count=1").await, StatusCode::OK).await;
    assert_eq!(names(&first), vec!["Own"]);
    let second = json_with_status(
        list(&app, &fabrikam, "?skip=1&count=1").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(second, json!([]));
}
