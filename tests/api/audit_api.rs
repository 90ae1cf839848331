//! The audit log as a tenant reads it: `GET /api/v1/Tenants/{tenantId}/AuditEvents`
//! (filters, paging by its next link, bad input named, Tenant
//! Administrators only, each tenant its own events and those that change
//! its memberships), the JSON lines and CSV exports byte for byte, the
//! portal's Audit page, and that no interface changes or deletes an event.
//!
//! Events of real actions are made by the actions; events whose time, id
//! and address a test must fix (for exact bodies and time ranges) are
//! written through the store's `append`, dated weeks back where no real
//! action of the test can fall.

use crate::helpers::*;
use crate::pages::Browser;
use chrono::{DateTime, Duration, TimeZone, Utc};
use communityd::domain::audit::{Actor, AuditEvent, AuditEventId, AuditKind, Subject};
use communityd::domain::ids::{PrincipalId, TenantId, UserId};
use communityd::domain::role::Role;
use communityd::store::{audit_events, StoreError};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

fn audit_path(tenant: TenantId) -> String {
    format!("/api/v1/Tenants/{tenant}/AuditEvents")
}

/// A fixed time `days` whole days before now, at 10:00:00.123456 UTC.
fn days_ago(days: i64) -> DateTime<Utc> {
    let day = (Utc::now() - Duration::days(days)).date_naive();
    Utc.from_utc_datetime(&day.and_hms_micro_opt(10, 0, 0, 123_456).unwrap())
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// An event of `tenant`'s made by `actor` at `at`, the n-th of that time.
fn event(
    tenant: TenantId,
    actor: Option<Actor>,
    kind: AuditKind,
    at: DateTime<Utc>,
    n: u128,
) -> AuditEvent {
    AuditEvent {
        id: AuditEventId(AuditEventId::first_at(at).0 + n),
        at,
        actor,
        kind,
        subject: Subject {
            kind: "Community".into(),
            id: format!("c-{n}"),
        },
        detail: String::new(),
        address: Some([192, 0, 2, 7].into()),
        operation_id: format!("op-{n}"),
        visible_to: vec![tenant],
    }
}

fn actor(tenant: TenantId, user: UserId, name: &str) -> Option<Actor> {
    Some(Actor {
        principal: PrincipalId::User(user),
        tenant,
        name: Some(name.into()),
    })
}

async fn seed(app: &TestApp, events: Vec<AuditEvent>) {
    app.ctx
        .store
        .write(move |tx| {
            for e in &events {
                audit_events::append(tx, e)?;
            }
            Ok::<_, StoreError>(())
        })
        .await
        .expect("events written");
}

async fn list(app: &TestApp, token: &str, path_and_query: &str) -> (Vec<Value>, Option<String>) {
    let r = app.get(path_and_query, token).await;
    let next = next_link(&r).map(|l| l.replace(&app.url, ""));
    let body = json_with_status(r, StatusCode::OK).await;
    (body.as_array().expect("a list").clone(), next)
}

/// The `rel="next"` target of a Link header.
fn next_link(r: &Response) -> Option<String> {
    let link = r.headers().get("link")?.to_str().ok()?;
    assert!(link.ends_with("; rel=\"next\""), "{link}");
    Some(link.trim_start_matches('<').split('>').next()?.to_string())
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["Kind"].as_str().unwrap()).collect()
}

fn ids(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["Id"].as_str().unwrap()).collect()
}

/// A window around the seeded days that no real action falls in.
fn weeks_back() -> String {
    format!(
        "startTime={}&endTime={}",
        rfc3339(days_ago(40)),
        rfc3339(days_ago(5))
    )
}

