//! Liveness under load: how long `GET /health/live` and an authenticated
//! `GET /api/v1-preview/Communities/{id}` take while clients loop the
//! heaviest reads the API allows, against the same requests on the idle
//! server.
//!
//! `cargo bench --bench liveness_under_load` (a few minutes, most of it
//! writing the data). The release binary on loopback holds one stream of
//! `READ_LIMIT` values and a community with `SHARED_STREAMS` shared
//! streams; then `LOADERS` client threads loop the largest allowed window
//! read and a stream search that matches nothing (so it looks at every
//! shared stream) while one client measures the two GETs one after another.
//! The target is the project's: p99 under load <= 3x p99 idle.
//!
//! The loaders run twice: at the probe's priority, sharing this machine's
//! cores with the server as they do here, and once at a lower one, standing
//! in for clients on other machines (whose CPU is not the server's). The
//! server's own large work always runs below its HTTP workers
//! (`store::large_work`).

#[path = "load/server.rs"]
#[allow(dead_code)]
mod server;

use communityd::app::sds::data::{READ_LIMIT, WRITE_LIMIT};
use serde_json::{json, Value};
use server::Server;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SHARED_STREAMS: usize = 5_000;
/// Values per POST: the most one request may write.
const BATCH: usize = WRITE_LIMIT;
/// Requests in flight while preparing the data.
const PREPARING: usize = 16;
const LOADERS: usize = 4;
/// Each of the two GETs, per phase ...
const SAMPLES: usize = 500;
/// ... one pair every this often, as a liveness probe would, so a phase
/// spans many of the loaders' requests rather than the gaps between them.
const PACE: Duration = Duration::from_millis(20);
/// A phase ends at this, measured or not.
const PHASE_LIMIT: Duration = Duration::from_secs(90);
/// The loaders' head start before measuring.
const WARMUP: Duration = Duration::from_secs(2);
/// A loader stops after this many requests if the phase has not ended.
const LOADER_ROUNDS: u64 = 100_000;
const TARGET: f64 = 3.0;

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let root = tempfile::tempdir().expect("temp dir");
    let (tenant, client) = server::tenant_with_client(root.path());
    let app = Server::serve(root.path());
    let token = app.token(&client);
    let started = Instant::now();
    let paths = prepare(&app, &tenant, &token);
    println!(
        "communityd liveness under load: {READ_LIMIT} values in one stream, {SHARED_STREAMS} shared streams (prepared in {:.0?}), {LOADERS} loaders, {SAMPLES} samples per GET",
        started.elapsed()
    );

    let idle = probe(&app.url, &paths, &token);
    for clients in [Clients::Here, Clients::Elsewhere] {
        let (loaded, done) = under_load(&app.url, &paths, &token, clients);
        println!(
            "\nwhile loading, clients {} ({:.1}s):",
            clients.describe(),
            loaded.elapsed.as_secs_f64()
        );
        for (what, (ok, failed)) in ["window read", "stream search"].iter().zip(tally(&done)) {
            println!("  {what:<14} {ok} answered 200, {failed} otherwise");
        }
        println!(
            "{:<34} {:>9} {:>9} {:>9} {:>9} {:>11}  target",
            "", "idle p50", "idle p99", "load p50", "load p99", "p99 ratio"
        );
        report("GET /health/live", &idle.live, &loaded.live);
        report(
            "GET /api/v1-preview/Communities/{id}",
            &idle.community,
            &loaded.community,
        );
    }
}

/// Where the loading clients' CPU comes from.
#[derive(Clone, Copy)]
enum Clients {
    /// This machine's cores, at the probe's priority.
    Here,
    /// Cores the server does not need: here, a lower priority.
    Elsewhere,
}

impl Clients {
    fn describe(self) -> &'static str {
        match self {
            Clients::Here => "on the server's cores",
            Clients::Elsewhere => "standing in for other machines (lower priority)",
        }
    }
}

