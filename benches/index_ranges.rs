//! How much the invitation index saves: listing one community's invitations
//! by its index range, against a full scan of the invitations table (the
//! baseline), both on the same on-disk redb file in the same run.
//!
//! `cargo bench --bench index_ranges` prints the figures.

use chrono::{Duration, Utc};
use communityd::domain::email::EmailAddress;
use communityd::domain::ids::{CommunityId, PrincipalId, TenantId, UserId};
use communityd::domain::invitation::Invitation;
use communityd::domain::paging::Page;
use communityd::store::{codec, invitations, tables, Store, StoreError};
use std::time::Instant;

const COMMUNITIES: usize = 200;
const PER_COMMUNITY: usize = 50;
const ROUNDS: usize = 200;

fn populate(store: &Store) -> (CommunityId, TenantId) {
    let issuer = TenantId::generate();
    let by = PrincipalId::User(UserId::generate());
    let now = Utc::now();
    let mut target = None;
    for c in 0..COMMUNITIES {
        let community = CommunityId::generate();
        target.get_or_insert(community);
        store
            .write_blocking(|tx| {
                for i in 0..PER_COMMUNITY {
                    let email =
                        EmailAddress::parse(&format!("user{i}@tenant{c}.example")).expect("email");
                    let inv =
                        Invitation::new(community, issuer, by, email, now, Duration::days(14));
                    invitations::put(tx, &inv)?;
                }
                Ok::<_, StoreError>(())
            })
            .expect("populate");
    }
    (target.expect("a community"), issuer)
}

fn by_index(store: &Store, community: CommunityId, issuer: TenantId) -> usize {
    store
        .read_blocking(|tx| invitations::issued_by(tx, community, issuer, Some(Page::default())))
        .expect("index read")
        .len()
}

fn by_full_scan(store: &Store, community: CommunityId) -> usize {
    store
        .redb()
        .expect("a redb baseline")
        .read_blocking(|tx| {
            let table = tx.open_table(tables::INVITATIONS)?;
            let mut found = 0;
            for entry in table.range::<uuid::Uuid>(..)? {
                let inv: Invitation = codec::decode(entry?.1.value())?;
                if inv.community == community {
                    found += 1;
                }
            }
            Ok::<_, StoreError>(found)
        })
        .expect("scan")
}

fn time(label: &str, mut f: impl FnMut() -> usize) -> f64 {
    let started = Instant::now();
    let mut rows = 0;
    for _ in 0..ROUNDS {
        rows = f();
    }
    let per_call = started.elapsed().as_secs_f64() / ROUNDS as f64;
    println!(
        "{label:<28} {rows:>5} rows  {:>10.1} µs/list  {:>9.0} lists/s",
        per_call * 1e6,
        1.0 / per_call
    );
    per_call
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let started = Instant::now();
    let (community, issuer) = populate(&store);
    println!(
        "{} invitations in {COMMUNITIES} communities written in {:.2} s ({} write transactions)",
        COMMUNITIES * PER_COMMUNITY,
        started.elapsed().as_secs_f64(),
        COMMUNITIES
    );
    assert_eq!(
        by_index(&store, community, issuer),
        by_full_scan(&store, community)
    );
    let index = time("index range (product)", || {
        by_index(&store, community, issuer)
    });
    let scan = time("full table scan (baseline)", || {
        by_full_scan(&store, community)
    });
    println!(
        "ratio: the index range lists {:.0}x faster than the scan",
        scan / index
    );
}