#[tokio::test]
async fn the_list_filters_by_time_kind_and_actor_newest_first() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let other = app
        .user(contoso.id, "auditor@contoso.example", &[Role::TenantMember])
        .await;
    let (admin, colleague) = (
        actor(contoso.id, contoso.admin_user, "admin@contoso.example"),
        actor(contoso.id, other, "auditor@contoso.example"),
    );
    seed(
        &app,
        vec![
            event(
                contoso.id,
                admin.clone(),
                AuditKind::CommunityCreated,
                days_ago(30),
                1,
            ),
            event(
                contoso.id,
                colleague.clone(),
                AuditKind::ShareAdded,
                days_ago(20),
                2,
            ),
            event(
                contoso.id,
                admin.clone(),
                AuditKind::MembershipPaused,
                days_ago(10),
                3,
            ),
            event(contoso.id, None, AuditKind::SignInFailed, days_ago(10), 4),
        ],
    )
    .await;
    let path = audit_path(contoso.id);
    let (all, next) = list(&app, &contoso.token, &format!("{path}?{}", weeks_back())).await;
    assert_eq!(
        kinds(&all),
        [
            "SignIn.Failed",
            "Membership.Paused",
            "Share.Added",
            "Community.Created"
        ]
    );
    assert_eq!(next, None);

    let since = format!(
        "startTime={}&endTime={}",
        rfc3339(days_ago(20)),
        rfc3339(days_ago(10))
    );
    let (window, _) = list(&app, &contoso.token, &format!("{path}?{since}")).await;
    assert_eq!(
        kinds(&window),
        ["Share.Added"],
        "start included, end excluded"
    );

    let q = format!("{path}?{}&kind=Share.Added,membership.paused", weeks_back());
    let (some, _) = list(&app, &contoso.token, &q).await;
    assert_eq!(kinds(&some), ["Membership.Paused", "Share.Added"]);
    let q = format!(
        "{path}?{}&kind=Community.Created&kind=SignIn.Failed",
        weeks_back()
    );
    let (repeated, _) = list(&app, &contoso.token, &q).await;
    assert_eq!(kinds(&repeated), ["SignIn.Failed", "Community.Created"]);

    let q = format!("{path}?{}&actor={}", weeks_back(), other.0);
    let (by_colleague, _) = list(&app, &contoso.token, &q).await;
    assert_eq!(kinds(&by_colleague), ["Share.Added"]);
    assert_eq!(
        by_colleague[0]["Actor"]["PrincipalId"],
        json!(other.0.to_string())
    );
    assert_eq!(by_colleague[0]["Actor"]["PrincipalType"], json!("User"));
    assert_eq!(
        by_colleague[0]["Actor"]["Name"],
        json!("auditor@contoso.example")
    );
}

#[tokio::test]
async fn pages_follow_the_next_link_until_the_log_ends() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let admin = actor(contoso.id, contoso.admin_user, "admin@contoso.example");
    let events: Vec<AuditEvent> = (1..=5)
        .map(|n| {
            event(
                contoso.id,
                admin.clone(),
                AuditKind::UserChanged,
                days_ago(30 - n as i64),
                n,
            )
        })
        .collect();
    let mut newest_first: Vec<String> = events.iter().rev().map(|e| e.id.to_string()).collect();
    seed(&app, events).await;

    let mut at = format!("{}?{}&count=2", audit_path(contoso.id), weeks_back());
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let (page, next) = list(&app, &contoso.token, &at).await;
        assert!(page.len() <= 2);
        seen.extend(ids(&page).into_iter().map(String::from));
        pages += 1;
        match next {
            Some(n) => {
                assert!(n.contains("continuationToken="), "{n}");
                assert!(n.contains("count=2"), "the next page keeps the query: {n}");
                at = n;
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    newest_first.dedup();
    assert_eq!(seen, newest_first);
}

#[tokio::test]
async fn bad_input_is_a_400_naming_the_parameter() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let path = audit_path(contoso.id);
    let (now, year_ago) = (
        rfc3339(Utc::now()),
        rfc3339(Utc::now() - Duration::days(400)),
    );
    let cases = [
        (format!("startTime={now}&endTime={year_ago}"), "endTime"),
        (format!("startTime={year_ago}&endTime={now}"), "endTime"),
        (format!("startTime={year_ago}"), "startTime"),
        ("startTime=yesterday".to_string(), "startTime"),
        ("endTime=2026-13-01T00:00:00Z".to_string(), "endTime"),
        ("kind=Share.Added,Share.Exploded".to_string(), "kind"),
        ("kind=nothing".to_string(), "kind"),
        ("actor=someone".to_string(), "actor"),
        ("count=0".to_string(), "count"),
        ("count=1001".to_string(), "count"),
        (
            "continuationToken=not-a-token".to_string(),
            "continuationToken",
        ),
        ("format=xml".to_string(), "format"),
        (
            format!("format=csv&startTime={year_ago}&endTime={now}"),
            "endTime",
        ),
    ];
    for (query, field) in cases {
        let q = query.replace('+', "%2B");
        let r = app.get(&format!("{path}?{q}"), &contoso.token).await;
        let body = assert_error(r, StatusCode::BAD_REQUEST, field).await;
        assert_eq!(body["Parameter"], json!(field), "{query}: {body}");
    }
}

