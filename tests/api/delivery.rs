//! The outbox: nothing lost, nothing sent twice, status visible.

use crate::helpers::*;
use crate::smtp::SmtpCapture;
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
