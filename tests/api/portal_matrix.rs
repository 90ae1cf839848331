//! Every portal route, taken from the list the router registers
//! (`communityd::web::pages::table`), called by those who should get
//! nothing (or only their own view) from it: no session, a foreign tenant's
//! administrator, and the administrator of an Active member. Each cell's
//! status is asserted, and no answer shows a caller data it may not see.
//! POSTs carry the caller's own valid CSRF token, so what refuses them is
//! the rule, not the token.

use crate::authorization_matrix::{assert_no_wrong_cells, assert_rows_cover, leaks, Routes};
use crate::helpers::*;
use crate::pages::{hidden, Browser};

const CALLERS: [&str; 3] = [
    "no session",
    "foreign administrator",
    "member administrator",
];

/// A portal route and what each caller gets. Placeholders are the
/// router's; `World::fill` gives them the owner's objects.
struct Row {
    method: &'static str,
    path: &'static str,
    /// Form fields beside the CSRF token.
    form: &'static [(&'static str, &'static str)],
    expect: [u16; 3],
}

const fn row(method: &'static str, path: &'static str, expect: [u16; 3]) -> Row {
    confirmed(method, path, &[], expect)
}

/// A row whose form answers the confirmation step, so the action itself
/// is what is refused.
const fn confirmed(
    method: &'static str,
    path: &'static str,
    form: &'static [(&'static str, &'static str)],
    expect: [u16; 3],
) -> Row {
    Row {
        method,
        path,
        form,
        expect,
    }
}

const YES: &[(&str, &str)] = &[("confirm", "yes")];

