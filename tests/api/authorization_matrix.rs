//! Every API and identity route, called by everyone who should get nothing
//! (or little) from it: no token, another tenant's administrator, a plain
//! Tenant Member, a paused member, a removed member, and a tenant that was
//! deactivated. Each cell's status is asserted, and no body carries data of
//! a tenant or community the caller may not see.
//!
//! To add a route, add a row to `ROUTES`: its method, its path (the
//! placeholders below stand for the world's ids), an optional body, and
//! the status each caller gets, in the order of `CALLERS`.

use crate::helpers::*;
use communityd::app::admin;
use communityd::domain::role::Role;
use communityd::domain::tenant::TenantState;
use reqwest::Method;
use serde_json::json;

/// Who calls, in the order of each row's statuses.
const CALLERS: [&str; 6] = [
    "no token",
    "foreign tenant administrator",
    "plain Tenant Member of the owner",
    "paused member",
    "removed member",
    "deactivated tenant",
];

/// One route and what each caller gets. Placeholders: {T} the owner
/// tenant, {C} its community, {M} an Active member tenant, {U} the owner's
/// administrator user, {K} the owner's administrator client, {I} a pending
/// invitation the owner sent, {ROLE} the community's Community Member role.
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub body: Option<&'static str>,
    pub expect: [u16; 6],
}

const fn route(
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    expect: [u16; 6],
) -> Route {
    Route {
        method,
        path,
        body,
        expect,
    }
}

