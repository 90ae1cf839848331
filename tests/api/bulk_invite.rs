//! Inviting several addresses at once (`POST .../Invitations/Bulk`, and the
//! Invitations tab's paste or CSV form): one result per address, the daily
//! cap counting each address sent, one email per address sent, and a list
//! over the limit refused with nothing written.

use crate::helpers::*;
use crate::pages::{hidden, location, Browser};
use crate::smtp::SmtpCapture;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn bulk_path(tenant: &TestTenant, community: &str) -> String {
    format!("{}/Bulk", invitations_path(tenant.id, community))
}

async fn bulk(app: &TestApp, t: &TestTenant, community: &str, recipients: &[&str]) -> Vec<Value> {
    let body = json!({ "InvitationRecipients": recipients });
    let response = app
        .post_json(&bulk_path(t, community), &t.token, &body)
        .await;
    let results = json_with_status(response, StatusCode::OK).await;
    results.as_array().expect("array").clone()
}

/// (recipient, result) of each entry, in order.
fn outcomes(results: &[Value]) -> Vec<(String, String)> {
    results
        .iter()
        .map(|r| {
            (
                r["InvitationRecipient"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                r["Result"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The recipients of the community's invitations as the issuer lists them.
async fn listed(app: &TestApp, t: &TestTenant, community: &str) -> Vec<String> {
    let list = json_with_status(
        app.get(&invitations_path(t.id, community), &t.token).await,
        StatusCode::OK,
    )
    .await;
    let mut out: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["InvitationRecipient"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn each_address_gets_its_own_result_and_each_sent_one_its_email() {
    let smtp = SmtpCapture::start().await;
    let smtp_url = smtp.url();
    let app = spawn_app_with(move |s| s.smtp_url = smtp_url).await;
    let (alpha, beta, community) = app.partners().await;
    let gamma = app.tenant("Gamma").await;
    let held = app.invite_id(&alpha, &community, &gamma.admin_email).await;
    smtp.wait_for_email(&gamma.admin_email, "").await;

    let results = bulk(
        &app,
        &alpha,
        &community,
        &[
            &beta.admin_email,
            &gamma.admin_email,
            "not an address",
            "New.One@Partner.example",
            "new.one@partner.example",
            " new.two@partner.example ",
        ],
    )
    .await;
    assert_eq!(
        outcomes(&results),
        owned(&[
            (&beta.admin_email, "AlreadyMember"),
            (&gamma.admin_email, "AlreadyInvited"),
            ("not an address", "Invalid"),
            ("new.one@partner.example", "Sent"),
            ("new.two@partner.example", "Sent"),
        ]),
        "{results:?}"
    );
    assert!(results[0]["Reason"].as_str().unwrap().contains("Beta"));
    assert_eq!(results[1]["InvitationId"], held.as_str());
    assert!(results[2]["Reason"].is_string());
    for sent in &results[3..] {
        assert!(sent["Reason"].is_null());
        assert_eq!(sent["Invitation"]["State"], "InvitationCreated");
        assert_eq!(sent["Invitation"]["Id"], sent["InvitationId"]);
    }

    // One email per address sent, and none to the others.
    for to in ["new.one@partner.example", "new.two@partner.example"] {
        smtp.wait_for_email(to, "").await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let to = |address: &str| {
        smtp.emails()
            .iter()
            .filter(|e| {
                e.envelope_to
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(address))
            })
            .count()
    };
    assert_eq!(to("new.one@partner.example"), 1);
    assert_eq!(to("new.two@partner.example"), 1);
    assert_eq!(to(&gamma.admin_email), 1, "only its first invitation");
    assert_eq!(to("not an address"), 0);
    assert_eq!(
        listed(&app, &alpha, &community).await,
        [
            beta.admin_email.clone(),
            gamma.admin_email.clone(),
            "new.one@partner.example".to_string(),
            "new.two@partner.example".to_string(),
        ]
    );
}

#[tokio::test]
async fn the_daily_cap_counts_each_address_sent() {
    let app = spawn_app_with(|s| s.invitations_per_community_per_day = 3).await;
    let alpha = app.tenant("Alpha").await;
    let community = app.community(&alpha, "Plant").await;
    app.invite(&alpha, &community, "first@partner.example")
        .await;

    let results = bulk(
        &app,
        &alpha,
        &community,
        &[
            "first@partner.example",
            "a@partner.example",
            "b@partner.example",
            "c@partner.example",
            "d@partner.example",
        ],
    )
    .await;
    assert_eq!(
        outcomes(&results),
        owned(&[
            ("first@partner.example", "AlreadyInvited"),
            ("a@partner.example", "Sent"),
            ("b@partner.example", "Sent"),
            ("c@partner.example", "OverDailyCap"),
            ("d@partner.example", "OverDailyCap"),
        ])
    );
    assert!(results[3]["Reason"].as_str().unwrap().contains('3'));
    assert_eq!(listed(&app, &alpha, &community).await.len(), 3);
    // The cap is spent: one more, alone, is refused too.
    let response = app
        .post_json(
            &invitations_path(alpha.id, &community),
            &alpha.token,
            &json!({ "InvitationRecipient": "e@partner.example" }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // A new UTC day, a new cap.
    app.clock.advance(chrono::Duration::days(1));
    let alpha = TestTenant {
        token: app.token(alpha.client_id, &alpha.client_secret).await,
        ..alpha
    };
    let again = bulk(&app, &alpha, &community, &["c@partner.example"]).await;
    assert_eq!(outcomes(&again), owned(&[("c@partner.example", "Sent")]));
}

#[tokio::test]
async fn a_list_over_the_limit_or_empty_is_refused_with_nothing_written() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let community = app.community(&alpha, "Plant").await;
    let many: Vec<String> = (0..101).map(|i| format!("p{i}@partner.example")).collect();
    for list in [many, Vec::new()] {
        let response = app
            .post_json(
                &bulk_path(&alpha, &community),
                &alpha.token,
                &json!({ "InvitationRecipients": list }),
            )
            .await;
        let body = assert_error(response, StatusCode::BAD_REQUEST, "address").await;
        assert!(body.to_string().contains("InvitationRecipients"), "{body}");
    }
    let missing = app
        .post_json(&bulk_path(&alpha, &community), &alpha.token, &json!({}))
        .await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert!(listed(&app, &alpha, &community).await.is_empty());
    // Exactly the limit is taken.
    let hundred: Vec<String> = (0..100).map(|i| format!("p{i}@partner.example")).collect();
    let refs: Vec<&str> = hundred.iter().map(String::as_str).collect();
    let app = spawn_app_with(|s| s.invitations_per_community_per_day = 1000).await;
    let alpha = app.tenant("Alpha").await;
    let community = app.community(&alpha, "Plant").await;
    let results = bulk(&app, &alpha, &community, &refs).await;
    assert!(results.iter().all(|r| r["Result"] == "Sent"));
    assert_eq!(listed(&app, &alpha, &community).await.len(), 100);
}

#[tokio::test]
async fn only_those_who_may_invite_send_a_list() {
    let app = spawn_app().await;
    let (alpha, beta, community) = app.partners().await;
    // A plain Tenant Member of the owner holds no community role.
    let path = format!("/api/v1-preview/Communities/{community}/Invitations/Bulk");
    let body = json!({ "InvitationRecipients": ["x@partner.example"] });
    let (_, plain) = app.client(alpha.id, &[Role::TenantMember]).await;
    assert_eq!(
        app.post_json(&path, &plain, &body).await.status(),
        StatusCode::FORBIDDEN
    );
    let outsider = app.tenant("Outsider").await;
    assert_eq!(
        app.post_json(&path, &outsider.token, &body).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(listed(&app, &alpha, &community).await, [beta.admin_email]);
}

/// The bulk form as a browser sends it: the token, the pasted text and a
/// CSV file.
fn bulk_form(csrf: &str, pasted: &str, csv: &str) -> (String, Vec<u8>) {
    let boundary = "----bulk-test-boundary";
    let field = |name: &str, extra: &str, value: &str| {
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n{value}\r\n")
    };
    let body = [
        field("csrf", "", csrf),
        field("recipients", "", pasted),
        field(
            "csv",
            "; filename=\"partners.csv\"\r\nContent-Type: text/csv",
            csv,
        ),
        format!("--{boundary}--\r\n"),
    ]
    .concat();
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

/// The results table's (address, result) rows.
fn result_rows(page: &str) -> Vec<(String, String)> {
    page.split("data-recipient=\"")
        .skip(1)
        .filter_map(|rest| {
            let recipient = rest.split('"').next()?;
            let result = rest.split("data-result=\"").nth(1)?.split('"').next()?;
            Some((recipient.to_string(), result.to_string()))
        })
        .collect()
}

#[tokio::test]
async fn the_invitations_tab_takes_pasted_addresses_and_a_csv() {
    let app = spawn_app().await;
    let alpha = app.tenant("Alpha").await;
    let b = Browser::new(&app);
    b.login(&alpha, "/communities").await;
    // Made through the page, so the signed-in person administers it.
    let page = b.get("/communities").await.text().await.unwrap();
    let made = b
        .post(
            "/communities",
            &[
                ("csrf", &hidden(&page, "csrf")),
                ("name", "Plant"),
                ("description", ""),
            ],
        )
        .await;
    let community = location(&made)
        .trim_start_matches("/communities/")
        .to_string();
    let tab = b
        .get(&format!("/communities/{community}?tab=invitations"))
        .await
        .text()
        .await
        .unwrap();
    assert!(tab.contains("Invite several tenants"), "{tab}");
    let csrf = hidden(&tab, "csrf");
    let post = |csrf: &str, pasted: &str, csv: &str| {
        let (content_type, body) = bulk_form(csrf, pasted, csv);
        b.http
            .post(b.url(&format!("/communities/{community}/invitations/bulk")))
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    // A wrong token changes nothing.
    let refused = post("wrong", "x@partner.example", "").await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(listed(&app, &alpha, &community).await.is_empty());

    let csv = "Name,Email\n\"Doe, Jane\",jane@partner.example\nBob,bob@partner.example\nAnn,ann@partner.example\n";
    let done = post(
        &csrf,
        "ann@partner.example, cid@partner.example;\nnope\n",
        csv,
    )
    .await
    .unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let page = done.text().await.unwrap();
    assert_eq!(
        result_rows(&page),
        owned(&[
            ("ann@partner.example", "Sent"),
            ("cid@partner.example", "Sent"),
            ("nope", "Invalid"),
            ("jane@partner.example", "Sent"),
            ("bob@partner.example", "Sent"),
        ]),
        "{page}"
    );
    assert!(page.contains("Invitations sent: 4 of 5"), "{page}");
    assert_eq!(
        listed(&app, &alpha, &community).await,
        [
            "ann@partner.example",
            "bob@partner.example",
            "cid@partner.example",
            "jane@partner.example"
        ]
    );

    // Too many addresses: refused, nothing sent.
    let many: String = (0..101)
        .map(|i| format!("p{i}@partner.example\n"))
        .collect();
    let over = post(&csrf, &many, "").await.unwrap();
    assert_eq!(over.status(), StatusCode::BAD_REQUEST);
    assert_eq!(listed(&app, &alpha, &community).await.len(), 4);
}

/// A community that invites only its trusted domains answers each other
/// address `DomainNotAllowed`, sends it nothing and spends no cap on it.
#[tokio::test]
async fn an_address_outside_the_trusted_domains_is_not_sent() {
    let app = spawn_app().await;
    let owner = app.tenant("Owner").await;
    let community = app.community(&owner, "Trusted only").await;
    let path = format!("{}/{community}", communities_path(owner.id));
    let trusted = json!({ "AllowedDomains": ["partner.example"] });
    let r = app.put_json(&path, &owner.token, &trusted).await;
    assert_eq!(r.status(), StatusCode::OK);

    let results = bulk(
        &app,
        &owner,
        &community,
        &["ops@partner.example", "ops@elsewhere.example"],
    )
    .await;
    assert_eq!(
        outcomes(&results),
        owned(&[
            ("ops@partner.example", "Sent"),
            ("ops@elsewhere.example", "DomainNotAllowed"),
        ])
    );
    assert!(results[1]["Reason"]
        .as_str()
        .is_some_and(|r| r.contains("trusted domains")));
    assert_eq!(
        listed(&app, &owner, &community).await,
        ["ops@partner.example"]
    );
}