// Where a form lacks a field the answer is 400 before any lookup; where an
// action asks to confirm first, the page only repeats what was sent, and
// the confirmed row shows the action refused.
//                                                none foreign member
#[rustfmt::skip]
const ROWS: &[Row] = &[
    row("GET", "/", [303, 303, 303]),
    row("GET", "/static/style.css", [200, 200, 200]),
    row("GET", "/static/delivery.js", [200, 200, 200]),
    row("GET", "/static/clients.js", [200, 200, 200]),
    row("GET", "/static/favicon.svg", [200, 200, 200]),
    row("GET", "/favicon.ico", [200, 200, 200]),
    row("GET", "/login", [200, 200, 200]),
    row("POST", "/login", [303, 303, 303]),
    // The second step without the first's double-submit token: back to
    // the first step, nothing asked.
    row("POST", "/login/code", [303, 303, 303]),
    row("POST", "/login/enrol", [303, 303, 303]),
    // A provider sign-in without the login page's token goes back to it;
    // the provider's answer without the flow's cookie is refused.
    row("POST", "/login/provider", [303, 303, 303]),
    row("GET", "/login/provider/callback", [400, 400, 400]),
    // Without the page's double-submit token: back to the form, nothing asked.
    row("GET", "/login/forgot", [200, 200, 200]),
    row("POST", "/login/forgot", [303, 303, 303]),
    row("GET", "/password/{token}", [404, 404, 404]),
    row("POST", "/password", [404, 404, 404]),
    row("GET", "/account", [303, 200, 200]),
    // An empty new password is refused before the current one is checked.
    row("POST", "/account/password", [303, 400, 400]),
    // Each caller's own account: an offer to enrol; a code is needed.
    row("GET", "/account/two-factor", [303, 200, 200]),
    row("POST", "/account/two-factor", [303, 400, 400]),
    row("POST", "/account/two-factor/off", [303, 400, 400]),
    row("GET", "/tenant", [303, 200, 200]),
    row("POST", "/tenant/name", [303, 400, 400]),
    row("GET", "/tenant/icon", [303, 404, 404]),
    row("POST", "/tenant/icon", [400, 400, 400]),
    row("POST", "/tenant/icon/delete", [303, 200, 200]),
    // Each administrator's own tenant's policy; with both boxes unticked
    // the form asks to turn passwords off, refused with no other way in.
    // Each administrator's own tenant's audit log; an export names its format.
    row("GET", "/tenant/audit", [303, 200, 200]),
    row("GET", "/tenant/audit/export", [303, 400, 400]),
    row("GET", "/tenant/sign-in", [303, 200, 200]),
    row("POST", "/tenant/sign-in", [303, 409, 409]),
    // An empty add form is refused before the issuer is asked; no caller
    // finds a provider of another tenant, asked or confirmed.
    row("POST", "/tenant/sign-in/providers", [303, 400, 400]),
    row("POST", "/tenant/sign-in/providers/{provider}/remove", [303, 404, 404]),
    confirmed("POST", "/tenant/sign-in/providers/{provider}/remove", YES, [303, 404, 404]),
    // Each administrator sees its own tenant's clients; the owner's are not found.
    row("GET", "/clients", [303, 200, 200]),
    row("POST", "/clients", [303, 400, 400]),
    row("POST", "/clients/{client}/secrets", [303, 404, 404]),
    row("POST", "/clients/{client}/secrets/{secret}/revoke", [303, 404, 404]),
    confirmed("POST", "/clients/{client}/secrets/{secret}/revoke", YES, [303, 404, 404]),
    row("POST", "/clients/{client}/roles", [303, 404, 404]),
    row("POST", "/clients/{client}/delete", [303, 404, 404]),
    confirmed("POST", "/clients/{client}/delete", YES, [303, 404, 404]),
    // Each caller's own tenant's users; the owner's user is not found.
    row("GET", "/tenant/users", [303, 200, 200]),
    row("POST", "/tenant/users/invite", [303, 400, 400]),
    row("POST", "/tenant/users/{user}/roles", [303, 404, 404]),
    row("POST", "/tenant/users/{user}/resend", [303, 404, 404]),
    row("POST", "/tenant/users/{user}/remove", [303, 200, 200]),
    confirmed("POST", "/tenant/users/{user}/remove", YES, [303, 404, 404]),
    row("POST", "/tenant/users/{user}/deactivate", [303, 200, 200]),
    confirmed("POST", "/tenant/users/{user}/deactivate", YES, [303, 404, 404]),
    row("POST", "/tenant/users/{user}/reactivate", [303, 404, 404]),
    row("POST", "/tenant/users/{user}/two-factor/reset", [303, 200, 200]),
    confirmed("POST", "/tenant/users/{user}/two-factor/reset", YES, [303, 404, 404]),
    // Each caller's own tenant's roles; the owner's custom role is not found.
    row("GET", "/tenant/roles", [303, 200, 200]),
    row("POST", "/tenant/roles", [303, 400, 400]),
    row("POST", "/tenant/roles/{role}/edit", [303, 404, 404]),
    row("POST", "/tenant/roles/{role}/delete", [303, 404, 404]),
    confirmed("POST", "/tenant/roles/{role}/delete", YES, [303, 404, 404]),
    row("GET", "/communities", [303, 200, 200]),
    row("POST", "/communities", [303, 400, 400]),
    row("GET", "/communities/{id}", [303, 404, 200]),
    row("POST", "/communities/{id}/delete", [303, 404, 200]),
    confirmed("POST", "/communities/{id}/delete", &[("confirm_name", "Plant data")], [303, 404, 403]),
    row("GET", "/communities/{id}/edit", [303, 404, 200]),
    // A member downloads its own usage there; a stranger finds no community.
    row("GET", "/communities/{id}/usage.csv", [303, 404, 200]),
    row("POST", "/communities/{id}/edit", [303, 404, 400]),
    // Without Community Member the Roles tab comes back with the reason,
    // so the community is looked up first: a foreign tenant finds none.
    row("POST", "/communities/{id}/roles/{kind}/{principal}", [303, 404, 400]),
    // Roles are set on the caller's own identities: the owner's is not found.
    confirmed("POST", "/communities/{id}/roles/{kind}/{principal}", &[("member", "on")], [303, 404, 404]),
    row("POST", "/communities/{id}/roles/{kind}/{principal}/revoke", [303, 404, 404]),
    row("POST", "/communities/{id}/invitations", [303, 400, 400]),
    confirmed("POST", "/communities/{id}/invitations", &[("recipient", "new@matrix.example")], [303, 404, 403]),
    row("GET", "/communities/{id}/invitations/{inv}", [303, 404, 404]),
    row("POST", "/communities/{id}/invitations/{inv}/{verb}", [303, 404, 404]),
    row("POST", "/communities/{id}/tenants/{tenant}/{verb}", [303, 404, 200]),
    confirmed("POST", "/communities/{id}/tenants/{tenant}/{verb}", YES, [303, 404, 403]),
    // Asking names the stream, so only its own tenant is asked.
    row("POST", "/communities/{id}/shares/{namespace}/{stream}/unshare", [303, 404, 404]),
    // A member sets only its own tenant's contact; a stranger finds no community.
    confirmed("POST", "/communities/{id}/contact", &[("contact_email", "ops@member.example")], [303, 404, 303]),
    // A member unshares only its own streams: the owner's is not found.
    confirmed("POST", "/communities/{id}/shares/{namespace}/{stream}/unshare", YES, [303, 404, 404]),
    // A stream shared into the community, read through it as the API reads
    // it: the member's administrator user holds no community role yet, so
    // is refused; a foreign tenant finds no community.
    row("GET", "/communities/{id}/tenants/{tenant}/streams/{namespace}/{stream}", [303, 404, 403]),
    // Sharing: an Active member picks its own streams; a form naming none
    // is refused before any lookup, and the owner's stream is not found.
    row("GET", "/communities/{id}/share", [303, 404, 200]),
    row("POST", "/communities/{id}/share", [303, 400, 400]),
    confirmed("POST", "/communities/{id}/share", &[("stream", "shared")], [303, 404, 404]),
    confirmed("POST", "/communities/{id}/share", &[("stream", "shared"), ("confirm", "yes")], [303, 404, 404]),
    // A stream's own page is its tenant's: the owner's is not found.
    row("GET", "/streams/{namespace}/{stream}", [303, 404, 404]),
    // Each administrator's own tenant's namespace; an empty form takes
    // every role's rights away from new streams, which is allowed.
    row("GET", "/namespaces/{namespace}/stream-defaults", [303, 200, 200]),
    row("POST", "/namespaces/{namespace}/stream-defaults", [303, 303, 303]),
    row("POST", "/invitations/answer", [400, 400, 400]),
    row("GET", "/invitations/{token}", [404, 404, 404]),
    row("GET", "/invitations/{token}/signup", [404, 404, 404]),
    row("POST", "/invitations/{token}/signup", [404, 404, 404]),
    row("GET", "/pending/{token}", [404, 410, 410]),
    // Trusted partners are the owner's to set: a member's administrator is
    // refused, a stranger finds no community.
    row("POST", "/communities/{id}/trusted-domains", [303, 404, 403]),
    // The bulk invite form is multipart: a plain form is refused before
    // any lookup (the API's bulk rows hold the rights).
    row("POST", "/communities/{id}/invitations/bulk", [303, 400, 400]),
    // Each administrator's own tenant's webhooks: an empty create form is
    // refused naming its URL; the owner's endpoint and its log are found by
    // no other tenant, asked or confirmed.
    row("GET", "/tenant/webhooks", [303, 200, 200]),
    row("POST", "/tenant/webhooks", [303, 400, 400]),
    row("POST", "/tenant/webhooks/{webhook}/delete", [303, 404, 404]),
    confirmed("POST", "/tenant/webhooks/{webhook}/delete", YES, [303, 404, 404]),
    row("POST", "/tenant/webhooks/{webhook}/enable", [303, 404, 404]),
    row("POST", "/tenant/webhooks/{webhook}/disable", [303, 404, 404]),
    row("GET", "/tenant/webhooks/{webhook}", [303, 404, 404]),
    row("POST", "/tenant/webhooks/{webhook}/deliveries/{delivery}/redeliver", [303, 404, 404]),
    // Last: it ends the session the rows above use.
    row("POST", "/logout", [303, 303, 303]),
];

