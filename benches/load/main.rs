//! The load benchmark: the release binary under load on loopback, each
//! figure printed next to a baseline measured in the same run, as a ratio.
//!
//! `cargo bench --bench load` (about three minutes, most of it writing a
//! database of a million invitations). The targets are the project's:
//! authenticated GET >= 0.45x a bare actix handler, creating invitations at
//! 64 concurrent >= 1.0x single-writer durable redb commits, listing 100
//! invitations with 1M in the database <= 2x the time with 1k, and idle RSS
//! <= 30 MiB for `serve` and `demo`.

mod bare;
mod corpus;
mod raw_commits;
mod server;
mod traffic;

use serde_json::Value;
use server::Server;
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 64;
const WARMUP: Duration = Duration::from_secs(1);
const MEASURE: Duration = Duration::from_secs(5);
const LIST_ROUNDS: usize = 500;

struct Figure {
    what: &'static str,
    ratio: f64,
    target: &'static str,
    met: bool,
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let root = tempfile::tempdir().expect("temp dir");
    let mut figures = Vec::new();
    println!("communityd load benchmark: {CONNECTIONS} connections, {WARMUP:?} warm-up, {MEASURE:?} measured per rate");

    // Idle RSS of `serve`, then the read path on the same server.
    let dir = root.path().join("serve");
    let (tenant, client) = server::tenant_with_client(&dir);
    let app = Server::serve(&dir);
    std::thread::sleep(Duration::from_secs(2));
    let serve_rss = app.rss_mib();
    println!("\nidle RSS of `serve`: {serve_rss:.1} MiB");
    let token = app.token(&client);
    let community = app.create(
        &format!("/api/v1-preview/tenants/{tenant}/communities"),
        &token,
        server::community_body("Load"),
    );
    let id = community["Id"].as_str().expect("community id").to_string();
    let get_path = format!("/api/v1-preview/Communities/{id}");
    let body: Value = serde_json::from_str(&app.get(&get_path, &token)).expect("JSON");

    println!("\n1. authenticated GET {get_path}");
    let bare = bare::Bare::start(body);
    let baseline = traffic::run(
        bare.addr,
        CONNECTIONS,
        WARMUP,
        MEASURE,
        traffic::get(&get_path, &token),
    );
    drop(bare);
    print_rate("bare actix, same JSON (baseline)", &baseline);
    let product = traffic::run(
        app.addr,
        CONNECTIONS,
        WARMUP,
        MEASURE,
        traffic::get(&get_path, &token),
    );
    print_rate("communityd, authenticated", &product);
    figures.push(ratio(
        "authenticated GET / bare actix",
        product.per_second() / baseline.per_second(),
        ">= 0.45",
        |r| r >= 0.45,
    ));

    println!("\n2. create invitation, {CONNECTIONS} concurrent");
    let raw = raw_commits::rate(root.path(), MEASURE);
    println!(
        "  {:<40} {raw:>10.0} commits/s",
        "raw redb, one writer, durable (baseline)"
    );
    let invitations = format!("/api/v1-preview/tenants/{tenant}/communities/{id}/invitations");
    let created = traffic::run(
        app.addr,
        CONNECTIONS,
        WARMUP,
        MEASURE,
        traffic::post_json(&invitations, &token, |n| {
            format!(r#"{{"InvitationRecipient":"load{n}@example.com"}}"#)
        }),
    );
    print_rate("communityd, POST invitations", &created);
    figures.push(ratio(
        "create invitation / raw durable commit",
        created.per_second() / raw,
        ">= 1.0",
        |r| r >= 1.0,
    ));
    drop(app);

    println!(
        "\n3. list one community's first 100 invitations, {LIST_ROUNDS} requests one after another"
    );
    let mut means = Vec::new();
    for total in [1_000, 1_000_000] {
        let dir = root.path().join(format!("list-{total}"));
        let started = Instant::now();
        let corpus = corpus::build(&dir, total);
        let size = std::fs::metadata(dir.join(communityd::store::FILE_NAME))
            .map(|m| m.len() as f64 / 1048576.0)
            .unwrap_or(0.0);
        let app = Server::serve(&dir);
        let token = app.token(&corpus.client);
        let path = format!(
            "/api/v1-preview/tenants/{}/communities/{}/invitations?count=100",
            corpus.tenant, corpus.community
        );
        let listed: Vec<Value> = serde_json::from_str(&app.get(&path, &token)).expect("JSON");
        assert_eq!(listed.len(), 100);
        let (mean, status) = traffic::latency(app.addr, LIST_ROUNDS, traffic::get(&path, &token));
        assert_eq!(status, 200);
        println!(
            "  {total:>9} invitations in the database ({size:.0} MiB, written in {:.1} s): {:>8.0} µs per list",
            started.elapsed().as_secs_f64(),
            mean.as_secs_f64() * 1e6
        );
        means.push(mean.as_secs_f64());
        drop(app);
        let _ = std::fs::remove_dir_all(&dir);
    }
    figures.push(ratio(
        "list latency, 1M / 1k invitations",
        means[1] / means[0],
        "<= 2",
        |r| r <= 2.0,
    ));

    println!("\n4. idle RSS");
    let demo = Server::demo(&root.path().join("demo"));
    std::thread::sleep(Duration::from_secs(2));
    let demo_rss = demo.rss_mib();
    drop(demo);
    println!("  {:<40} {serve_rss:>10.1} MiB", "serve");
    println!("  {:<40} {demo_rss:>10.1} MiB", "demo");
    figures.push(Figure {
        what: "idle RSS serve / demo, MiB",
        ratio: serve_rss.max(demo_rss),
        target: "<= 30",
        met: serve_rss <= 30.0 && demo_rss <= 30.0,
    });

    println!("\nsummary");
    for f in &figures {
        println!(
            "  {:<40} {:>8.2}  target {:<8} {}",
            f.what,
            f.ratio,
            f.target,
            if f.met { "met" } else { "NOT MET" }
        );
    }
}

fn print_rate(label: &str, outcome: &traffic::Outcome) {
    println!(
        "  {label:<40} {:>10.0} req/s  ({} ok, {} not 2xx)",
        outcome.per_second(),
        outcome.ok,
        outcome.failed
    );
}

fn ratio(
    what: &'static str,
    ratio: f64,
    target: &'static str,
    met: impl Fn(f64) -> bool,
) -> Figure {
    Figure {
        what,
        ratio,
        target,
        met: met(ratio),
    }
}
