//! Upgrades keep data: a database written by release 2bb523e (made by
//! tests/fixtures/db-2bb523e/make.sh through that release's CLI and API)
//! opens in this release with every tenant, identity, community,
//! invitation and queued email intact, and the queued emails go out.

use crate::helpers::{communities_path, invitations_path, json_with_status, spawn_app_with};
use crate::smtp::SmtpCapture;
use communityd::app::{admin, identity};
use communityd::domain::ids::TenantId;
use communityd::store::outbox;
use reqwest::StatusCode;
use serde_json::Value;
use std::path::Path;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/db-2bb523e");

fn manifest() -> Value {
    let text = std::fs::read_to_string(Path::new(FIXTURE).join("manifest.json")).expect("manifest");
    serde_json::from_str(&text).expect("manifest json")
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn tenant_id(v: &Value) -> TenantId {
    TenantId::parse(text(v)).expect("tenant id")
}

/// Copies the fixture (never opened in place: opening may migrate it).
pub fn copy_fixture_to(data_dir: &Path) {
    std::fs::create_dir_all(data_dir).expect("data dir");
    std::fs::copy(
        Path::new(FIXTURE).join("communityd.redb"),
        data_dir.join(communityd::store::FILE_NAME),
    )
    .expect("fixture copied");
}

#[tokio::test]
async fn a_database_from_release_2bb523e_opens_with_everything_intact() {
    if crate::helpers::redb_only("release 2bb523e's fixture is a redb file") {
        return;
    }
    let m = manifest();
    let smtp = SmtpCapture::start().await;
    let smtp_url = smtp.url();
    let app = spawn_app_with(move |s| {
        copy_fixture_to(&s.data_dir);
        s.smtp_url = smtp_url;
    })
    .await;

    // Tenants: ids, names and states.
    let store = app.ctx.store.clone();
    let tenants = tokio::task::spawn_blocking(move || admin::list_tenants(&store))
        .await
        .expect("task")
        .expect("tenants");
    let manifest_tenants = m["tenants"].as_array().expect("tenants");
    assert_eq!(tenants.len(), manifest_tenants.len());
    for expected in manifest_tenants {
        let found = tenants
            .iter()
            .find(|t| t.id == tenant_id(&expected["tenant_id"]))
            .unwrap_or_else(|| panic!("tenant {expected} lost"));
        assert_eq!(found.company_name, text(&expected["tenant_name"]));
        let active = found.company_name != text(&m["deactivated_tenant"]);
        assert_eq!(found.state.is_active(), active, "{}", found.company_name);
        // The administrator's password still logs in (Active tenants only).
        let login = identity::login(
            &app.ctx,
            found.id,
            text(&expected["admin_email"]),
            &format!("{}-password", found.company_name.to_lowercase()),
            crate::helpers::loopback(),
        )
        .await;
        assert_eq!(login.is_ok(), active, "login of {}", found.company_name);
    }
    for user in m["users"].as_array().expect("users") {
        let login = identity::login(
            &app.ctx,
            tenant_id(&user["tenant_id"]),
            text(&user["email"]),
            "member-password",
            crate::helpers::loopback(),
        )
        .await;
        assert!(login.is_ok(), "user {user} cannot log in");
    }

    // Every client secret still gets a token; keep one token per tenant.
    let mut tokens = std::collections::HashMap::new();
    for client in m["clients"].as_array().expect("clients") {
        let response = app
            .token_response(text(&client["client_id"]), text(&client["client_secret"]))
            .await;
        let body = json_with_status(response, StatusCode::OK).await;
        if client["roles"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r == "Tenant Administrator"))
        {
            tokens.insert(
                text(&client["tenant_id"]).to_string(),
                text(&body["access_token"]).to_string(),
            );
        }
    }

    // Communities, their members and invitations, as the owner sees them.
    for community in m["communities"].as_array().expect("communities") {
        let owner = tenant_id(&community["owner"]);
        let token = &tokens[text(&community["owner"])];
        let id = text(&community["id"]);
        let response = app
            .get(&format!("{}/{id}", communities_path(owner)), token)
            .await;
        let body = json_with_status(response, StatusCode::OK).await;
        assert_eq!(body["Name"], community["name"]);

        let response = app
            .get(
                &format!("{}/{id}/communitytenants", communities_path(owner)),
                token,
            )
            .await;
        let mut members: Vec<(String, String)> = json_with_status(response, StatusCode::OK)
            .await
            .as_array()
            .expect("members")
            .iter()
            .map(|t| (text(&t["Name"]).into(), text(&t["Status"]).into()))
            .collect();
        members.sort();
        let expected: Vec<(String, String)> = community["members"]
            .as_array()
            .expect("members")
            .iter()
            .map(|t| (text(&t["Name"]).into(), text(&t["Status"]).into()))
            .collect();
        assert_eq!(members, expected, "members of {id}");

        let response = app.get(&invitations_path(owner, id), token).await;
        let listed = json_with_status(response, StatusCode::OK).await;
        let listed = listed.as_array().expect("invitations");
        let expected = community["invitations"].as_array().expect("invitations");
        assert_eq!(listed.len(), expected.len());
        for old in expected {
            let new = listed
                .iter()
                .find(|i| i["Id"] == old["Id"])
                .unwrap_or_else(|| panic!("invitation {} lost", old["Id"]));
            for key in [
                "State",
                "InvitationRecipient",
                "Issued",
                "Expires",
                "IssuingTenantId",
                "InvitedTenantId",
                "AcceptedUserEmail",
            ] {
                assert_eq!(new[key], old[key], "{key} of invitation {}", old["Id"]);
            }
        }
    }

    // The Contoso member user's community role survived.
    let contoso = &m["tenants"][0];
    let plant = text(&m["communities"][0]["id"]);
    let response = app
        .get(
            &format!(
                "/api/v1-preview/Tenants/{}/Communities/{plant}/Users",
                text(&contoso["tenant_id"])
            ),
            &tokens[text(&contoso["tenant_id"])],
        )
        .await;
    let holders = json_with_status(response, StatusCode::OK).await;
    let member_id = &m["users"][0]["user_id"];
    assert!(
        holders
            .as_array()
            .expect("holders")
            .iter()
            .any(|h| h.to_string().contains(text(member_id))),
        "member user's community role lost: {holders}"
    );

    // The queued emails go out: invitations still pending, and the notices
    // to inviters and the confirmed tenant. Emails about invitations that
    // were answered meanwhile are dropped, as before the upgrade. They were
    // tried once when made and wait an hour before the next try.
    app.clock.advance(chrono::Duration::hours(2));
    app.ctx.mail_ready.notify_one();
    let emails = smtp.wait_for(5).await;
    let mut recipients: Vec<String> = emails.iter().flat_map(|e| e.envelope_to.clone()).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        [
            "admin@contoso.example",
            "admin@fabrikam.example",
            "admin@fabrikam.example",
            "admin@northwind.example",
            "someone@elsewhere.example",
        ]
    );
    let invite = smtp
        .wait_for_email("admin@northwind.example", "Plant data")
        .await;
    assert!(
        invite.link("/invitations/").is_some(),
        "invite link missing"
    );
    for _ in 0..200 {
        let store = app.ctx.store.clone();
        let pending = store.read(|tx| outbox::next_due(tx)).await.expect("outbox");
        if pending.is_none() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the outbox still holds pending emails");
}
