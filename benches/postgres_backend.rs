//! The PostgreSQL backend against its baselines, measured in one run:
//!
//! - an authenticated `GET /api/v1-preview/Communities/{id}` on PostgreSQL
//!   against the same request on redb (target: at least 50% of redb's rate),
//!   and, as the ceiling PostgreSQL itself sets on this machine, the one
//!   statement such a GET sends, sent straight by the driver at the same
//!   concurrency against the same redb rate;
//! - creating invitations, 64 at once, on PostgreSQL against plain one-row
//!   insert transactions sent with the same driver to the same database at
//!   the same concurrency (target: at least 0.5x their rate).
//!
//! `COMMUNITYD_TEST_DATABASE_URL=postgres://... cargo bench --bench
//! postgres_backend` (it creates databases of its own on that server).

#[path = "support/mod.rs"]
mod support;

use communityd::domain::ids::{CommunityId, PrincipalId, TenantId};
use communityd::store::pg::testing::{fresh_database_url, read_community_ahead};
use futures_util::future::join_all;
use serde_json::json;
use std::time::{Duration, Instant};

const GETS: usize = 3_000;
const READERS: usize = 8;
const INVITATIONS: usize = 2_000;
const WRITERS: usize = 64;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Some(url) = fresh_database_url() else {
        eprintln!("set COMMUNITYD_TEST_DATABASE_URL to a PostgreSQL server to run this benchmark");
        return;
    };
    let redb = support::serve(|s| s.invitations_per_community_per_day = 1_000_000).await;
    let pg = support::serve(|s| {
        s.database_url.0 = url.clone();
        s.database_connections = 64;
        s.invitations_per_community_per_day = 1_000_000;
        // 64 clients on one loopback address are the benchmark, not a flood.
        s.connections_per_peer = 1_000;
    })
    .await;

    let (on_redb, _) = gets_per_second(&redb).await;
    let (on_pg, read) = gets_per_second(&pg).await;
    println!(
        "GET community, {READERS} at once: redb {on_redb:.0}/s, PostgreSQL {on_pg:.0}/s: {:.2}x of redb (target >= 0.50)",
        on_pg / on_redb
    );
    let ceiling = statements_per_second(&url, read).await;
    println!(
        "  its one statement alone, sent by the driver {READERS} at once: {ceiling:.0}/s: {:.2}x of redb's GET (the ceiling here)",
        ceiling / on_redb
    );

    let inserts = plain_inserts_per_second(&url).await;
    let invitations = invitations_per_second(&pg).await;
    println!(
        "{WRITERS} at once: plain one-row inserts {inserts:.0}/s, invitations created {invitations:.0}/s: {:.2}x (target >= 0.50)",
        invitations / inserts
    );
    redb.stop().await;
    pg.stop().await;
}

/// A tenant named `name` with a community of its own, and the community's id.
async fn community(served: &support::Served, name: &str) -> (support::BenchTenant, String) {
    let tenant = served.tenant(name, "bench").await;
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!(
            "{}/api/v1-preview/tenants/{}/communities",
            served.url, tenant.client.tenant_id
        ))
        .bearer_auth(&tenant.token)
        .json(&json!({"Name": "Bench", "Description": "bench"}))
        .send()
        .await
        .expect("create community")
        .json()
        .await
        .expect("community");
    let id = created["Id"].as_str().expect("community id").to_string();
    (tenant, id)
}

/// The GET's rate, and who read which community.
async fn gets_per_second(served: &support::Served) -> (f64, CommunityRead) {
    let (tenant, id) = community(served, "Contoso").await;
    let read = (
        PrincipalId::Client(tenant.client.client_id),
        tenant.client.tenant_id,
        CommunityId::parse(&id).expect("community id"),
    );
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1-preview/Communities/{id}", served.url);
    let get = |n: usize| {
        let (http, url, token) = (http.clone(), url.clone(), tenant.token.clone());
        async move {
            for _ in 0..n {
                let status = http
                    .get(&url)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("GET")
                    .status();
                assert_eq!(status, 200);
            }
        }
    };
    get(100).await; // warm: statements prepared, connections open
    let started = Instant::now();
    join_all((0..READERS).map(|_| get(GETS / READERS))).await;
    (rate(GETS, started.elapsed()), read)
}

type CommunityRead = (PrincipalId, TenantId, CommunityId);

/// The GET's statement, `READERS` connections at once, each sending
/// `GETS / READERS` as the backend does (see `read_community_ahead`).
async fn statements_per_second(url: &str, read: CommunityRead) -> f64 {
    let clients = connections(url, READERS).await;
    read_community_ahead(&clients[0], read, 100)
        .await
        .expect("warm");
    let started = Instant::now();
    join_all(clients.iter().map(|client| async move {
        read_community_ahead(client, read, GETS / READERS)
            .await
            .expect("statement")
    }))
    .await;
    rate(GETS / READERS * READERS, started.elapsed())
}

/// `n` connections of their own to `url`, with the driver the backend uses.
async fn connections(url: &str, n: usize) -> Vec<tokio_postgres::Client> {
    let config: tokio_postgres::Config = url.parse().expect("url");
    let mut clients = Vec::new();
    for _ in 0..n {
        let (client, connection) = config
            .connect(tokio_postgres::NoTls)
            .await
            .expect("connect");
        tokio::spawn(connection);
        clients.push(client);
    }
    clients
}

async fn invitations_per_second(served: &support::Served) -> f64 {
    let (tenant, id) = community(served, "Fabrikam").await;
    let http = reqwest::Client::new();
    let url = format!(
        "{}/api/v1-preview/tenants/{}/communities/{id}/invitations",
        served.url, tenant.client.tenant_id
    );
    let invite = |writer: usize| {
        let (http, url, token) = (http.clone(), url.clone(), tenant.token.clone());
        async move {
            for n in 0..INVITATIONS / WRITERS {
                let body =
                    json!({"InvitationRecipient": format!("w{writer}-{n}@fabrikam.example")});
                let status = http
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .expect("POST")
                    .status();
                assert_eq!(status, 201);
            }
        }
    };
    let started = Instant::now();
    join_all((0..WRITERS).map(invite)).await;
    rate(INVITATIONS / WRITERS * WRITERS, started.elapsed())
}

/// The baseline: one-row insert transactions, `WRITERS` at once, each on a
/// connection of its own, with the driver the backend uses.
async fn plain_inserts_per_second(url: &str) -> f64 {
    let mut clients = connections(url, WRITERS).await;
    clients[0]
        .batch_execute("CREATE TABLE bench_rows (id uuid PRIMARY KEY, body bytea NOT NULL)")
        .await
        .expect("table");
    let started = Instant::now();
    join_all(clients.iter_mut().map(|client| async move {
        let insert = client
            .prepare("INSERT INTO bench_rows (id, body) VALUES ($1, $2)")
            .await
            .expect("prepare");
        for _ in 0..INVITATIONS / WRITERS {
            let tx = client.transaction().await.expect("begin");
            tx.execute(&insert, &[&uuid::Uuid::new_v4(), &vec![7u8; 200]])
                .await
                .expect("insert");
            tx.commit().await.expect("commit");
        }
    }))
    .await;
    rate(INVITATIONS / WRITERS * WRITERS, started.elapsed())
}

fn rate(n: usize, took: Duration) -> f64 {
    n as f64 / took.as_secs_f64()
}
