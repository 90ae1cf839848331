//! Reads of stream values: at an index, first, last, a window, a range;
//! each bounded by `READ_LIMIT` values and the answer's size.

use super::counted;
use super::index_text::key_of_text;
use super::scan::Scan;
use crate::app::sds::stream_access::{readable_stream, Target};
use crate::app::sds::values_json::ValuesJson;
use crate::app::{AppError, Context};
use crate::domain::sds::filter::Filter;
use crate::domain::sds::stream::SdsStream;
use crate::domain::sds::value_count::{ValueCount, MAX_ANSWER_BYTES, MAX_VALUES};
use crate::domain::usage::{day_of, UsageCounts, UsageKey};
use crate::store::sds_values::{self, Direction};
use crate::store::{ReadTx, Readable};
use base64::Engine;
use serde_json::Value;
use std::ops::Bound;

/// SDS's cap on values in one read.
pub const READ_LIMIT: usize = MAX_VALUES;

/// The reads of `.../Data`.
#[derive(Clone, Debug)]
pub enum Read {
    /// `?index=` once or more.
    At(Vec<String>),
    First,
    Last,
    /// `?startIndex&endIndex`, with `count` (and a continuation token) for
    /// paging; without `count`, the whole window up to the read limit.
    Window {
        start: String,
        end: String,
        count: Option<ValueCount>,
        token: Option<String>,
        filter: Option<Filter>,
    },
    /// `Transform?startIndex&skip&count&reversed`; with a filter, `skip`
    /// and `count` count the values that match.
    Range {
        start: Option<String>,
        skip: usize,
        count: ValueCount,
        reversed: bool,
        filter: Option<Filter>,
    },
}

impl Read {
    /// Whether the read may copy many values (up to `READ_LIMIT`), so it
    /// belongs on the blocking pool. The others read one value.
    fn is_large(&self) -> bool {
        match self {
            Read::At(indexes) => indexes.len() > 1,
            Read::Window { .. } | Read::Range { .. } => true,
            Read::First | Read::Last => false,
        }
    }
}

/// A read's answer: one value (or null), a list, or a page with the token
/// of the next one. Windows and ranges carry their values' stored text.
pub enum Answer {
    One(Option<Value>),
    Values(ValuesJson),
    Page {
        results: ValuesJson,
        token: Option<String>,
    },
}

/// A read's answer and the usage it counts as (reads through a community).
struct Counted {
    answer: Result<Answer, AppError>,
    usage: Option<(UsageKey, UsageCounts)>,
}

impl Answer {
    /// How many values the answer carries.
    pub fn value_count(&self) -> u64 {
        match self {
            Answer::One(v) => u64::from(v.is_some()),
            Answer::Values(v) => v.len() as u64,
            Answer::Page { results, .. } => results.len() as u64,
        }
    }
}

pub async fn read(
    ctx: &Context,
    target: Target,
    id: String,
    what: Read,
) -> Result<Answer, AppError> {
    let large = what.is_large();
    let day = ctx.usage.enabled().then(|| day_of(ctx.clock.now()));
    let work = move |tx: &ReadTx| -> Result<Counted, AppError> {
        let stream = match readable_stream(tx, &target, &id) {
            Ok(stream) => stream,
            Err(e) => {
                let usage = match day {
                    Some(day) => counted::refused(tx, &target, &id, day, &e)?,
                    None => None,
                };
                return Ok(Counted {
                    answer: Err(e),
                    usage,
                });
            }
        };
        let answer = read_stream(tx, &stream, what);
        let values = answer.as_ref().map_or(0, Answer::value_count);
        let usage = day.and_then(|day| counted::answered(&target, &stream, day, values));
        Ok(Counted { answer, usage })
    };
    let counted = if large {
        ctx.store.read_large(&ctx.large_reads, work).await?
    } else {
        ctx.store.read(work).await?
    };
    if let Some((key, counts)) = counted.usage {
        ctx.usage.count(key, counts);
    }
    counted.answer
}

/// 400: the values asked for pass the read limit or the answer's size bound.
fn too_large(field: &str, resolution: &str) -> AppError {
    AppError::invalid(
        field,
        format!(
            "the values asked for are more than {READ_LIMIT} or {} MiB; {resolution}",
            MAX_ANSWER_BYTES >> 20
        ),
    )
}

fn token_of(key: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key)
}

