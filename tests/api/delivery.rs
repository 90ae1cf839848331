//! The outbox: nothing lost, nothing sent twice, status visible.

use crate::helpers::*;
use crate::smtp::{Behaviour, SmtpCapture};
use reqwest::StatusCode;
use std::collections::HashMap;
use std::time::Duration;

fn count_by_message_id(emails: &[crate::smtp::CapturedEmail]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for e in emails {
        *counts.entry(e.message_id.clone()).or_insert(0) += 1;
    }
    counts
}

async fn wait_for_status(
    app: &TestApp,
    path: &str,
    token: &str,
    wanted: &str,
) -> serde_json::Value {
    for _ in 0..200 {
        let list = json_with_status(app.get(path, token).await, StatusCode::OK).await;
        if list
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["EmailDelivery"]["Status"] == wanted)
        {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries never reached {wanted}");
}

#[tokio::test]
async fn emails_queued_while_smtp_is_down_arrive_exactly_once_when_it_returns() {
    let mut smtp = SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| {
        s.smtp_url = url;
        s.mail_max_attempts = 50;
    })
    .await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    smtp.stop();

    let recipients = ["a@one.example", "b@two.example", "c@three.example"];
    for r in recipients {
        app.invite(&contoso, &community, r).await;
    }
    let path = invitations_path(contoso.id, &community);
    let failing = wait_for_status(&app, &path, &contoso.token, "Retrying").await;
    for inv in failing.as_array().unwrap() {
        assert!(
            inv["EmailDelivery"]["LastError"]
                .as_str()
                .is_some_and(|e| !e.is_empty()),
            "the failure is visible: {inv}"
        );
    }

    smtp.resume().await;
    let emails = smtp.wait_for(3).await;
    wait_for_status(&app, &path, &contoso.token, "Sent").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let emails_later = smtp.emails();
    assert_eq!(emails_later.len(), 3, "no duplicates after delivery");
    let counts = count_by_message_id(&emails);
    assert_eq!(counts.len(), 3);
    assert!(counts.values().all(|n| *n == 1));
    let mut to: Vec<String> = emails.iter().flat_map(|e| e.envelope_to.clone()).collect();
    to.sort();
    assert_eq!(to, recipients);
}

#[tokio::test]
async fn a_server_restart_between_enqueue_and_send_loses_and_duplicates_nothing() {
    let mut smtp = SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| {
        s.smtp_url = url;
        s.mail_max_attempts = 50;
    })
    .await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    smtp.stop();
    app.invite(&contoso, &community, "a@one.example").await;
    app.invite(&contoso, &community, "b@two.example").await;

    let app = app.restart().await;
    assert!(smtp.emails().is_empty());
    smtp.resume().await;
    let emails = smtp.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.emails().len(), 2);
    let counts = count_by_message_id(&emails);
    assert_eq!(counts.len(), 2, "distinct Message-IDs: {counts:?}");
    let token = app.token(contoso.client_id, &contoso.client_secret).await;
    wait_for_status(
        &app,
        &invitations_path(contoso.id, &community),
        &token,
        "Sent",
    )
    .await;
}

