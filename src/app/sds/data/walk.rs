//! Walks over a stream's stored values: a range from a start (forwards
//! or back) and a window's page, each within the answer's size bound and,
//! with a filter, the scan's bound.

use super::answer::{token_of, too_large};
use super::scan::Scan;
use crate::app::sds::values_json::ValuesJson;
use crate::app::AppError;
use crate::domain::sds::stream::SdsStream;
use crate::store::sds_values::{self, Direction};
use crate::store::Readable;
use std::ops::Bound;

/// The bounds and direction of a range read.
pub(super) struct Walk<'k> {
    pub bounds: (Bound<&'k [u8]>, Bound<&'k [u8]>),
    pub direction: Direction,
}

impl<'k> Walk<'k> {
    /// From `from` onwards, or back from it when `reversed`.
    pub fn from(from: Bound<&'k [u8]>, reversed: bool) -> Self {
        if reversed {
            Walk {
                bounds: (Bound::Unbounded, from),
                direction: Direction::Backward,
            }
        } else {
            Walk {
                bounds: (from, Bound::Unbounded),
                direction: Direction::Forward,
            }
        }
    }
}

/// Up to `count` stored values of a walk after `skip`, appended to
/// `found`, within the answer's size bound. With a filter, `skip` and
/// `count` count matching values only, and the scan is bounded (`Scan`).
pub(super) fn range(
    tx: &impl Readable,
    stream: &SdsStream,
    walk: Walk,
    skip: usize,
    count: usize,
    mut found: ValuesJson,
    scan: &mut Scan,
) -> Result<ValuesJson, AppError> {
    let mut full = false;
    // Unfiltered, the store skips and stops; filtered, only matches count.
    let (store_skip, limit) = match scan.filtered() {
        false => (skip, count),
        true => (0, usize::MAX),
    };
    let wanted = found.len() + count;
    let mut skipped = 0;
    sds_values::each_in_range(
        tx,
        stream.storage,
        walk.bounds,
        walk.direction,
        store_skip,
        limit,
        |_, json| {
            if !scan.keeps(json) {
                return !scan.exhausted();
            }
            if scan.filtered() && skipped < skip {
                skipped += 1;
                return true;
            }
            full = !found.is_empty() && !found.fits(json);
            if !full {
                found.push(json);
            }
            !full && found.len() < wanted
        },
    )?;
    if full {
        return Err(too_large("count", "ask for fewer values at a time"));
    }
    if scan.exhausted() {
        return Err(scan.refused("ask for fewer values or start nearer to them"));
    }
    Ok(found)
}

/// Appends the stored values within `bounds` to `results` until it holds
/// `size`; returns the token of the next page if more follow. With a
/// filter a page holds matching values only, and its token is where the
/// next scan resumes: the next match, or where the scan bound stopped it.
pub(super) fn page(
    tx: &impl Readable,
    stream: &SdsStream,
    bounds: (Bound<&[u8]>, Bound<&[u8]>),
    size: usize,
    results: &mut ValuesJson,
    scan: &mut Scan,
) -> Result<Option<String>, AppError> {
    let mut next = None;
    // One more than the page, to learn whether another follows
    // (filtered: as many as the scan bound allows).
    let limit = match scan.filtered() {
        true => usize::MAX,
        false => (size + 1).saturating_sub(results.len()),
    };
    sds_values::each_in_range(
        tx,
        stream.storage,
        bounds,
        Direction::Forward,
        0,
        limit,
        |key, json| {
            if !scan.keeps(json) {
                if scan.exhausted() {
                    next = Some(token_of(key));
                }
                return !scan.exhausted();
            }
            // A page may end early at the answer's size bound (after
            // one value at least): its token says where the rest begins.
            if results.len() >= size || (!results.is_empty() && !results.fits(json)) {
                next = Some(token_of(key));
                return false;
            }
            results.push(json);
            true
        },
    )?;
    Ok(next)
}
