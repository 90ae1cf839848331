//! A JSON Patch of a stream's access control list cannot be made to cost
//! more than the largest patch an honest client could send. Every copy of
//! the whole document doubles it; before, 40 of them in one request of a
//! few kilobytes aborted the process. This prints, on the same document
//! in the same run:
//!
//! - a one-operation patch (the everyday figure);
//! - the largest honest patch: one `add` of a value just under the body
//!   limit (the baseline a bounded patch is held to);
//! - the doubling patch (a 2 KB seed, then 40 copies of the whole document),
//!   refused at the limit, and its ratio to the largest honest patch.
//!
//! `cargo bench --bench acl_patch`.

use communityd::domain::sds::patch;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The default `body_limit_bytes`.
const LIMIT: usize = 262_144;
const ROUNDS: usize = 200;

fn acl() -> Value {
    let entry = |rights: u32| {
        json!({"Trustee": {"Type": 3, "ObjectId": uuid::Uuid::now_v7(), "TenantId": null},
               "AccessType": 0, "AccessRights": rights})
    };
    json!({"RoleTrusteeAccessControlEntries": [entry(31), entry(3)]})
}

fn doubling() -> Value {
    let seed = json!({"op": "add", "path": "/Seed", "value": "x".repeat(2000)});
    let copies = (0..40).map(|i| json!({"op": "copy", "from": "", "path": format!("/C{i}")}));
    Value::Array(std::iter::once(seed).chain(copies).collect())
}

/// Median time of applying `body` to a fresh copy of the list, and whether
/// it was accepted.
fn median(body: &Value) -> (Duration, bool) {
    let doc = acl();
    let mut times = Vec::with_capacity(ROUNDS);
    let mut accepted = false;
    for _ in 0..ROUNDS {
        let mut d = doc.clone();
        let b = body.clone();
        let start = Instant::now();
        accepted = patch::apply(&mut d, b, LIMIT).is_ok();
        times.push(start.elapsed());
    }
    times.sort();
    (times[ROUNDS / 2], accepted)
}

fn main() {
    let small = json!([{"op": "replace", "path": "/RoleTrusteeAccessControlEntries/1/AccessRights", "value": 1}]);
    let largest = json!([{"op": "add", "path": "/Note", "value": "x".repeat(LIMIT - 1024)}]);
    let (small_t, small_ok) = median(&small);
    let (largest_t, largest_ok) = median(&largest);
    let (doubling_t, doubling_ok) = median(&doubling());
    assert!(small_ok && largest_ok && !doubling_ok);
    println!("one-operation patch:          median {small_t:?} (accepted)");
    println!("largest honest patch:         median {largest_t:?} (accepted, baseline)");
    println!("doubling patch (40 copies):   median {doubling_t:?} (refused at {LIMIT} bytes)");
    println!(
        "doubling / largest honest:    {:.2}",
        doubling_t.as_secs_f64() / largest_t.as_secs_f64()
    );
}