struct World {
    /// The server, kept running while the world lives.
    _app: TestApp,
    owner: TestTenant,
    community: String,
    invitation: String,
    /// A custom role of the owner's.
    role: String,
    /// A webhook endpoint of the owner's.
    webhook: String,
    /// A browser per caller, in the order of `CALLERS`, and its CSRF token.
    browsers: Vec<(Browser, String)>,
    /// What each caller may not see, in the order of `CALLERS`.
    secrets: Vec<Vec<String>>,
}

async fn signed_in(app: &TestApp, tenant: &TestTenant) -> (Browser, String) {
    let browser = Browser::new(app);
    browser.login(tenant, "/communities").await;
    let page = browser.get("/communities").await.text().await.unwrap();
    let csrf = hidden(&page, "csrf");
    (browser, csrf)
}

async fn world() -> World {
    let app = spawn_app().await;
    let owner = app.tenant("Contoso").await;
    let member = app.tenant("Fabrikam").await;
    let foreign = app.tenant("Foreignco").await;
    let community = app.community(&owner, "Plant data").await;
    app.join(&owner, &community, &member).await;
    app.wave_stream(&owner, "shared", &[1]).await;
    app.share_ok(&owner, &community, "shared").await;
    let invitation = app
        .invite_id(&owner, &community, "pending@elsewhere.example")
        .await;
    let made = app
        .post_json(
            &format!("/api/v1/Tenants/{}/Roles", owner.id),
            &owner.token,
            &serde_json::json!({"Name": "Owner Steward"}),
        )
        .await;
    let role = json_with_status(made, reqwest::StatusCode::CREATED).await["Id"]
        .as_str()
        .expect("Id")
        .to_string();
    let made = app
        .post_json(
            &format!("/api/v1/Tenants/{}/Webhooks", owner.id),
            &owner.token,
            &serde_json::json!({
                "Url": "http://127.0.0.1:9/owner-hook",
                "Events": ["Invitation.Created"],
                "Description": "Owner ERP"
            }),
        )
        .await;
    let webhook = json_with_status(made, reqwest::StatusCode::CREATED).await["Id"]
        .as_str()
        .expect("Id")
        .to_string();
    let browsers = vec![
        (Browser::new(&app), String::new()),
        signed_in(&app, &foreign).await,
        signed_in(&app, &member).await,
    ];
    let owner_data = vec![
        owner.admin_email.clone(),
        owner.admin_user.to_string(),
        "pending@elsewhere.example".to_string(),
        invitation.clone(),
        "Owner Steward".to_string(),
        role.clone(),
        "owner-hook".to_string(),
        "Owner ERP".to_string(),
    ];
    let community_data = vec!["Plant data".to_string(), community.clone()];
    World {
        secrets: vec![
            [owner_data.clone(), community_data.clone()].concat(),
            [owner_data.clone(), community_data].concat(),
            owner_data,
        ],
        _app: app,
        owner,
        community,
        invitation,
        role,
        webhook,
        browsers,
    }
}