const TENANT: &str = "/api/v1/Tenants/{T}";
const PNG: Option<&str> = Some(
    "\"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==\"",
);
const STATUS_PAUSED: Option<&str> = Some(r#"{"Status":"Paused"}"#);
/// The member is Active already: "nothing changed" must not answer first.
const STATUS_ACTIVE: Option<&str> = Some(r#"{"Status":"Active"}"#);
const ROLES: Option<&str> = Some(r#"["{ROLE}"]"#);

//                                        none  foreign plain paused removed deactivated
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    // Tenants
    route("GET", TENANT, None, [401, 403, 200, 403, 403, 403]),
    route("HEAD", TENANT, None, [401, 403, 204, 403, 403, 403]),
    route("PUT", TENANT, Some(r#"{"CompanyName":"Taken Over"}"#), [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{T}/Icon", None, [401, 403, 200, 403, 403, 403]),
    route("PUT", "/api/v1/Tenants/{T}/Icon", PNG, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1/Tenants/{T}/Icon", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{T}/Regions", None, [401, 403, 200, 403, 403, 403]),
    // The tenant's own directory
    route("GET", "/api/v1/Tenants/{T}/Roles", None, [401, 403, 200, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{T}/Roles/{ROLE}", None, [401, 403, 404, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{T}/Users", None, [401, 403, 200, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{T}/Users/{U}", None, [401, 403, 200, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{T}/ClientCredentialClients", None, [401, 403, 200, 403, 403, 403]),
    route("GET", "/api/v1/Tenants/{T}/ClientCredentialClients/{K}", None, [401, 403, 200, 403, 403, 403]),
    // Communities, with the tenant segment
    route("GET", "/api/v1-preview/Tenants/{T}/Communities", None, [401, 403, 200, 403, 403, 403]),
    route("POST", "/api/v1-preview/Tenants/{T}/Communities", Some(r#"{"Name":"Matrix"}"#), [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1-preview/Tenants/{T}/Communities/{C}", None, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/Tenants/{T}/Communities/{C}", Some(r#"{"Name":"Taken"}"#), [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1-preview/Tenants/{T}/Communities/{C}", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1-preview/Tenants/{T}/Communities/{C}/summary", None, [401, 403, 200, 403, 403, 403]),
    // Communities, tenant from the token
    route("GET", "/api/v1-preview/Communities", None, [401, 200, 200, 200, 200, 403]),
    route("POST", "/api/v1-preview/Communities", Some(r#"{"Name":"Matrix"}"#), [401, 201, 403, 201, 201, 403]),
    route("GET", "/api/v1-preview/Communities/{C}", None, [401, 404, 403, 200, 404, 403]),
    route("PUT", "/api/v1-preview/Communities/{C}", Some(r#"{"Name":"Taken"}"#), [401, 404, 403, 403, 404, 403]),
    route("DELETE", "/api/v1-preview/Communities/{C}", None, [401, 404, 403, 403, 404, 403]),
    route("GET", "/api/v1-preview/Communities/{C}/summary", None, [401, 404, 200, 200, 404, 403]),
    route("GET", "/api/v1-preview/Communities/{C}/Roles", None, [401, 404, 403, 200, 404, 403]),
    // Community tenants
    route("GET", "/api/v1-preview/tenants/{T}/communities/{C}/communitytenants", None, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/tenants/{T}/communities/{C}/communitytenants/{M}", STATUS_PAUSED, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/tenants/{T}/communities/{C}/communitytenants/{M}", STATUS_ACTIVE, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1-preview/tenants/{T}/communities/{C}/communitytenants/{M}", None, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/tenants/{T}/communities/{C}/membertenants/{M}", STATUS_PAUSED, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1-preview/tenants/{T}/communities/{C}/membertenants/{M}", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1-preview/communities/{C}/tenants", None, [401, 404, 403, 200, 404, 403]),
    route("PUT", "/api/v1-preview/communities/{C}/tenants/{M}", STATUS_PAUSED, [401, 404, 403, 403, 404, 403]),
    route("PUT", "/api/v1-preview/communities/{C}/tenants/{M}", STATUS_ACTIVE, [401, 404, 403, 403, 404, 403]),
    route("PATCH", "/api/v1-preview/communities/{C}/tenants/{M}", STATUS_PAUSED, [401, 404, 403, 403, 404, 403]),
    route("DELETE", "/api/v1-preview/communities/{C}/tenants/{M}", None, [401, 404, 403, 403, 404, 403]),
    // Users and clients of the caller's tenant in a community
    route("GET", "/api/v1-preview/Tenants/{T}/Communities/{C}/Users", None, [401, 403, 403, 403, 403, 403]),
    route("HEAD", "/api/v1-preview/Tenants/{T}/Communities/{C}/Users", None, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/Tenants/{T}/Communities/{C}/Users/{U}", ROLES, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1-preview/Tenants/{T}/Communities/{C}/Users/{U}", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1-preview/Tenants/{T}/Communities/{C}/ClientCredentialClients", None, [401, 403, 403, 403, 403, 403]),
    route("HEAD", "/api/v1-preview/Tenants/{T}/Communities/{C}/ClientCredentialClients", None, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/Tenants/{T}/Communities/{C}/ClientCredentialClients/{K}", ROLES, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1-preview/Tenants/{T}/Communities/{C}/ClientCredentialClients/{K}", None, [401, 403, 403, 403, 403, 403]),
    // Invitations
    route("GET", "/api/v1-preview/tenants/{T}/communities/{C}/invitations", None, [401, 403, 403, 403, 403, 403]),
    route("POST", "/api/v1-preview/tenants/{T}/communities/{C}/invitations", Some(r#"{"InvitationRecipient":"new@matrix.example"}"#), [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1-preview/tenants/{T}/communities/{C}/invitations/{I}", None, [401, 403, 403, 403, 403, 403]),
    route("DELETE", "/api/v1-preview/tenants/{T}/communities/{C}/invitations/{I}", None, [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/communityinvitations/{I}", Some(r#"{"Action":"Accept"}"#), [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/communityinvitations/{I}", Some(r#"{"Action":"Decline"}"#), [401, 403, 403, 403, 403, 403]),
    route("PUT", "/api/v1-preview/communityinvitations/{I}", Some(r#"{"Action":"Confirm"}"#), [401, 404, 403, 404, 404, 403]),
    route("PUT", "/api/v1-preview/communityinvitations/{I}", Some(r#"{"Action":"Resend"}"#), [401, 404, 403, 404, 404, 403]),
    route("GET", "/api/v1-preview/communityinvitations/{I}/details", None, [401, 403, 403, 403, 403, 403]),
    route("GET", "/api/v1-preview/tenants/{T}/communityinvitations", None, [401, 403, 403, 403, 403, 403]),
    // Identity
    route("GET", "/identity/.well-known/openid-configuration", None, [200, 200, 200, 200, 200, 200]),
    route("POST", "/identity/connect/token", Some("grant_type=client_credentials&client_id={K}&client_secret=guess"), [400, 400, 400, 400, 400, 400]),
];

/// The tenants and objects the matrix calls against.
struct World {
    app: TestApp,
    owner: TestTenant,
    member: TestTenant,
    community: String,
    invitation: String,
    role: String,
    /// Tokens, in the order of `CALLERS` (none for the first).
    tokens: Vec<Option<String>>,
    /// Data each caller may not see, in the order of `CALLERS`.
    secrets: Vec<Vec<String>>,
}

async fn deactivate(app: &TestApp, tenant: &TestTenant) {
    let store = app.ctx.store.clone();
    let id = tenant.id;
    tokio::task::spawn_blocking(move || {
        admin::set_tenant_state(&store, id, TenantState::Deactivated, chrono::Utc::now())
    })
    .await
    .unwrap()
    .unwrap();
}

async fn world() -> World {
    let app = spawn_app().await;
    let owner = app.tenant("Contoso").await;
    let member = app.tenant("Fabrikam").await;
    let paused = app.tenant("Pausedco").await;
    let removed = app.tenant("Removedco").await;
    let deactivated = app.tenant("Deactivatedco").await;
    let foreign = app.tenant("Foreignco").await;
    let community = app.community(&owner, "Plant data").await;
    for t in [&member, &paused, &removed, &deactivated] {
        app.join(&owner, &community, t).await;
    }
    let base = format!(
        "{}/{community}/communitytenants",
        communities_path(owner.id)
    );
    let r = app
        .put_json(
            &format!("{base}/{}", paused.id),
            &owner.token,
            &json!({ "Status": "Paused" }),
        )
        .await;
    assert_eq!(r.status(), 200, "pause");
    let r = app
        .delete(&format!("{base}/{}", removed.id), &owner.token)
        .await;
    assert_eq!(r.status(), 204, "remove");
    let invitation = app
        .invite_id(&owner, &community, "pending@elsewhere.example")
        .await;
    deactivate(&app, &deactivated).await;
    let foreign_community = app.community(&foreign, "Foreign secrets").await;
    let foreign_invitation = app
        .invite_id(&foreign, &foreign_community, "secret@partner.example")
        .await;
    let (_, plain) = app.client(owner.id, &[Role::TenantMember]).await;
    let roles = json_with_status(
        app.get(
            &format!("/api/v1-preview/Communities/{community}/Roles"),
            &owner.token,
        )
        .await,
        reqwest::StatusCode::OK,
    )
    .await;
    let role = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["Name"]
                .as_str()
                .unwrap_or_default()
                .ends_with("Community Member")
        })
        .unwrap()["Id"]
        .as_str()
        .unwrap()
        .to_string();

    // What outsiders of the community may not see, and what of the foreign
    // tenant nobody but it may see.
    let foreign_data = vec![
        foreign.id.to_string(),
        "Foreignco".to_string(),
        foreign_community.clone(),
        "Foreign secrets".to_string(),
        foreign_invitation,
        "secret@partner.example".to_string(),
        foreign.admin_email.clone(),
    ];
    let invitation_data = vec![invitation.clone(), "pending@elsewhere.example".to_string()];
    let owner_data = vec![
        owner.id.to_string(),
        "Contoso".to_string(),
        owner.admin_email.clone(),
        owner.admin_user.to_string(),
        owner.client_id.to_string(),
    ];
    let community_data = vec![
        community.clone(),
        "Plant data".to_string(),
        member.id.to_string(),
        "Fabrikam".to_string(),
        paused.id.to_string(),
        "Pausedco".to_string(),
        member.admin_email.clone(),
    ];
    let outsider: Vec<String> = [
        &owner_data,
        &community_data,
        &invitation_data,
        &foreign_data,
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    let foreigner: Vec<String> = [&owner_data, &community_data, &invitation_data]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let plain_member: Vec<String> = [&community_data, &invitation_data, &foreign_data]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let paused_member: Vec<String> = [
        &invitation_data,
        &foreign_data,
        &vec![owner.admin_email.clone(), owner.admin_user.to_string()],
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    World {
        tokens: vec![
            None,
            Some(foreign.token.clone()),
            Some(plain),
            Some(paused.token.clone()),
            Some(removed.token.clone()),
            Some(deactivated.token.clone()),
        ],
        secrets: vec![
            outsider.clone(),
            foreigner,
            plain_member,
            paused_member,
            outsider.clone(),
            outsider,
        ],
        app,
        owner,
        member,
        community,
        invitation,
        role,
    }
}

impl World {
    fn fill(&self, template: &str) -> String {
        template
            .replace("{T}", &self.owner.id.to_string())
            .replace("{C}", &self.community)
            .replace("{M}", &self.member.id.to_string())
            .replace("{U}", &self.owner.admin_user.to_string())
            .replace("{K}", &self.owner.client_id.to_string())
            .replace("{I}", &self.invitation)
            .replace("{ROLE}", &self.role)
    }

    async fn call(&self, r: &Route, token: Option<&str>) -> (u16, String) {
        let method = Method::from_bytes(r.method.as_bytes()).unwrap();
        let mut request = self
            .app
            .http
            .request(method, format!("{}{}", self.app.url, self.fill(r.path)));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = r.body {
            let content_type = if r.path.starts_with("/identity") {
                "application/x-www-form-urlencoded"
            } else {
                "application/json"
            };
            request = request
                .header("content-type", content_type)
                .body(self.fill(body));
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }
}

#[tokio::test]
async fn every_route_refuses_every_caller_it_should_and_leaks_nothing() {
    let world = world().await;
    let mut failures = Vec::new();
    for r in ROUTES {
        let sent = format!(
            "{} {}",
            world.fill(r.path),
            world.fill(r.body.unwrap_or(""))
        );
        for (i, caller) in CALLERS.iter().enumerate() {
            let (status, body) = world.call(r, world.tokens[i].as_deref()).await;
            if status != r.expect[i] {
                failures.push(format!(
                    "{} {} as {caller}: {status}, expected {}: {body}",
                    r.method, r.path, r.expect[i]
                ));
            }
            // What the caller sent may come back (an id in "does not
            // exist"); anything else of theirs may not.
            for secret in &world.secrets[i] {
                if body.contains(secret.as_str()) && !sent.contains(secret.as_str()) {
                    failures.push(format!(
                        "{} {} as {caller}: the body shows '{secret}': {body}",
                        r.method, r.path
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells are wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The rows are meant to cover the route table: a route added without a
/// row here fails this count (update both together).
#[test]
fn the_matrix_lists_every_route() {
    let sources = [
        include_str!("../../src/web/api/tenants.rs"),
        include_str!("../../src/web/api/communities.rs"),
        include_str!("../../src/web/api/community_tenants.rs"),
        include_str!("../../src/web/api/community_members.rs"),
        include_str!("../../src/web/api/invitations.rs"),
        include_str!("../../src/web/api/directory.rs"),
        include_str!("../../src/web/identity.rs"),
    ];
    let declared: usize = sources.iter().map(|s| s.matches(".route(").count()).sum();
    // Route registrations in loops serve several paths: communities'
    // six under two bases (+6), community_tenants' two under two aliases
    // (+2), community_members' four under two kinds (+4).
    let expected = declared + 6 + 2 + 4;
    let covered: std::collections::HashSet<(&str, String)> = ROUTES
        .iter()
        .map(|r| (r.method, r.path.to_lowercase()))
        .collect();
    assert_eq!(covered.len(), expected, "a route has no row in ROUTES");
}