pub fn read_stream(tx: &impl Readable, stream: &SdsStream, what: Read) -> Result<Answer, AppError> {
    let s = stream.storage;
    let keys = &stream.keys;
    Ok(match what {
        Read::At(indexes) if indexes.len() > 1 => at_indexes(tx, stream, &indexes)?,
        Read::At(indexes) => {
            let key = key_of_text(keys, "index", &indexes[0])?;
            match sds_values::get(tx, s, &key)? {
                Some(v) => Answer::One(Some(v)),
                None => {
                    return Err(AppError::not_found(format!(
                        "stream '{}' has no value at index '{}'",
                        stream.id, indexes[0]
                    )))
                }
            }
        }
        Read::First => Answer::One(end_value(tx, stream, Direction::Forward)?),
        Read::Last => Answer::One(end_value(tx, stream, Direction::Backward)?),
        Read::Window {
            start,
            end,
            count,
            token,
            filter,
        } => window(tx, stream, (&start, &end), count, token, Scan::new(filter))?,
        Read::Range {
            start,
            skip,
            count,
            reversed,
            filter,
        } => {
            let start = start
                .map(|t| key_of_text(keys, "startIndex", &t))
                .transpose()?;
            let from = start.as_deref().map_or(Bound::Unbounded, Bound::Included);
            let (bounds, direction) = if reversed {
                ((Bound::Unbounded, from), Direction::Backward)
            } else {
                ((from, Bound::Unbounded), Direction::Forward)
            };
            range(
                tx,
                stream,
                (bounds, direction),
                skip,
                count,
                Scan::new(filter),
            )?
        }
    })
}

/// The keys a range walks between.
type KeyBounds<'a> = (Bound<&'a [u8]>, Bound<&'a [u8]>);

/// `count` values from a start, after `skip`; with a filter, both count
/// matching values only, and the scan is bounded (see `Scan`).
fn range(
    tx: &impl Readable,
    stream: &SdsStream,
    (bounds, direction): (KeyBounds, Direction),
    skip: usize,
    count: ValueCount,
    mut scan: Scan,
) -> Result<Answer, AppError> {
    let mut found = ValuesJson::new();
    let mut full = false;
    // Unfiltered, the store skips and stops; filtered, only matches count.
    let (store_skip, limit) = match scan.filtered() {
        false => (skip, count.get()),
        true => (0, usize::MAX),
    };
    let mut skipped = 0;
    sds_values::each_in_range(
        tx,
        stream.storage,
        bounds,
        direction,
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
            !full && found.len() < count.get()
        },
    )?;
    if full {
        return Err(too_large("count", "ask for fewer values at a time"));
    }
    if scan.exhausted() {
        return Err(scan.refused("ask for fewer values or start nearer to them"));
    }
    Ok(Answer::Values(found))
}

/// The values at several indexes (those that exist), as stored, bounded in
/// count and size like every other answer of many values.
fn at_indexes(
    tx: &impl Readable,
    stream: &SdsStream,
    indexes: &[String],
) -> Result<Answer, AppError> {
    if indexes.len() > READ_LIMIT {
        return Err(too_large("index", "ask for fewer indexes at a time"));
    }
    let mut found = ValuesJson::new();
    for index in indexes {
        let key = key_of_text(&stream.keys, "index", index)?;
        let at = (
            Bound::Included(key.as_slice()),
            Bound::Included(key.as_slice()),
        );
        let mut full = false;
        sds_values::each_in_range(
            tx,
            stream.storage,
            at,
            Direction::Forward,
            0,
            1,
            |_, json| {
                full = !found.is_empty() && !found.fits(json);
                if !full {
                    found.push(json);
                }
                !full
            },
        )?;
        if full {
            return Err(too_large("index", "ask for fewer indexes at a time"));
        }
    }
    Ok(Answer::Values(found))
}

/// The first or last value of a stream.
fn end_value(
    tx: &impl Readable,
    stream: &SdsStream,
    direction: Direction,
) -> Result<Option<Value>, AppError> {
    let all = (Bound::Unbounded, Bound::Unbounded);
    Ok(
        sds_values::range(tx, stream.storage, all.0, all.1, direction, 0, 1)?
            .pop()
            .map(|(_, v)| v),
    )
}