/// One phase of probes while the loaders run; what the loaders got.
fn under_load(
    url: &str,
    paths: &Paths,
    token: &str,
    clients: Clients,
) -> (Phase, Vec<(usize, u64, u64)>) {
    let stop = Arc::new(AtomicBool::new(false));
    let loaders = start_loaders(url, paths, token, stop.clone(), clients);
    std::thread::sleep(WARMUP);
    let loaded = probe(url, paths, token);
    stop.store(true, Ordering::SeqCst);
    let done = loaders
        .into_iter()
        .map(|l| l.join().expect("loader"))
        .collect();
    (loaded, done)
}

/// The URLs the phases use.
struct Paths {
    live: String,
    community: String,
    window: String,
    search: String,
}

/// The community, the big stream and the shared streams, through the API.
fn prepare(app: &Server, tenant: &str, token: &str) -> Paths {
    let ns = format!("/api/v1/Tenants/{tenant}/Namespaces/default");
    let community = app.create(
        &format!("/api/v1-preview/tenants/{tenant}/communities"),
        token,
        server::community_body("Liveness"),
    );
    let id = community["Id"].as_str().expect("community id").to_string();
    let role = community["MemberRoleId"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| {
            let found: Value = serde_json::from_str(&app.get(
                &format!("/api/v1-preview/tenants/{tenant}/communities/{id}"),
                token,
            ))
            .expect("JSON");
            found["MemberRoleId"].as_str().expect("MemberRoleId").into()
        });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let send = |method: reqwest::Method, path: String, body: Value| {
            let request = http
                .request(method, format!("{}{path}", app.url))
                .bearer_auth(token)
                .json(&body);
            async move {
                let response = request.send().await.expect("request");
                let status = response.status();
                assert!(status.is_success(), "{path}: {status}");
            }
        };
        send(
            reqwest::Method::POST,
            format!("{ns}/Types/WaveData_SampleType"),
            wave_type(),
        )
        .await;
        send(
            reqwest::Method::POST,
            format!("{ns}/Streams/Big"),
            stream("Big"),
        )
        .await;
        for from in (0..READ_LIMIT).step_by(BATCH) {
            let values: Vec<Value> = (from..(from + BATCH).min(READ_LIMIT))
                .map(|order| json!({"Order": order, "Radians": order as f64 / 10.0}))
                .collect();
            send(
                reqwest::Method::POST,
                format!("{ns}/Streams/Big/Data"),
                json!(values),
            )
            .await;
        }
        let share = json!([{
            "op": "add", "path": "/RoleTrusteeAccessControlEntries/-",
            "value": {"AccessRights": 1, "AccessType": 0,
                      "Trustee": {"ObjectId": role, "TenantId": null, "Type": "Role"}}
        }]);
        let mut next = 0;
        while next < SHARED_STREAMS {
            let round: Vec<_> = (next..(next + PREPARING).min(SHARED_STREAMS))
                .map(|n| {
                    let path = format!("{ns}/Streams/Flow-{n}");
                    let create = send(
                        reqwest::Method::POST,
                        path.clone(),
                        stream(&format!("Flow-{n}")),
                    );
                    let shared = send(
                        reqwest::Method::PATCH,
                        format!("{path}/AccessControl"),
                        share.clone(),
                    );
                    async move {
                        create.await;
                        shared.await;
                    }
                })
                .collect();
            for task in round {
                task.await;
            }
            next += PREPARING;
        }
    });
    Paths {
        live: "/health/live".into(),
        community: format!("/api/v1-preview/Communities/{id}"),
        window: format!(
            "{ns}/Streams/Big/Data?startIndex=0&endIndex={}",
            READ_LIMIT - 1
        ),
        search: format!("/api/v1-preview/Search/Communities/{id}/Streams?query=absent&count=1000"),
    }
}

/// AVEVA's sample type: an integer index and a double.
fn wave_type() -> Value {
    json!({
        "Id": "WaveData_SampleType", "SdsTypeCode": "Object", "Name": "WaveDataSample",
        "Properties": [
            {"Id": "Order", "IsKey": true, "SdsType": {"Id": "intType", "SdsTypeCode": "Int32", "Properties": []}},
            {"Id": "Radians", "IsKey": false, "SdsType": {"Id": "doubleType", "SdsTypeCode": "Double", "Properties": []}}
        ]
    })
}

