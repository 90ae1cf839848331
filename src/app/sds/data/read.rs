//! Reads of stream values: at an index, first, last, a window, a range;
//! each bounded by `READ_LIMIT` values and the answer's size.

use super::answer::{token_key, too_large, window_answer, Answer, READ_LIMIT};
use super::boundary::{self, Boundaries};
use super::counted;
use super::index_text::key_of_text;
use super::interpolated::{self, Indexes};
use super::scan::Scan;
use super::walk::{page, range, Walk};
use crate::app::sds::stream_access::{readable_stream, Target};
use crate::app::sds::values_json::ValuesJson;
use crate::app::{AppError, Context};
use crate::domain::ids::TenantId;
use crate::domain::sds::filter::Filter;
use crate::domain::sds::stream::SdsStream;
use crate::domain::sds::value_count::ValueCount;
use crate::domain::usage::{day_of, UsageCounts, UsageKey};
use crate::store::sds_values::{self, Direction};
use crate::store::{ReadTx, Readable};
use serde_json::Value;
use std::ops::Bound;

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
    /// A window or range whose ends are not all `Exact` (see `boundary`).
    Bounded {
        read: Box<Read>,
        boundaries: Boundaries,
    },
    /// `.../Interpolated`: the events at indexes, stored or calculated.
    Interpolated(Indexes),
}

impl Read {
    /// Whether the read may copy many values (up to `READ_LIMIT`), so it
    /// belongs on the blocking pool. The others read one value.
    fn is_large(&self) -> bool {
        match self {
            Read::At(indexes) => indexes.len() > 1,
            Read::Window { .. }
            | Read::Range { .. }
            | Read::Bounded { .. }
            | Read::Interpolated(_) => true,
            Read::First | Read::Last => false,
        }
    }
}

/// A read's answer and the usage it counts as (reads through a community).
struct Counted {
    answer: Result<Answer, AppError>,
    usage: Option<(UsageKey, UsageCounts)>,
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
        let answer = read_stream(tx, target.tenant, &stream, what);
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

/// A read of `stream`, owned by `owner` (whose namespace holds its type).
pub fn read_stream(
    tx: &impl Readable,
    owner: TenantId,
    stream: &SdsStream,
    what: Read,
) -> Result<Answer, AppError> {
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
            let walk = Walk::from(from, reversed);
            let mut scan = Scan::new(filter);
            let found = range(
                tx,
                stream,
                walk,
                skip,
                count.get(),
                ValuesJson::new(),
                &mut scan,
            )?;
            Answer::Values(found)
        }
        Read::Bounded { read, boundaries } => bounded(tx, owner, stream, *read, boundaries)?,
        Read::Interpolated(indexes) => interpolated::read(tx, owner, stream, &indexes)?,
    })
}

/// A window or range read with its boundary types (`boundary`).
fn bounded(
    tx: &impl Readable,
    owner: TenantId,
    stream: &SdsStream,
    what: Read,
    boundaries: Boundaries,
) -> Result<Answer, AppError> {
    match what {
        Read::Window {
            start,
            end,
            count,
            token,
            filter,
        } => {
            let ends = boundary::Ends {
                start: key_of_text(&stream.keys, "startIndex", &start)?,
                end: key_of_text(&stream.keys, "endIndex", &end)?,
            };
            boundary::window(
                tx,
                owner,
                stream,
                &ends,
                boundaries,
                (count, token),
                Scan::new(filter),
            )
        }
        Read::Range {
            start: Some(start),
            skip,
            count,
            reversed,
            filter,
        } => {
            let start = key_of_text(&stream.keys, "startIndex", &start)?;
            let range = boundary::RangeRead {
                skip,
                count: count.get(),
                reversed,
            };
            Ok(Answer::Values(boundary::range_from(
                tx,
                owner,
                stream,
                &start,
                boundaries.start,
                range,
                &mut Scan::new(filter),
            )?))
        }
        // Without a start there is no boundary to treat.
        other => read_stream(tx, owner, stream, other),
    }
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
/// without `count`, all of them if there are at most `READ_LIMIT`.
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
    if let Some(key) = token_key(token)? {
        from = key;
    }
    let size = count.unwrap_or_else(ValueCount::most).get();
    let mut results = ValuesJson::new();
    let mut next = None;
    if from <= to {
        let bounds = (
            Bound::Included(from.as_slice()),
            Bound::Included(to.as_slice()),
        );
        next = page(tx, stream, bounds, size, &mut results, &mut scan)?;
    }
    if count.is_none() && scan.exhausted() {
        return Err(scan.refused("read the window in pages with count"));
    }
    window_answer(count, results, next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::sds::data::answer::token_of;
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
                let ranged = |direction, skip, count| {
                    let walk = Walk {
                        bounds: (Bound::Unbounded, Bound::Unbounded),
                        direction,
                    };
                    range(tx, &s, walk, skip, count, ValuesJson::new(), &mut evens())
                };
                assert_eq!(orders(ranged(Direction::Forward, 1, 3)?), vec![4, 6, 8]);
                let refused = ranged(Direction::Forward, 0, 10).err();
                assert!(
                    matches!(&refused, Some(AppError::Invalid { field, .. }) if field == "filter"),
                    "{refused:?}"
                );
                assert_eq!(orders(ranged(Direction::Backward, 0, 2)?), vec![30, 28]);
                Ok::<_, AppError>(())
            })
            .unwrap();
    }
}