#[tokio::test]
async fn the_file_transport_writes_eml_files_by_default() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    app.invite(&contoso, &community, "a@one.example").await;
    let mail_dir = app.data_dir().join("mail");
    for _ in 0..200 {
        let files: Vec<_> = std::fs::read_dir(&mail_dir)
            .map(|d| d.flatten().collect())
            .unwrap_or_default();
        if let Some(file) = files.first() {
            let text = std::fs::read_to_string(file.path()).unwrap();
            assert!(text.contains("To: a@one.example"));
            assert!(text.contains("VIEW COMMUNITY INVITE"));
            // The plain part keeps the link on one line, so it can be copied
            // straight out of the raw file.
            let prefix = format!("{}/invitations/", app.url);
            let line = text
                .lines()
                .find(|l| l.starts_with(&prefix))
                .expect("link line");
            let token = line.trim_start_matches(&prefix).trim();
            app.ctx
                .links
                .verify(
                    token,
                    communityd::auth::link_token::LinkPurpose::Invite,
                    app.clock.now(),
                )
                .expect("the link in the raw file works");
            assert_eq!(files.len(), 1);
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no .eml file written to {}", mail_dir.display());
}

#[tokio::test]
async fn a_templates_folder_replaces_a_built_in_email_template() {
    let custom = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(custom.path().join("email")).unwrap();
    std::fs::write(
        custom.path().join("email/invite.subject.txt"),
        "Join {{ community_name }} with us",
    )
    .unwrap();
    let smtp = SmtpCapture::start().await;
    let url = smtp.url();
    let dir = custom.path().to_string_lossy().to_string();
    let app = spawn_app_with(move |s| {
        s.smtp_url = url;
        s.templates_dir = dir;
    })
    .await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    app.invite(&contoso, &community, "a@one.example").await;
    let email = smtp.wait_for(1).await.remove(0);
    assert_eq!(email.subject, "Join Plant data with us");
    assert!(
        email.html.contains("VIEW COMMUNITY INVITE"),
        "other templates stay built in"
    );
}

/// The invitation list's EmailDelivery of each recipient.
async fn deliveries(
    app: &TestApp,
    tenant: &TestTenant,
    community: &str,
) -> HashMap<String, serde_json::Value> {
    let list = json_with_status(
        app.get(&invitations_path(tenant.id, community), &tenant.token)
            .await,
        StatusCode::OK,
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["InvitationRecipient"].as_str().unwrap().to_string(),
                i["EmailDelivery"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_slow_relay_gets_several_emails_at_once_never_more_than_the_pool() {
    let smtp = SmtpCapture::start_with(Behaviour {
        reply_delay: Duration::from_millis(200),
        ..Default::default()
    })
    .await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| {
        s.smtp_url = url;
        s.mail_connections = 4;
    })
    .await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    for i in 0..8 {
        app.invite(&contoso, &community, &format!("user{i}@fabrikam.example"))
            .await;
    }
    let emails = smtp.wait_for(8).await;
    assert_eq!(count_by_message_id(&emails).len(), 8);
    // Sent one at a time, each email would wait for all the slow replies
    // of the ones before it; here four are in the relay's hands at once.
    assert_eq!(smtp.most_at_once(), 4);
}

#[tokio::test]
async fn a_slow_recipient_does_not_hold_up_the_emails_queued_after_it() {
    let smtp = SmtpCapture::start_with(Behaviour {
        slow_recipient: Some(("slow@far.example".into(), Duration::from_secs(2))),
        ..Default::default()
    })
    .await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| s.smtp_url = url).await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    app.invite(&contoso, &community, "slow@far.example").await;
    for r in ["a@one.example", "b@two.example", "c@three.example"] {
        app.invite(&contoso, &community, r).await;
    }
    let emails = smtp.wait_for(4).await;
    let order: Vec<&str> = emails.iter().map(|e| e.envelope_to[0].as_str()).collect();
    assert_eq!(order.last(), Some(&"slow@far.example"), "order: {order:?}");
}

#[tokio::test]
async fn an_unreadable_outbox_row_is_set_aside_and_the_next_email_still_goes_out() {
    if crate::helpers::redb_only("breaks a row in redb's outbox table") {
        return;
    }
    use communityd::domain::ids::InvitationId;
    use communityd::store::{invitations, outbox, tables, StoreError};

    let mut smtp = SmtpCapture::start().await;
    let url = smtp.url();
    let app = spawn_app_with(move |s| {
        s.smtp_url = url;
        // After the first failed try the next one is an hour away, so the
        // row can be broken before the worker looks at it again.
        s.mail_retry_base = Duration::from_secs(3600);
    })
    .await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    smtp.stop();
    let broken = app
        .invite_id(&contoso, &community, "broken@one.example")
        .await;
    wait_for_status(
        &app,
        &invitations_path(contoso.id, &community),
        &contoso.token,
        "Retrying",
    )
    .await;

    // Break the stored entry and make it due now.
    let invitation = InvitationId::parse(&broken).unwrap();
    let outbox_id = app
        .ctx
        .store
        .redb()
        .expect("redb's own tables")
        .write(move |tx| {
            let id = invitations::get(tx, invitation)?
                .unwrap()
                .last_email
                .unwrap();
            let entry = outbox::get(tx, id)?.unwrap();
            let mut due = tx.open_table(tables::OUTBOX_DUE)?;
            due.remove((entry.next_attempt.timestamp_millis(), id.0))?;
            due.insert((0, id.0), ())?;
            tx.open_table(tables::OUTBOX)?
                .insert(id.0, [1u8, 0xff, 0xff, 0xff, 0xff, 0xff].as_slice())?;
            Ok::<_, StoreError>(id)
        })
        .await
        .unwrap();

    smtp.resume().await;
    app.invite(&contoso, &community, "next@two.example").await;
    let email = smtp.wait_for_email("next@two.example", "").await;
    assert!(!email.message_id.is_empty());

    let by_recipient = deliveries(&app, &contoso, &community).await;
    assert_eq!(by_recipient["broken@one.example"]["Status"], "Failed");
    let reason = by_recipient["broken@one.example"]["LastError"]
        .as_str()
        .unwrap_or_default();
    assert!(reason.contains("could not be read"), "{reason}");
    let quarantined = app
        .ctx
        .store
        .read(|tx| outbox::quarantined(tx))
        .await
        .unwrap();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].0, outbox_id);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.emails().len(), 1, "the broken row was never sent");
}