fn stream(id: &str) -> Value {
    json!({"Id": id, "TypeId": "WaveData_SampleType", "Name": id, "Description": "measured"})
}

/// Latencies of the two GETs in one phase.
struct Phase {
    live: Vec<Duration>,
    community: Vec<Duration>,
    elapsed: Duration,
}

/// The two GETs alternately on one keep-alive client, each answered 200.
fn probe(url: &str, paths: &Paths, token: &str) -> Phase {
    server::block_on(async {
        let http = reqwest::Client::new();
        let timed = |path: String, auth: bool| {
            let mut request = http.get(format!("{url}{path}"));
            if auth {
                request = request.bearer_auth(token);
            }
            async move {
                let began = Instant::now();
                let response = request.send().await.expect("request");
                assert_eq!(response.status(), 200, "GET {path}");
                response.bytes().await.expect("body");
                began.elapsed()
            }
        };
        let started = Instant::now();
        let mut phase = Phase {
            live: Vec::with_capacity(SAMPLES),
            community: Vec::with_capacity(SAMPLES),
            elapsed: Duration::ZERO,
        };
        let mut pace = tokio::time::interval(PACE);
        pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while phase.live.len() < SAMPLES && started.elapsed() < PHASE_LIMIT {
            pace.tick().await;
            phase.live.push(timed(paths.live.clone(), false).await);
            phase
                .community
                .push(timed(paths.community.clone(), true).await);
        }
        phase.elapsed = started.elapsed();
        phase
    })
}

/// Half the loaders loop the window read, half the search, until `stop`
/// (or their round limit); each answers (200s, others).
fn start_loaders(
    url: &str,
    paths: &Paths,
    token: &str,
    stop: Arc<AtomicBool>,
    clients: Clients,
) -> Vec<std::thread::JoinHandle<(usize, u64, u64)>> {
    (0..LOADERS)
        .map(|n| {
            let kind = n % 2;
            let target = format!("{url}{}", [&paths.window, &paths.search][kind]);
            let (token, stop) = (token.to_string(), stop.clone());
            std::thread::spawn(move || {
                if let Clients::Elsewhere = clients {
                    // SAFETY: setpriority reads no memory of ours; with id 0
                    // it lowers this thread only.
                    unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
                }
                server::block_on(async {
                    let http = reqwest::Client::new();
                    let (mut ok, mut failed, mut rounds) = (0, 0, 0);
                    while !stop.load(Ordering::SeqCst) && rounds < LOADER_ROUNDS {
                        rounds += 1;
                        let answered = http.get(&target).bearer_auth(&token).send().await;
                        let whole = match answered {
                            Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                            _ => false,
                        };
                        if whole {
                            ok += 1;
                        } else {
                            failed += 1;
                        }
                    }
                    (kind, ok, failed)
                })
            })
        })
        .collect()
}

/// (200s, others) per kind of load.
fn tally(done: &[(usize, u64, u64)]) -> [(u64, u64); 2] {
    let mut out = [(0, 0); 2];
    for (kind, ok, failed) in done {
        out[*kind].0 += ok;
        out[*kind].1 += failed;
    }
    out
}

fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn report(what: &str, idle: &[Duration], loaded: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (idle50, idle99) = (percentile(idle, 0.50), percentile(idle, 0.99));
    let (load50, load99) = (percentile(loaded, 0.50), percentile(loaded, 0.99));
    let ratio = ms(load99) / ms(idle99);
    println!(
        "{what:<34} {:>7.2}ms {:>7.2}ms {:>7.2}ms {:>7.2}ms {:>10.1}x  <= {TARGET}x {}",
        ms(idle50),
        ms(idle99),
        ms(load50),
        ms(load99),
        ratio,
        if ratio <= TARGET { "met" } else { "NOT met" }
    );
    println!(
        "{:<34} p50 ratio {:.1}x ({} idle and {} loaded samples)",
        "",
        ms(load50) / ms(idle50),
        idle.len(),
        loaded.len()
    );
}