#[tokio::test]
async fn only_the_tenants_own_administrators_read_its_log() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let (_, member) = app.client(contoso.id, &[Role::TenantMember]).await;
    let path = audit_path(contoso.id);
    for query in ["", "?format=csv", "?format=jsonl"] {
        let r = app.get(&format!("{path}{query}"), &member).await;
        assert_error(r, StatusCode::FORBIDDEN, "Tenant Administrator").await;
        let r = app.get(&format!("{path}{query}"), &fabrikam.token).await;
        assert_error(r, StatusCode::FORBIDDEN, "own tenant").await;
    }
    let r = app
        .http
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn each_tenant_sees_its_own_events_and_those_that_change_its_memberships() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    let litware = app.tenant("Litware").await;
    let community = app.community(&contoso, "Plant data").await;
    app.join(&contoso, &community, &fabrikam).await;
    app.community(&litware, "Litware only").await;
    let pause = app
        .put_json(
            &format!(
                "{}/{community}/communitytenants/{}",
                communities_path(contoso.id),
                fabrikam.id
            ),
            &contoso.token,
            &json!({"Status": "Paused"}),
        )
        .await;
    let pause_operation = pause.headers()["operation-id"]
        .to_str()
        .unwrap()
        .to_string();
    json_with_status(pause, StatusCode::OK).await;

    let mine = |t: &TestTenant| {
        let path = format!("{}?count=1000", audit_path(t.id));
        let token = t.token.clone();
        let app = &app;
        async move { list(app, &token, &path).await.0 }
    };
    let (seen_by_contoso, seen_by_fabrikam, seen_by_litware) = (
        mine(&contoso).await,
        mine(&fabrikam).await,
        mine(&litware).await,
    );

    // Contoso paused Fabrikam: both see it, with Contoso's client as the actor.
    for seen in [&seen_by_contoso, &seen_by_fabrikam] {
        let paused: Vec<&Value> = seen
            .iter()
            .filter(|e| e["Kind"] == "Membership.Paused")
            .collect();
        assert_eq!(paused.len(), 1, "{seen:#?}");
        assert_eq!(paused[0]["OperationId"], json!(pause_operation));
        assert_eq!(
            paused[0]["Actor"]["TenantId"],
            json!(contoso.id.to_string())
        );
        assert_eq!(
            paused[0]["Actor"]["PrincipalId"],
            json!(contoso.client_id.0.to_string())
        );
        assert_eq!(paused[0]["SourceAddress"], json!("127.0.0.1"));
    }
    // Fabrikam accepted: Contoso sees it (its community's membership).
    assert!(kinds(&seen_by_contoso).contains(&"Invitation.Accepted"));
    // Contoso's own community creation and Litware's are their own.
    assert!(kinds(&seen_by_contoso).contains(&"Community.Created"));
    assert!(!kinds(&seen_by_fabrikam).contains(&"Community.Created"));
    let litware_ids: Vec<&str> = ids(&seen_by_litware);
    assert!(kinds(&seen_by_litware).contains(&"Community.Created"));
    for id in ids(&seen_by_contoso)
        .iter()
        .chain(ids(&seen_by_fabrikam).iter())
    {
        assert!(
            !litware_ids.contains(id),
            "Litware's log holds nobody else's events"
        );
    }
    for e in &seen_by_litware {
        if let Some(t) = e["Actor"]["TenantId"].as_str() {
            assert_eq!(t, litware.id.to_string(), "{e}");
        }
    }
}

/// Two events with every field fixed, one with a name a spreadsheet would
/// run and a detail with commas and quotes, for the exact export bodies.
async fn exported(app: &TestApp, tenant: &TestTenant) {
    let at = days_ago(20);
    let evil = Some(Actor {
        principal: PrincipalId::User(tenant.admin_user),
        tenant: tenant.id,
        name: Some("=HYPERLINK(\"http://evil.example\")".into()),
    });
    let mut first = event(tenant.id, evil, AuditKind::ShareAdded, at, 1);
    first.detail = r#"{"Stream":"a,b \"c\""}"#.into();
    let second = event(
        tenant.id,
        None,
        AuditKind::SignInFailed,
        at + Duration::seconds(1),
        2,
    );
    seed(app, vec![first, second]).await;
}