#[tokio::test]
async fn kill_9_mid_batch_resends_only_the_emails_in_flight_once_with_the_same_message_id() {
    use crate::process::{seed_tenant, Served};
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed_tenant(dir.path(), "Contoso");
    let smtp = SmtpCapture::start().await;
    smtp.hold_replies(true);
    let settings = [
        ("smtp_url", smtp.url()),
        ("mail_connections", "3".to_string()),
    ];
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Served::start(dir.path(), &settings);
    let token = server.token(&seeded).await;
    let invitations = server.community(&seeded, &token).await;
    let recipients: Vec<String> = (0..8)
        .map(|i| format!("user{i}@fabrikam.example"))
        .collect();
    for r in &recipients {
        server
            .create(
                &invitations,
                &token,
                serde_json::json!({ "InvitationRecipient": r }),
            )
            .await;
    }
    // Three emails reached the relay, which has not confirmed them.
    let in_flight = smtp.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(smtp.emails().len(), 3, "no more than the pool is in flight");
    server.kill();

    smtp.hold_replies(false);
    let server = Served::start(dir.path(), &settings);
    let emails = smtp.wait_for(3 + 8).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.emails().len(), 11, "log: {}", server.log());
    let counts = count_by_message_id(&emails);
    assert_eq!(counts.len(), 8, "one Message-ID per invitation");
    for e in &in_flight {
        assert_eq!(
            counts[&e.message_id], 2,
            "sent again once: {}",
            e.message_id
        );
    }
    assert_eq!(counts.values().filter(|n| **n == 1).count(), 5);
    let mut to: Vec<String> = emails.iter().map(|e| e.envelope_to[0].clone()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), recipients.len());
    drop(server);
}

#[tokio::test]
async fn sigterm_with_a_hanging_relay_exits_within_the_deadline_and_keeps_the_email_queued() {
    use crate::process::{seed_tenant, Served};
    let dir = tempfile::tempdir().unwrap();
    let seeded = seed_tenant(dir.path(), "Contoso");
    let smtp = SmtpCapture::start().await;
    smtp.hold_replies(true);
    let settings = [
        ("smtp_url", smtp.url()),
        ("mail_shutdown_deadline", "1s".to_string()),
    ];
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut server = Served::start(dir.path(), &settings);
    let token = server.token(&seeded).await;
    let invitations = server.community(&seeded, &token).await;
    server
        .create(
            &invitations,
            &token,
            serde_json::json!({ "InvitationRecipient": "a@one.example" }),
        )
        .await;
    let held = smtp.wait_for(1).await.remove(0);

    server.terminate();
    // The relay never answers; the SMTP timeouts alone would keep the
    // process for a minute.
    let status = server.exit_within(Duration::from_secs(15));
    let log = server.log();
    assert!(
        status.is_some_and(|s| s.success()),
        "exit {status:?}; log: {log}"
    );
    assert!(log.contains("stay queued"), "log: {log}");

    smtp.hold_replies(false);
    let _server = Served::start(dir.path(), &settings);
    let emails = smtp.wait_for(2).await;
    assert_eq!(emails[1].message_id, held.message_id);
    assert_eq!(emails[1].envelope_to, ["a@one.example"]);
}

#[tokio::test]
async fn credentials_in_the_smtp_url_are_sent_with_auth_plain() {
    let smtp = SmtpCapture::start_with(Behaviour {
        offer_auth: true,
        ..Default::default()
    })
    .await;
    let url = format!("smtp://relay%40contoso.example:s3cret%2F1@{}", smtp.addr);
    let app = spawn_app_with(move |s| s.smtp_url = url).await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    app.invite(&contoso, &community, "a@one.example").await;
    smtp.wait_for(1).await;
    assert_eq!(smtp.logins(), ["\0relay@contoso.example\0s3cret/1"]);
}

#[tokio::test]
async fn tls_required_upgrades_with_starttls_and_never_sends_in_the_clear() {
    let smtp = SmtpCapture::start_with(Behaviour {
        offer_starttls: true,
        ..Default::default()
    })
    .await;
    let url = format!("smtp://{}?tls=required", smtp.addr);
    let app = spawn_app_with(move |s| s.smtp_url = url).await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    app.invite(&contoso, &community, "a@one.example").await;
    let list = wait_for_status(
        &app,
        &invitations_path(contoso.id, &community),
        &contoso.token,
        "Retrying",
    )
    .await;
    // The capture has no certificate, so the handshake it began fails.
    assert!(smtp.tls_hellos() >= 1);
    assert!(smtp.emails().is_empty());
    assert!(list[0]["EmailDelivery"]["LastError"].is_string());
}

#[tokio::test]
async fn smtps_begins_tls_before_any_smtp() {
    let smtp = SmtpCapture::start_with(Behaviour {
        implicit_tls: true,
        ..Default::default()
    })
    .await;
    let url = format!("smtps://{}", smtp.addr);
    let app = spawn_app_with(move |s| s.smtp_url = url).await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    app.invite(&contoso, &community, "a@one.example").await;
    wait_for_status(
        &app,
        &invitations_path(contoso.id, &community),
        &contoso.token,
        "Retrying",
    )
    .await;
    assert!(smtp.tls_hellos() >= 1);
    assert!(smtp.emails().is_empty());
}