/// A window's values: one page of `count` with the token of the next, or,
/// without `count`, all of them if there are at most `READ_LIMIT`. With a
/// filter a page holds matching values only, and its token is where the
/// next scan resumes: the next match, or where the scan bound stopped it.
fn window(
    tx: &impl Readable,
    stream: &SdsStream,
    (start, end): (&str, &str),
    count: Option<ValueCount>,
    token: Option<String>,
    mut scan: Scan,
) -> Result<Answer, AppError> {
    let mut from = key_of_text(&stream.keys, "startIndex", start)?;
    let to = key_of_text(&stream.keys, "endIndex", end)?;
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        from = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.as_bytes())
            .map_err(|_| {
                AppError::invalid("continuationToken", "is not a token this service issued")
            })?;
    }
    let size = count.unwrap_or_else(ValueCount::most).get();
    let mut results = ValuesJson::new();
    let mut next = None;
    if from <= to {
        let bounds = (
            Bound::Included(from.as_slice()),
            Bound::Included(to.as_slice()),
        );
        // One more than the page, to learn whether another follows
        // (filtered: as many as the scan bound allows).
        let limit = if scan.filtered() {
            usize::MAX
        } else {
            size + 1
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
                if results.len() == size || (!results.is_empty() && !results.fits(json)) {
                    next = Some(token_of(key));
                    return false;
                }
                results.push(json);
                true
            },
        )?;
    }
    match count {
        Some(_) => Ok(Answer::Page {
            results,
            token: next,
        }),
        None if scan.exhausted() => Err(scan.refused("read the window in pages with count")),
        None if next.is_some() => Err(too_large("endIndex", "read it in pages with count")),
        None => Ok(Answer::Values(results)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sds::index_key::{self, KeyPart};
    use crate::domain::sds::type_code::KeyKind;
    use crate::store::{RedbStore, StoreError};
    use uuid::Uuid;

    /// A stream of orders 1 to 30, in a fresh store.
    fn thirty() -> (tempfile::TempDir, RedbStore, SdsStream) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = RedbStore::open(dir.path()).expect("store");
        let now = chrono::Utc::now();
        let stream = SdsStream {
            storage: Uuid::now_v7(),
            namespace: "default".into(),
            id: "Flow".into(),
            name: "Flow".into(),
            description: String::new(),
            type_id: "Wave".into(),
            keys: vec![KeyPart {
                property: "Order".into(),
                kind: KeyKind::Int32,
            }],
            tags: Vec::new(),
            metadata: Vec::new(),
            indexes: "[]".into(),
            acl: Default::default(),
            owner: None,
            created: now,
            modified: now,
            last_write: None,
            modes: Default::default(),
        };
        store
            .write_blocking(|tx| {
                for order in 1..=30 {
                    let key = index_key::of_text(&stream.keys, &order.to_string()).unwrap();
                    let json = format!(r#"{{"Order":{order}}}"#);
                    sds_values::put(tx, stream.storage, &key, json.as_bytes())?;
                }
                Ok::<_, StoreError>(())
            })
            .expect("fill");
        (dir, store, stream)
    }

    fn orders(values: ValuesJson) -> Vec<i64> {
        let parsed: Vec<Value> = serde_json::from_slice(&values.into_bytes()).unwrap();
        parsed
            .iter()
            .map(|v| v["Order"].as_i64().unwrap())
            .collect()
    }

    /// Even orders, with a scan bound of 10 values.
    fn evens() -> Scan {
        Scan::bounded(Some(Filter::parse("Order mod 2 eq 0").unwrap()), 10)
    }

    fn token_at(stream: &SdsStream, order: i64) -> String {
        token_of(&index_key::of_text(&stream.keys, &order.to_string()).unwrap())
    }

    #[test]
    fn a_filtered_page_ends_at_its_count_or_at_the_scan_bound_with_a_token() {
        let (_dir, store, s) = thirty();
        store
            .read_blocking(|tx| {
                let count = |n| Some(ValueCount::new(n).unwrap());
                // Full after 6: the token is the next match, 8.
                let Answer::Page { results, token } =
                    window(tx, &s, ("1", "30"), count(3), None, evens())?
                else {
                    panic!("a page")
                };
                assert_eq!(orders(results), vec![2, 4, 6]);
                assert_eq!(token, Some(token_at(&s, 8)));
                // Ten values examined, then the page ends where the scan stopped.
                let Answer::Page { results, token } =
                    window(tx, &s, ("1", "30"), count(10), None, evens())?
                else {
                    panic!("a page")
                };
                assert_eq!(orders(results), vec![2, 4, 6, 8, 10]);
                assert_eq!(token, Some(token_at(&s, 11)));
                // Resumed from that token.
                let Answer::Page { results, .. } = window(
                    tx,
                    &s,
                    ("1", "30"),
                    count(2),
                    Some(token_at(&s, 11)),
                    evens(),
                )?
                else {
                    panic!("a page")
                };
                assert_eq!(orders(results), vec![12, 14]);
                Ok::<_, AppError>(())
            })
            .unwrap();
    }

    #[test]
    fn an_unpaged_filtered_read_past_the_scan_bound_is_refused() {
        let (_dir, store, s) = thirty();
        store
            .read_blocking(|tx| {
                let refused = window(tx, &s, ("1", "30"), None, None, evens()).err();
                assert!(
                    matches!(&refused, Some(AppError::Invalid { field, .. }) if field == "filter"),
                    "{refused:?}"
                );
                // Exactly the bound, and nothing after it: answered.
                let Answer::Values(found) = window(tx, &s, ("1", "10"), None, None, evens())?
                else {
                    panic!("values")
                };
                assert_eq!(orders(found), vec![2, 4, 6, 8, 10]);
                let all = (Bound::Unbounded, Bound::Unbounded);
                let n = |n| ValueCount::new(n).unwrap();
                let Answer::Values(found) =
                    range(tx, &s, (all, Direction::Forward), 1, n(3), evens())?
                else {
                    panic!("values")
                };
                assert_eq!(orders(found), vec![4, 6, 8]);
                let refused = range(tx, &s, (all, Direction::Forward), 0, n(10), evens()).err();
                assert!(
                    matches!(&refused, Some(AppError::Invalid { field, .. }) if field == "filter"),
                    "{refused:?}"
                );
                let Answer::Values(found) =
                    range(tx, &s, (all, Direction::Backward), 0, n(2), evens())?
                else {
                    panic!("values")
                };
                assert_eq!(orders(found), vec![30, 28]);
                Ok::<_, AppError>(())
            })
            .unwrap();
    }
}
