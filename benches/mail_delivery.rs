//! How fast invitation emails leave: 1,000 invitations created through the
//! real API (eight callers at once), timed from the first create to the
//! last message received by an SMTP capture on loopback, next to the same
//! run with the file transport (the baseline) in the same process.
//!
//! `cargo bench --bench mail_delivery` prints the figures; an optional
//! argument sets how many emails (`cargo bench --bench mail_delivery -- 200`).

#[path = "../tests/api/smtp.rs"]
mod smtp;

#[path = "support/mod.rs"]
mod support;

use serde_json::{json, Value};
use smtp::SmtpCapture;
use std::path::Path;
use std::time::{Duration, Instant};

const CALLERS: usize = 8;

#[tokio::main]
async fn main() {
    let emails: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let file = deliver(emails, None).await;
    let capture = SmtpCapture::start().await;
    let smtp = deliver(emails, Some(&capture)).await;
    println!("{emails} invitation emails, first create to last message received:");
    println!("  file transport (baseline): {:>7.2} s", file.as_secs_f64());
    println!(
        "  SMTP to a loopback capture: {:>6.2} s",
        smtp.as_secs_f64()
    );
    println!(
        "  ratio SMTP / file: {:.2}",
        smtp.as_secs_f64() / file.as_secs_f64()
    );
}

/// One run on a fresh data dir; `capture` None means the file transport.
async fn deliver(emails: usize, capture: Option<&SmtpCapture>) -> Duration {
    let served = support::serve(|settings| {
        settings.invitations_per_community_per_day = emails as u32 + 1;
        settings.auth_attempts_per_minute = 1000;
        if let Some(capture) = capture {
            settings.smtp_url = capture.url();
        }
    })
    .await;
    let contoso = served.tenant("Contoso", "bench").await;
    let (url, token, tenant) = (&served.url, contoso.token, contoso.client.tenant_id);
    let http = reqwest::Client::new();
    let communities = format!("{url}/api/v1-preview/tenants/{tenant}/communities");
    let community: Value = http
        .post(&communities)
        .bearer_auth(&token)
        .json(&json!({ "Name": "Bench", "Description": "bench" }))
        .send()
        .await
        .expect("community")
        .json()
        .await
        .expect("community json");
    let invitations = format!(
        "{communities}/{}/invitations",
        community["Id"].as_str().expect("Id")
    );

    let started = Instant::now();
    let mut callers = tokio::task::JoinSet::new();
    for caller in 0..CALLERS {
        let (http, token, invitations) = (http.clone(), token.clone(), invitations.clone());
        callers.spawn(async move {
            for i in (caller..emails).step_by(CALLERS) {
                let response = http
                    .post(&invitations)
                    .bearer_auth(&token)
                    .json(&json!({ "InvitationRecipient": format!("user{i}@fabrikam.example") }))
                    .send()
                    .await
                    .expect("invite");
                assert_eq!(response.status(), 201, "invite {i}");
            }
        });
    }
    while let Some(done) = callers.join_next().await {
        done.expect("caller");
    }
    let mail_dir = served.data_dir().join("mail");
    let limit = Duration::from_secs(600);
    while arrived(capture, &mail_dir) < emails {
        assert!(
            started.elapsed() < limit,
            "emails did not arrive within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    served.stop().await;
    elapsed
}

fn arrived(capture: Option<&SmtpCapture>, mail_dir: &Path) -> usize {
    match capture {
        Some(capture) => capture.count(),
        None => std::fs::read_dir(mail_dir)
            .map(|d| {
                d.flatten()
                    .filter(|f| f.path().extension().is_some_and(|e| e == "eml"))
                    .count()
            })
            .unwrap_or(0),
    }
}