#[tokio::test]
async fn exports_write_json_lines_and_csv_exactly() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    exported(&app, &contoso).await;
    let at = days_ago(20);
    let (t1, t2) = (rfc3339(at), rfc3339(at + Duration::seconds(1)));
    let id = |n: u128| {
        format!(
            "{:032x}",
            AuditEventId::first_at(at + Duration::seconds(n as i64 - 1)).0 + n
        )
    };
    let (tenant, user) = (contoso.id, contoso.admin_user.0);
    let path = format!("{}?{}", audit_path(contoso.id), weeks_back());

    let r = app
        .get(&format!("{path}&format=jsonl"), &contoso.token)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-type"],
        "application/jsonl; charset=utf-8"
    );
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"audit-events.jsonl\""
    );
    let jsonl = r.text().await.unwrap();
    let expected_jsonl = format!(
        concat!(
            r#"{{"Id":"{id2}","Time":"{t2}","Kind":"SignIn.Failed","Actor":null,"Subject":{{"Type":"Community","Id":"c-2"}},"Detail":null,"SourceAddress":"192.0.2.7","OperationId":"op-2"}}"#,
            "\n",
            r#"{{"Id":"{id1}","Time":"{t1}","Kind":"Share.Added","Actor":{{"TenantId":"{tenant}","PrincipalType":"User","PrincipalId":"{user}","Name":"=HYPERLINK(\"http://evil.example\")"}},"Subject":{{"Type":"Community","Id":"c-1"}},"Detail":{{"Stream":"a,b \"c\""}},"SourceAddress":"192.0.2.7","OperationId":"op-1"}}"#,
            "\n"
        ),
        id1 = id(1),
        id2 = id(2),
        t1 = t1,
        t2 = t2,
        tenant = tenant,
        user = user,
    );
    assert_eq!(jsonl, expected_jsonl);

    let r = app
        .request(Method::GET, &path, &contoso.token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = r.text().await.unwrap();
    // The name runs nothing in a spreadsheet; quotes are doubled.
    let name = r#""'=HYPERLINK(""http://evil.example"")""#;
    let detail = r#""{""Stream"":""a,b \""c\""""}""#;
    let expected_csv = [
        "Time,Kind,ActorTenantId,ActorType,ActorId,ActorName,SubjectType,SubjectId,SourceAddress,OperationId,Detail,Id".to_string(),
        format!("{t2},SignIn.Failed,,,,,Community,c-2,192.0.2.7,op-2,,{}", id(2)),
        format!("{t1},Share.Added,{tenant},User,{user},{name},Community,c-1,192.0.2.7,op-1,{detail},{}", id(1)),
        String::new(),
    ]
    .join("\r\n");
    assert_eq!(csv, expected_csv);
}

#[tokio::test]
async fn an_export_streams_more_than_a_page() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let admin = actor(contoso.id, contoso.admin_user, "admin@contoso.example");
    let at = days_ago(20);
    let events: Vec<AuditEvent> = (1..=2_500)
        .map(|n| event(contoso.id, admin.clone(), AuditKind::UserChanged, at, n))
        .collect();
    seed(&app, events).await;
    let path = format!("{}?{}&format=csv", audit_path(contoso.id), weeks_back());
    let csv = app.get(&path, &contoso.token).await.text().await.unwrap();
    let rows: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(rows.len(), 1 + 2_500, "the header and every event");
    assert!(rows[1].ends_with(&format!("{:032x}", AuditEventId::first_at(at).0 + 2_500)));
    assert!(rows[2_500].ends_with(&format!("{:032x}", AuditEventId::first_at(at).0 + 1)));
}

#[tokio::test]
async fn no_interface_changes_or_deletes_an_event() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    exported(&app, &contoso).await;
    let path = audit_path(contoso.id);
    let everything = format!("{path}?{}", weeks_back());
    let (before, _) = list(&app, &contoso.token, &everything).await;
    assert_eq!(before.len(), 2);
    let one = format!("{path}/{}", before[0]["Id"].as_str().unwrap());
    let body = json!({"Kind": "Share.Removed", "Detail": null});
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let r = app
            .request(method.clone(), &path, &contoso.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} on the list"
        );
    }
    for method in [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ] {
        let r = app
            .request(method.clone(), &one, &contoso.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} on one event");
    }
    for page in ["/tenant/audit", "/tenant/audit/export"] {
        let r = app
            .http
            .post(format!("{}{page}", app.url))
            .send()
            .await
            .unwrap();
        assert!(
            [StatusCode::METHOD_NOT_ALLOWED, StatusCode::NOT_FOUND].contains(&r.status()),
            "POST {page}: {}",
            r.status()
        );
    }
    refused_by_the_database(&app).await;
    let (after, _) = list(&app, &contoso.token, &everything).await;
    assert_eq!(after, before);
}

