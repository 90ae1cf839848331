//! Several instances serving one PostgreSQL database, as behind a load
//! balancer: what one instance changes, the next request through another
//! sees, and work shared through the database (the outbox, the sign-in
//! throttle) is done once, whichever instance takes it. These need
//! PostgreSQL: without `COMMUNITYD_TEST_DATABASE_URL` they say so and pass.

use crate::authorization_code::{
    assert_invalid_grant, code_for, register, signed_in, trade_code, VERIFIER,
};
use crate::helpers::{
    communities_path, database_url_for, invitations_path, json_with_status, on_postgres,
    spawn_app_with, TestApp,
};
use crate::process::{seed_tenant, Served};
use crate::smtp::SmtpCapture;
use communityd::config::Settings;
use communityd::domain::role::Role;
use communityd::store::pg::testing::fresh_database_url;
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

/// What every instance behind one load balancer is reached at: tokens
/// name it as their issuer, so one instance accepts another's.
const PUBLIC_URL: &str = "http://communityd.test";

/// `n` instances on one fresh database, each changed by `change`; `None`
/// (and a line saying so) when the suite runs without PostgreSQL.
async fn instances(n: usize, change: impl Fn(&mut Settings)) -> Option<Vec<TestApp>> {
    let Some(url) = fresh_database_url() else {
        eprintln!("needs PostgreSQL: set COMMUNITYD_TEST_DATABASE_URL");
        return None;
    };
    let mut apps = Vec::new();
    for _ in 0..n {
        apps.push(
            spawn_app_with(|s| {
                s.database_url.0 = url.clone();
                s.public_url = PUBLIC_URL.into();
                change(s);
            })
            .await,
        );
    }
    Some(apps)
}