/// The page's main text, for a failure message.
fn shown(body: &str) -> String {
    let main = body.split("<main").nth(1).unwrap_or(body);
    let mut text = String::new();
    let mut in_tag = false;
    for c in main.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect()
}

impl World {
    fn fill(&self, template: &str) -> String {
        template
            .replace("{id}", &self.community)
            .replace("{kind}", "users")
            .replace("{principal}", &self.owner.admin_user.to_string())
            .replace("{user}", &self.owner.admin_user.to_string())
            .replace("{inv}", &self.invitation)
            .replace("{verb}", "remove")
            .replace("{tenant}", &self.owner.id.to_string())
            .replace("{namespace}", "default")
            .replace("{stream}", "shared")
            .replace("{token}", "not-a-link-token")
            .replace("{client}", &self.owner.client_id.to_string())
            .replace("{secret}", "1")
            .replace("{role}", &self.role)
            .replace("{provider}", "5f0c1f9e-2b0e-4a8e-9d55-0c0ffee00001")
            .replace("{webhook}", &self.webhook)
            .replace("{delivery}", "5f0c1f9e-2b0e-4a8e-9d55-0c0ffee00002")
    }

    async fn call(&self, r: &Row, caller: usize) -> (u16, String) {
        let (browser, csrf) = &self.browsers[caller];
        let url = browser.url(&self.fill(r.path));
        let request = match r.method {
            "GET" => browser.http.get(url),
            _ => {
                let mut form = vec![("csrf", csrf.as_str())];
                form.extend(r.form.iter().copied());
                browser.http.post(url).form(&form)
            }
        };
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }
}

#[tokio::test]
async fn every_portal_route_refuses_every_caller_it_should_and_leaks_nothing() {
    let world = world().await;
    let mut failures = Vec::new();
    for r in ROWS {
        for (i, caller) in CALLERS.iter().enumerate() {
            let (status, body) = world.call(r, i).await;
            if status != r.expect[i] {
                failures.push(format!(
                    "{} {} as {caller}: {status}, expected {}: {}",
                    r.method,
                    r.path,
                    r.expect[i],
                    shown(&body)
                ));
            }
            let cell = format!("{} {} as {caller}", r.method, r.path);
            failures.extend(leaks(&cell, &body, &world.fill(r.path), &world.secrets[i]));
        }
    }
    assert_no_wrong_cells(&failures);
}

/// Every route the router registers for the portal has a row, and every
/// row names one of them.
#[test]
fn the_portal_matrix_covers_every_portal_route() {
    let rows = ROWS
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_rows_cover("portal matrix", &portal_routes(), &rows);
}

/// The method and path of every portal route the router registers.
pub fn portal_routes() -> Routes {
    communityd::web::pages::table()
        .iter()
        .map(|p| (p.method.to_string(), p.path.to_string()))
        .collect()
}