/// On PostgreSQL, not even a statement sent straight to the database
/// changes or deletes an event: the tables' triggers refuse it.
async fn refused_by_the_database(app: &TestApp) {
    if !on_postgres() {
        return;
    }
    let (client, connection) =
        tokio_postgres::connect(&app.settings.database_url.0, tokio_postgres::NoTls)
            .await
            .expect("the app's database");
    tokio::spawn(connection);
    for statement in [
        "UPDATE audit_events SET body = ''::bytea",
        "DELETE FROM audit_events",
        "UPDATE audit_visibility SET kind = 'Share.Removed'",
        "DELETE FROM audit_visibility",
        "TRUNCATE audit_events CASCADE",
    ] {
        let refused = client.batch_execute(statement).await.expect_err(statement);
        let text = refused
            .as_db_error()
            .map(|e| e.message().to_string())
            .unwrap_or_default();
        assert!(text.contains("append-only"), "{statement}: {refused}");
    }
}

#[tokio::test]
async fn the_audit_page_shows_rows_and_filters_and_its_exports_download() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    exported(&app, &contoso).await;
    let browser = Browser::new(&app);
    browser.login(&contoso, "/tenant").await;
    let settings = browser.get("/tenant").await.text().await.unwrap();
    assert!(
        settings.contains("href=\"/tenant/audit\""),
        "linked from the settings"
    );

    let day = |d: i64| days_ago(d).format("%Y-%m-%d").to_string();
    let window = format!("from={}&to={}", day(40), day(5));
    let page = browser.get(&format!("/tenant/audit?{window}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for shown in [
        "Share.Added",
        "SignIn.Failed",
        "192.0.2.7",
        "op-1",
        "op-2",
        "Community c-1",
        "=HYPERLINK(&quot;http:&#x2F;&#x2F;evil.example&quot;)",
        "<select id=\"kind\" name=\"kind\"",
        "Export JSON lines",
        "Export CSV",
        "data-label=\"Operation ID\"",
    ] {
        assert!(
            html.contains(shown),
            "{shown} missing from the page: {html}"
        );
    }
    assert!(!html.contains("<script"), "no script needed");

    let only = browser
        .get(&format!("/tenant/audit?{window}&kind=SignIn.Failed"))
        .await
        .text()
        .await
        .unwrap();
    assert!(only.contains("op-2") && !only.contains("op-1"), "{only}");
    assert!(only.contains("<option value=\"SignIn.Failed\" selected>"));

    let bad = browser
        .get("/tenant/audit?from=2026-02-01&to=2025-01-01")
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("role=\"alert\""));

    let link = |format: &str| {
        format!(
            "/tenant/audit/export?format={format}&amp;{}",
            window.replace('&', "&amp;")
        )
    };
    assert!(html.contains(&link("csv")), "{html}");
    let csv = browser
        .get(&format!("/tenant/audit/export?format=csv&{window}"))
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert_eq!(
        csv.headers()["content-disposition"],
        "attachment; filename=\"audit-events.csv\""
    );
    let csv = csv.text().await.unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.starts_with("Time,Kind,"));
    let jsonl = browser
        .get(&format!("/tenant/audit/export?format=jsonl&{window}"))
        .await
        .text()
        .await
        .unwrap();
    let kinds: Vec<String> = jsonl
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["Kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds, ["SignIn.Failed", "Share.Added"]);
}

#[tokio::test]
async fn a_tenant_member_is_refused_the_audit_page() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    app.user(contoso.id, "member@contoso.example", &[Role::TenantMember])
        .await;
    let browser = Browser::new(&app);
    let done = browser
        .sign_in(
            &contoso.name,
            "member@contoso.example",
            "correct horse battery",
            "/tenant",
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let settings = browser.get("/tenant").await.text().await.unwrap();
    assert!(!settings.contains("href=\"/tenant/audit\""));
    for page in ["/tenant/audit", "/tenant/audit/export?format=csv"] {
        assert_eq!(
            browser.get(page).await.status(),
            StatusCode::FORBIDDEN,
            "{page}"
        );
    }
}