#[tokio::test]
async fn a_role_revoked_through_one_instance_is_refused_through_another_at_once() {
    let Some(apps) = instances(2, |_| {}).await else {
        return;
    };
    let (a, b) = (&apps[0], &apps[1]);
    let contoso = a.tenant("Contoso").await;
    let community = a.community(&contoso, "Plant data").await;
    let roles = json_with_status(
        a.get(
            &format!("/api/v1-preview/Communities/{community}/Roles"),
            &contoso.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let member = roles
        .as_array()
        .expect("roles")
        .iter()
        .find(|r| r["RoleTypeId"] == Role::CommunityMember.type_id().to_string().as_str())
        .expect("the member role")["Id"]
        .clone();
    // Its token is issued by one instance and used through the other.
    let (client, token) = a.client(contoso.id, &[Role::TenantMember]).await;
    let holder = format!(
        "{}/{community}/ClientCredentialClients/{client}",
        communities_path(contoso.id)
    );
    let granted = a.put_json(&holder, &contoso.token, &json!([member])).await;
    assert_eq!(granted.status(), StatusCode::CREATED);
    let seen = format!("/api/v1-preview/Communities/{community}");
    assert_eq!(b.get(&seen, &token).await.status(), StatusCode::OK);

    let revoked = a.delete(&holder, &contoso.token).await;
    assert!(revoked.status().is_success(), "{}", revoked.status());
    let after = b.get(&seen, &token).await.status();
    assert!(
        matches!(after, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "the next request through the other instance is refused, not {after}"
    );
}

#[tokio::test]
async fn invitations_created_through_two_instances_are_each_emailed_exactly_once() {
    const INVITATIONS: usize = 1_000;
    let smtp = SmtpCapture::start().await;
    let Some(apps) = instances(2, |s| {
        s.smtp_url = smtp.url();
        s.invitations_per_community_per_day = 10_000;
    })
    .await
    else {
        return;
    };
    let contoso = apps[0].tenant("Contoso").await;
    let community = apps[0].community(&contoso, "Plant data").await;
    let path = invitations_path(contoso.id, &community);
    for batch in (0..INVITATIONS).collect::<Vec<_>>().chunks(32) {
        join_all(batch.iter().map(|&n| {
            let (app, path, token) = (&apps[n % 2], &path, &contoso.token);
            async move {
                let body = json!({ "InvitationRecipient": format!("p{n}@fabrikam.example") });
                let response = app.post_json(path, token, &body).await;
                let status = response.status();
                let text = response.text().await.unwrap_or_default();
                assert_eq!(status, StatusCode::CREATED, "invitation {n}: {text}");
            }
        }))
        .await;
    }
    let mut emails = smtp.emails();
    for _ in 0..1200 {
        if emails.len() >= INVITATIONS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        emails = smtp.emails();
    }
    // Anything sent twice would arrive within a few more lease periods.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let emails = smtp.emails();
    let ids: BTreeSet<&str> = emails.iter().map(|e| e.message_id.as_str()).collect();
    let recipients: BTreeSet<&String> = emails.iter().flat_map(|e| &e.envelope_to).collect();
    assert_eq!(emails.len(), INVITATIONS, "one email per invitation");
    assert_eq!(ids.len(), INVITATIONS, "every Message-ID once");
    assert_eq!(recipients.len(), INVITATIONS, "every recipient once");
}

/// Invitations created at once in one community do not conflict with each
/// other, so only the store's uniqueness of an address stands between two
/// invitations to the same one: through either instance, one wins.
#[tokio::test]
async fn one_address_invited_through_two_instances_at_once_gets_one_open_invitation() {
    const AT_ONCE: usize = 16;
    let Some(apps) = instances(2, |s| s.invitations_per_community_per_day = 1_000).await else {
        return;
    };
    let contoso = apps[0].tenant("Contoso").await;
    let community = apps[0].community(&contoso, "Plant data").await;
    let path = invitations_path(contoso.id, &community);
    for round in 0..4 {
        let body = json!({ "InvitationRecipient": format!("same{round}@fabrikam.example") });
        let statuses = join_all((0..AT_ONCE).map(|n| {
            let (app, path, token, body) = (&apps[n % 2], &path, &contoso.token, &body);
            async move { app.post_json(path, token, body).await.status() }
        }))
        .await;
        let created = statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count();
        let refused = statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count();
        assert_eq!(
            (created, refused),
            (1, AT_ONCE - 1),
            "round {round}: {statuses:?}"
        );
    }
    let listed = json_with_status(apps[1].get(&path, &contoso.token).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(4), "{listed}");
}

#[tokio::test]
async fn failed_sign_ins_spread_over_instances_still_reach_429() {
    let Some(apps) = instances(2, |s| s.auth_attempts_per_minute = 4).await else {
        return;
    };
    let contoso = apps[0].tenant("Contoso").await;
    let (client, _) = apps[0].client(contoso.id, &[Role::TenantMember]).await;
    let client = client.to_string();
    for n in 0..4 {
        let response = apps[n % 2].token_response(&client, "a wrong secret").await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "failure {n} is only a failure"
        );
    }
    for app in &apps {
        let response = app.token_response(&client, "a wrong secret").await;
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test]
async fn kill_9_between_accept_and_confirm_and_the_other_instance_confirms() {
    if !on_postgres() {
        eprintln!("needs PostgreSQL: set COMMUNITYD_TEST_DATABASE_URL");
        return;
    }
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let contoso = seed_tenant(dir_a.path(), "Contoso");
    let fabrikam = seed_tenant(dir_a.path(), "Fabrikam");
    // Both instances on the database seeded through A's data dir.
    let url = database_url_for(dir_a.path());
    let settings = [("database_url", url.as_str()), ("public_url", PUBLIC_URL)];
    let a = Served::start(dir_a.path(), &settings);
    let b = Served::start(dir_b.path(), &settings);
    let owner = a.token(&contoso).await;
    let member = a.token(&fabrikam).await;
    let invitations = a.community(&contoso, &owner).await;
    let invited = a
        .create(
            &invitations,
            &owner,
            json!({"InvitationRecipient": "admin@fabrikam.example"}),
        )
        .await;
    let act = |served: &Served, token: &str, action: &str| {
        served
            .http
            .put(format!(
                "{}/api/v1-preview/communityinvitations/{}",
                served.url,
                invited["Id"].as_str().expect("Id")
            ))
            .bearer_auth(token)
            .json(&json!({ "Action": action }))
            .send()
    };
    let accepted = act(&a, &member, "Accept").await.expect("accept");
    assert_eq!(accepted.status(), StatusCode::OK);
    a.kill();

    let confirmed = act(&b, &owner, "Confirm").await.expect("confirm");
    assert_eq!(
        confirmed.status(),
        StatusCode::OK,
        "the other instance confirms"
    );
    let members = b
        .http
        .get(format!(
            "{}{}",
            b.url,
            invitations.replace("/invitations", "/communitytenants")
        ))
        .bearer_auth(&owner)
        .send()
        .await
        .expect("members");
    let members = json_with_status(members, StatusCode::OK).await;
    let statuses: Vec<&str> = members
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|m| m["Status"].as_str())
        .collect();
    assert_eq!(statuses, ["Active", "Active"], "{members}");
}

#[tokio::test]
async fn an_authorization_code_issued_by_one_instance_is_traded_once_across_both() {
    let Some(apps) = instances(2, |_| {}).await else {
        return;
    };
    let (a, b) = (&apps[0], &apps[1]);
    let contoso = a.tenant("Contoso").await;
    let client = register(a, &contoso).await;
    let browser = signed_in(a, &contoso, &contoso.admin_email).await;
    let code = code_for(&browser, &client, "s").await;
    let traded = trade_code(b, &client, &code, VERIFIER).await;
    let tokens = json_with_status(traded, StatusCode::OK).await;
    let access = tokens["access_token"].as_str().expect("access_token");
    let tenant = format!("/api/v1/Tenants/{}", contoso.id);
    assert_eq!(a.get(&tenant, access).await.status(), StatusCode::OK);
    // Spent on the instance that issued it too.
    assert_invalid_grant(trade_code(a, &client, &code, VERIFIER).await).await;
}
