//! The first page of a tenant's audit log (`GET .../AuditEvents`, 100
//! events, newest first) when the tenant has 1,000,000 events against the
//! same request when it has 1,000, in one run on one server, one request
//! at a time (target: at most 1.5x). The list is keyset-paged over the
//! tenant's own index, so its first page should not grow with the log.
//!
//! The events are written straight through the store, in large
//! transactions, so the setup takes a minute or so rather than a million
//! requests. On redb always; on PostgreSQL as well when
//! `COMMUNITYD_TEST_DATABASE_URL` names a server (it creates a database
//! of its own there).
//!
//! `cargo bench --bench audit_list` prints the figures.

#[path = "support/mod.rs"]
mod support;

use communityd::domain::audit::{Actor, AuditEvent, AuditKind, Origin, Subject};
use communityd::domain::ids::{PrincipalId, TenantId};
use communityd::store::pg::testing::fresh_database_url;
use communityd::store::{audit_events, Store};
use std::time::{Duration, Instant};

const SMALL: usize = 1_000;
const LARGE: usize = 1_000_000;
/// Events per write transaction while filling.
const BATCH: usize = 50_000;
const SAMPLES: usize = 41;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let redb = support::serve(|_| {}).await;
    measure("redb", &redb).await;
    redb.stop().await;
    let Some(url) = fresh_database_url() else {
        println!("(set COMMUNITYD_TEST_DATABASE_URL to measure PostgreSQL as well)");
        return;
    };
    let pg = support::serve(|s| s.database_url.0 = url).await;
    measure("PostgreSQL", &pg).await;
    pg.stop().await;
}

async fn measure(backend: &str, served: &support::Served) {
    let tenant = served.tenant("Contoso", "bench").await;
    let actor = Actor {
        principal: PrincipalId::Client(tenant.client.client_id),
        tenant: tenant.client.tenant_id,
        name: Some("bench".into()),
    };
    let http = reqwest::Client::new();
    let url = format!(
        "{}/api/v1/Tenants/{}/AuditEvents?count=100",
        served.url, tenant.client.tenant_id
    );
    fill(&served.store, &actor, 0, SMALL).await;
    let small = median(&http, &url, &tenant.token).await;
    let started = Instant::now();
    fill(&served.store, &actor, SMALL, LARGE).await;
    let filled = started.elapsed();
    let large = median(&http, &url, &tenant.token).await;
    println!("audit events, first page of 100, median of {SAMPLES} ({backend}):");
    println!("  at {SMALL:>9} events: {small:>10.2?}");
    println!("  at {LARGE:>9} events: {large:>10.2?} (filled in {filled:.0?})");
    println!(
        "  ratio: {:.2}x (target <= 1.50)",
        large.as_secs_f64() / small.as_secs_f64()
    );
}

/// Events `from..to` of the tenant's log, the n-th made n * 20 seconds
/// ago (a million span some 230 days, inside the default range of a year).
async fn fill(store: &Store, actor: &Actor, from: usize, to: usize) {
    let now = chrono::Utc::now();
    let mut start = from;
    while start < to {
        let end = (start + BATCH).min(to);
        let events: Vec<AuditEvent> = (start..end)
            .map(|n| event(actor, now - chrono::Duration::seconds(20 * n as i64 + 60)))
            .collect();
        let store = store.clone();
        tokio::task::spawn_blocking(move || {
            store.write_blocking(|tx| {
                for e in &events {
                    audit_events::append(tx, e)?;
                }
                Ok::<_, communityd::store::StoreError>(())
            })
        })
        .await
        .expect("fill task")
        .expect("events written");
        start = end;
    }
}

fn event(actor: &Actor, at: chrono::DateTime<chrono::Utc>) -> AuditEvent {
    let origin = Origin::new(
        Some(actor.clone()),
        at,
        Some([192, 0, 2, 7].into()),
        uuid::Uuid::new_v4().to_string(),
    );
    let detail = serde_json::json!({"Name": "Bench community", "Roles": ["Community Member"]});
    let touched = TenantId::generate();
    AuditEvent::new(
        &origin,
        AuditKind::CommunityRoleGranted,
        Subject::tenant(touched),
        &detail,
        &[],
    )
}

async fn median(http: &reqwest::Client, url: &str, token: &str) -> Duration {
    let mut took = Vec::with_capacity(SAMPLES);
    for n in 0..SAMPLES + 3 {
        let started = Instant::now();
        let r = http.get(url).bearer_auth(token).send().await.expect("list");
        assert_eq!(r.status(), 200, "list");
        let body: serde_json::Value = r.json().await.expect("events");
        assert_eq!(body.as_array().map(Vec::len), Some(100), "a full page");
        // The first few warm the caches and connections.
        if n >= 3 {
            took.push(started.elapsed());
        }
    }
    took.sort();
    took[SAMPLES / 2]
}
