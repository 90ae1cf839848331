//! Counting usage must not slow reads. This prints the throughput of value
//! reads of a shared stream through a community (the read use case, as the
//! HTTP handler calls it) with usage counting on, against the same reads
//! with counting off (the baseline), as a ratio (the target is >= 0.95).
//!
//! Both contexts share one server's store in the same run. Each round
//! reads with counting and without, in alternating order so neither gets
//! the warmer cache, and the ratio is the median of the rounds' paired
//! ratios (a loaded machine drifts between rounds, less within one).
//! Several tasks read at once, as HTTP workers do; the counted cells are
//! flushed between rounds, as the background task does every interval.
//! `cargo bench --bench usage_counting`.

#[path = "support/mod.rs"]
mod support;

use communityd::app::sds::data::{read, Answer, Read};
use communityd::app::sds::stream_access::Target;
use communityd::app::usage::flush::flush;
use communityd::app::usage_recorder::Usage;
use communityd::app::Context;
use communityd::clock::Clock;
use communityd::config::Settings;
use communityd::domain::identity::Caller;
use communityd::domain::ids::{CommunityId, PrincipalId};
use communityd::domain::usage::{day_of, UsageCounts, UsageKey};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{serve, BenchTenant, Served};

const VALUES: i64 = 100;
const WINDOW: i64 = 10;
const TASKS: usize = 4;
const READS_PER_TASK: usize = 500;
const ROUNDS: usize = 21;
const COUNTS: u64 = 200_000;

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Value,
) -> Value {
    let r = http
        .request(method, url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status();
    let text = r.text().await.unwrap_or_default();
    assert!(status.is_success(), "{url}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The owner's stream "Flow" with `VALUES` values, shared into a community
/// the reader is an Active member of.
async fn shared_stream(served: &Served, owner: &BenchTenant, reader: &BenchTenant) -> CommunityId {
    use reqwest::Method;
    let http = reqwest::Client::new();
    let ty = json!({"Id":"Wave","SdsTypeCode":"Object","Properties":[
        {"Id":"Order","IsKey":true,"SdsType":{"Id":"intType","SdsTypeCode":"Int32","Properties":[]}},
        {"Id":"Radians","IsKey":false,"SdsType":{"Id":"doubleType","SdsTypeCode":"Double","Properties":[]}}]});
    send(
        &http,
        Method::POST,
        &format!("{}/Types/Wave", owner.ns),
        &owner.token,
        ty,
    )
    .await;
    let stream = json!({"Id":"Flow","TypeId":"Wave"});
    send(
        &http,
        Method::POST,
        &format!("{}/Streams/Flow", owner.ns),
        &owner.token,
        stream,
    )
    .await;
    let values: Vec<Value> = (0..VALUES)
        .map(|i| json!({"Order": i, "Radians": i as f64 / 10.0}))
        .collect();
    send(
        &http,
        Method::POST,
        &format!("{}/Streams/Flow/Data", owner.ns),
        &owner.token,
        json!(values),
    )
    .await;

    let tenants = format!(
        "{}/api/v1-preview/Tenants/{}/Communities",
        served.url, owner.client.tenant_id
    );
    let community = send(
        &http,
        Method::POST,
        &tenants,
        &owner.token,
        json!({"Name": "Bench"}),
    )
    .await;
    let id = community["Id"].as_str().expect("community id").to_string();
    let role = send(
        &http,
        Method::GET,
        &format!("{tenants}/{id}"),
        &owner.token,
        Value::Null,
    )
    .await;
    let role = role["MemberRoleId"]
        .as_str()
        .expect("member role")
        .to_string();
    let invitation = send(
        &http,
        Method::POST,
        &format!("{tenants}/{id}/Invitations"),
        &owner.token,
        json!({"InvitationRecipient": "admin@reader.example"}),
    )
    .await;
    let invitation = invitation["Id"]
        .as_str()
        .expect("invitation id")
        .to_string();
    let act = format!(
        "{}/api/v1-preview/communityinvitations/{invitation}",
        served.url
    );
    send(
        &http,
        Method::PUT,
        &act,
        &reader.token,
        json!({"Action": "Accept"}),
    )
    .await;
    send(
        &http,
        Method::PUT,
        &act,
        &owner.token,
        json!({"Action": "Confirm"}),
    )
    .await;
    let share = json!([{"op": "add", "path": "/RoleTrusteeAccessControlEntries/-",
        "value": {"AccessRights": 1, "AccessType": 0, "Trustee": {"ObjectId": role, "TenantId": null, "Type": "Role"}}}]);
    send(
        &http,
        Method::PATCH,
        &format!("{}/Streams/Flow/AccessControl", owner.ns),
        &owner.token,
        share,
    )
    .await;
    CommunityId::parse(&id).expect("community id")
}

fn context(served: &Served, counting: bool) -> Context {
    let mut settings = Settings::defaults();
    settings.data_dir = served.data_dir().to_path_buf();
    settings.usage_counting = counting;
    Context::new(
        served.store.clone(),
        Clock::default(),
        settings,
        served.url.clone(),
    )
    .expect("context")
}

/// Reads per second of `TASKS` tasks reading windows at once.
async fn round(ctx: &Context, target: &Target) -> f64 {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let (ctx, target) = (ctx.clone(), target.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..READS_PER_TASK {
                let start = ((t * READS_PER_TASK + i) as i64 * 7) % (VALUES - WINDOW);
                let what = Read::Window {
                    start: start.to_string(),
                    end: (start + WINDOW - 1).to_string(),
                    count: None,
                    token: None,
                    filter: None,
                };
                match read(&ctx, target.clone(), "Flow".into(), what).await {
                    Ok(Answer::Values(v)) => assert_eq!(v.len(), WINDOW as usize),
                    _ => panic!("the read failed"),
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("reader");
    }
    (TASKS * READS_PER_TASK) as f64 / started.elapsed().as_secs_f64()
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[samples.len() / 2]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let served = serve(|_| {}).await;
    let owner = served.tenant("Owner", "owner client").await;
    let reader = served.tenant("Reader", "reader client").await;
    let community = shared_stream(&served, &owner, &reader).await;
    let target = Target::new(
        Caller {
            principal: PrincipalId::Client(reader.client.client_id),
            tenant: reader.client.tenant_id,
        },
        owner.client.tenant_id,
        "default",
        Some(community),
    )
    .expect("target");
    let (on, off) = (context(&served, true), context(&served, false));
    // Warm both up once.
    round(&on, &target).await;
    round(&off, &target).await;
    // Each round reads with and without counting, in turns of order, and
    // gives one paired ratio: the machine's load drifts between rounds,
    // much less within one.
    let (mut with, mut without, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..ROUNDS {
        let (on_rate, off_rate) = if r % 2 == 0 {
            let on_rate = round(&on, &target).await;
            (on_rate, round(&off, &target).await)
        } else {
            let off_rate = round(&off, &target).await;
            (round(&on, &target).await, off_rate)
        };
        flush(&on).await.expect("flush");
        with.push(on_rate);
        without.push(off_rate);
        ratios.push(on_rate / off_rate);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let reads = TASKS * READS_PER_TASK;
    println!("value reads through a community, {TASKS} tasks x {READS_PER_TASK} windows of {WINDOW} (median of {ROUNDS} rounds of {reads}):");
    println!(
        "  usage counting on:             {:>10.0} reads/s",
        median(with)
    );
    let baseline = median(without);
    println!("  usage counting off (baseline): {baseline:>10.0} reads/s");
    println!(
        "  ratio: {:.3} (median of the rounds' paired ratios; target >= 0.95)",
        median(ratios)
    );
    // What counting adds to one read, measured alone: the cell's key made
    // and added to the map, as `data::read` does after each read.
    let usage = Usage::new(true);
    let started = Instant::now();
    for i in 0..COUNTS {
        let key = UsageKey {
            community,
            day: day_of(chrono::Utc::now()),
            reader: reader.client.tenant_id,
            owner: owner.client.tenant_id,
            namespace: "default".to_string(),
            stream: "Flow".to_string(),
        };
        usage.count(key, UsageCounts::answered(i % 11));
    }
    let per_count = started.elapsed().as_secs_f64() / COUNTS as f64;
    // Against the service's time per read at the baseline's throughput.
    println!(
        "  one count alone: {:.2} us, one read: {:.2} us ({:.2}% of a read)",
        per_count * 1e6,
        1e6 / baseline,
        100.0 * per_count * baseline
    );
    served.stop().await;
}
