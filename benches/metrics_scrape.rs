//! `/metrics` scrape time with a million invitations stored, against the
//! same scrape with a thousand (the baseline), in one run on one server.
//! The gauges read counts the database keeps, so the ratio should stay
//! near 1; a full count of every record is timed too, for comparison.
//!
//! `cargo bench --bench metrics_scrape` prints the figures. Invitations
//! are written straight through the store in large transactions.

#[path = "support/mod.rs"]
mod support;

use chrono::{Duration as Days, Utc};
use communityd::domain::email::EmailAddress;
use communityd::domain::ids::{CommunityId, PrincipalId, TenantId, UserId};
use communityd::domain::invitation::Invitation;
use communityd::store::{census, invitations, Store};
use std::time::{Duration, Instant};

const BASELINE: usize = 1_000;
const LOADED: usize = 1_000_000;
const BATCH: usize = 50_000;
const SAMPLES: usize = 31;

/// Adds `n` open invitations, each to its own address, in large batches.
fn fill(store: &Store, from: usize, n: usize) {
    let community = CommunityId::generate();
    let issuer = TenantId::generate();
    let by = PrincipalId::User(UserId::generate());
    let now = Utc::now();
    let mut next = from;
    while next < from + n {
        let end = (next + BATCH).min(from + n);
        store
            .write_blocking(|tx| {
                for i in next..end {
                    let to =
                        EmailAddress::parse(&format!("user{i}@fabrikam.example")).expect("address");
                    let inv = Invitation::new(community, issuer, by, to, now, Days::days(14));
                    invitations::put(tx, &inv)?;
                }
                Ok::<_, communityd::store::error::StoreError>(())
            })
            .expect("invitations written");
        next = end;
    }
}

/// Median and slowest of SAMPLES sequential scrapes.
async fn scrape_time(http: &reqwest::Client, url: &str) -> (Duration, Duration) {
    let mut took = Vec::new();
    for _ in 0..SAMPLES {
        let started = Instant::now();
        let response = http
            .get(format!("{url}/metrics"))
            .send()
            .await
            .expect("scrape");
        assert_eq!(response.status(), 200);
        let text = response.text().await.expect("body");
        took.push(started.elapsed());
        assert!(text.contains("communityd_invitations{state=\"InvitationCreated\"}"));
    }
    took.sort();
    (took[SAMPLES / 2], took[SAMPLES - 1])
}

fn created(text: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        l.strip_prefix("communityd_invitations{state=\"InvitationCreated\"} ")?
            .parse()
            .ok()
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let served = support::serve(|_| {}).await;
    let (url, store) = (&served.url, &served.store);
    let http = reqwest::Client::new();

    let filler = store.clone();
    tokio::task::spawn_blocking(move || fill(&filler, 0, BASELINE))
        .await
        .expect("fill");
    let (base_median, base_max) = scrape_time(&http, url).await;

    let started = Instant::now();
    let filler = store.clone();
    tokio::task::spawn_blocking(move || fill(&filler, BASELINE, LOADED - BASELINE))
        .await
        .expect("fill");
    let filled_in = started.elapsed();
    let (loaded_median, loaded_max) = scrape_time(&http, url).await;
    let text = http
        .get(format!("{url}/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body");
    assert_eq!(
        created(&text),
        Some(LOADED as u64),
        "the gauge counts them all"
    );

    let counter = store.clone();
    let full_count = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        counter
            .read_blocking(|tx| census::recount(tx, Utc::now()))
            .expect("recount");
        started.elapsed()
    })
    .await
    .expect("recount");

    println!("metrics_scrape: {LOADED} invitations written in {filled_in:.1?}");
    println!(
        "metrics_scrape: baseline ({BASELINE} invitations): median {:.3} ms, max {:.3} ms",
        ms(base_median),
        ms(base_max)
    );
    println!(
        "metrics_scrape: loaded ({LOADED} invitations): median {:.3} ms, max {:.3} ms",
        ms(loaded_median),
        ms(loaded_max)
    );
    println!(
        "metrics_scrape: ratio loaded/baseline (median) {:.2} (target <= 1.5)",
        loaded_median.as_secs_f64() / base_median.as_secs_f64()
    );
    println!(
        "metrics_scrape: a full count of every record at {LOADED} takes {:.1} ms (what each scrape cost before)",
        ms(full_count)
    );
    served.stop().await;
}
