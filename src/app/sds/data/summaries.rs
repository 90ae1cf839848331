//! `Data/Summaries`: a range divided into `count` equal intervals, each
//! answered as SDS's `SdsInterval` (`Start` and `End` events, interpolated
//! where nothing is stored, and `Summaries` by summary type, then by
//! property). One forward walk over the range's stored values, each read
//! and its numbers parsed once; the events at interval edges are
//! interpolated from the values on either side as the walk passes them,
//! plus one seek before the range and one after it.

use super::range_scan::{
    counted_read, event_or_index, neighbour, parse, walk, Range, MAX_INTERVALS,
};
use super::READ_LIMIT;
use crate::app::sds::stream_access::Target;
use crate::app::{AppError, Context};
use crate::domain::sds::filter::Filter;
use crate::domain::sds::interpolation::Index;
use crate::domain::sds::number_fields;
use crate::domain::sds::sds_type::SdsType;
use crate::domain::sds::stream::SdsStream;
use crate::domain::sds::summarised::{self, Summarised};
use crate::domain::sds::summary::{PropertySummary, SUMMARY_TYPES};
use crate::domain::sds::value_count::MAX_ANSWER_BYTES;
use crate::store::sds_values::Direction;
use crate::store::Readable;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;

/// What `Data/Summaries` asks.
#[derive(Clone, Debug)]
pub struct SummaryQuery {
    pub start: String,
    pub end: String,
    /// How many intervals: 1 to `MAX_INTERVALS`.
    pub count: usize,
    /// Only the stored values it keeps are summarised (and interpolated
    /// between at the edges).
    pub filter: Option<Filter>,
}

impl SummaryQuery {
    pub fn check_count(count: usize) -> Result<usize, AppError> {
        if (1..=MAX_INTERVALS).contains(&count) {
            Ok(count)
        } else {
            Err(AppError::invalid(
                "count",
                format!("must be a whole number from 1 to {MAX_INTERVALS}"),
            ))
        }
    }
}

pub async fn summaries(
    ctx: &Context,
    target: Target,
    id: String,
    query: SummaryQuery,
) -> Result<Vec<u8>, AppError> {
    counted_read(ctx, target, id, move |tx, stream, sds_type| {
        summarise(tx, stream, &sds_type, &query)
    })
    .await
}

/// The answer's JSON text, and how many stored values it read.
pub fn summarise(
    tx: &impl Readable,
    stream: &SdsStream,
    sds_type: &SdsType,
    query: &SummaryQuery,
) -> Result<(Vec<u8>, u64), AppError> {
    let count = SummaryQuery::check_count(query.count)?;
    let range = Range::new(stream, sds_type, &query.start, &query.end)?;
    let properties = summarised::properties(sds_type, stream);
    if count * (properties.len() + 1) > READ_LIMIT {
        return Err(AppError::invalid(
            "count",
            format!(
                "{count} intervals of {} properties are more than {READ_LIMIT} summaries; ask for fewer intervals",
                properties.len()
            ),
        ));
    }
    let edges = range.edges(count)?;
    let filter = query.filter.as_ref();
    let before = neighbour(tx, stream, range.start.key(), Direction::Backward, filter)?;
    let mut pass = Pass::new(&range, &properties, edges, before);
    let (from, to) = (range.start.key().to_vec(), range.end.key().to_vec());
    let read = walk(tx, stream, (&from, &to), filter, |key, json| {
        pass.stored(key, json)
    })?;
    let after = neighbour(tx, stream, &to, Direction::Forward, filter)?;
    Ok((pass.finish(after.as_ref())?, read))
}

/// The walk's state: the open interval's statistics, the last stored
/// value (for the next edge's event), and the answer so far.
struct Pass<'r> {
    range: &'r Range,
    properties: &'r [Summarised],
    /// The summarised properties' numbers of the stored value at hand.
    fields: number_fields::Reader,
    edges: Vec<Index>,
    edge_at: Vec<f64>,
    /// The first edge whose event is not known yet.
    next_edge: usize,
    open: Vec<PropertySummary>,
    index_count: u64,
    start_event: Value,
    last: Last,
    out: Vec<u8>,
}

/// The last stored value walked past: the one before the range until the
/// walk reads one, then the last read, as text (one buffer, reused).
struct Last {
    before: Option<Value>,
    text: Vec<u8>,
}

impl<'r> Pass<'r> {
    fn new(
        range: &'r Range,
        properties: &'r [Summarised],
        edges: Vec<Index>,
        before: Option<Value>,
    ) -> Self {
        let edge_at = edges.iter().map(|e| range.position(e.key())).collect();
        Self {
            range,
            properties,
            fields: number_fields::Reader::new(properties.iter().map(|p| p.id.clone()).collect()),
            edges,
            edge_at,
            next_edge: 0,
            open: Vec::new(),
            index_count: 0,
            start_event: Value::Null,
            last: Last {
                before,
                text: Vec::new(),
            },
            out: b"[".to_vec(),
        }
    }

    /// One stored value of the range, in index order.
    fn stored(&mut self, key: &[u8], json: &[u8]) -> Result<(), AppError> {
        self.fields.read(json);
        let at = self.range.position(key);
        let mut exact = false;
        // An edge placed past `at` lies past `key` too, so only the others
        // need their keys compared (a NaN place compares them all).
        while self.next_edge < self.edges.len()
            && self.edge_at[self.next_edge].partial_cmp(&at) != Some(Ordering::Greater)
            && self.edges[self.next_edge].key() <= key
        {
            exact = self.edges[self.next_edge].key() == key;
            let event = if exact {
                parse(json)?
            } else {
                let after = parse(json)?;
                let before = self.last_value()?;
                let edge = &self.edges[self.next_edge];
                let found = self
                    .range
                    .interpolator
                    .at(edge, before.as_ref(), Some(&after));
                event_or_index(self.range, edge, found)
            };
            self.cross(event, exact)?;
        }
        if !self.open.is_empty() {
            self.index_count += 1;
            for (summary, number) in self.open.iter_mut().zip(self.fields.numbers()) {
                summary.stored(*number);
                if !exact {
                    summary.point(at, *number);
                }
            }
        }
        self.last.text.clear();
        self.last.text.extend_from_slice(json);
        Ok(())
    }

    fn last_value(&self) -> Result<Option<Value>, AppError> {
        if self.last.text.is_empty() {
            return Ok(self.last.before.clone());
        }
        parse(&self.last.text).map(Some)
    }

    /// The walk reaches edge `next_edge`, whose event is `event` (a stored
    /// value when `exact`, counted in the interval it closes too): the open
    /// interval ends there and the next begins.
    fn cross(&mut self, event: Value, exact: bool) -> Result<(), AppError> {
        let j = self.next_edge;
        let at = self.edge_at[j];
        let numbers: Vec<Option<f64>> = if exact {
            self.fields.numbers().to_vec()
        } else {
            self.fields
                .names()
                .iter()
                .map(|n| number_of(&event, n))
                .collect()
        };
        if j > 0 {
            if exact {
                self.index_count += 1;
            }
            for (summary, number) in self.open.iter_mut().zip(&numbers) {
                if exact {
                    summary.stored(*number);
                }
                summary.point(at, *number);
            }
            self.write_interval(&event)?;
        }
        if j + 1 < self.edges.len() {
            self.open = self
                .properties
                .iter()
                .map(|p| PropertySummary::new(p.holding))
                .collect();
            self.index_count = 0;
            for (summary, number) in self.open.iter_mut().zip(&numbers) {
                summary.point(at, *number);
            }
            self.start_event = event;
        } else {
            self.open.clear();
        }
        self.next_edge += 1;
        Ok(())
    }

    /// The edges past the last stored value of the range, interpolated
    /// towards `after` (the first value after the range); the answer.
    fn finish(mut self, after: Option<&Value>) -> Result<Vec<u8>, AppError> {
        while self.next_edge < self.edges.len() {
            let before = self.last_value()?;
            let edge = &self.edges[self.next_edge];
            let found = self.range.interpolator.at(edge, before.as_ref(), after);
            let event = event_or_index(self.range, edge, found);
            self.cross(event, false)?;
        }
        self.out.push(b']');
        Ok(self.out)
    }

    fn write_interval(&mut self, end: &Value) -> Result<(), AppError> {
        let mut by_type: Vec<Map<String, Value>> = vec![Map::new(); SUMMARY_TYPES.len()];
        by_type[0].insert(self.range.index_property.clone(), json!(self.index_count));
        for (property, summary) in self.properties.iter().zip(&self.open) {
            for (i, stat) in summary.finish().into_iter().enumerate() {
                let value = match (i, stat) {
                    (0, Some(n)) => json!(n as u64),
                    (_, Some(x)) => json!(x),
                    (_, None) => Value::Null,
                };
                by_type[i].insert(property.id.clone(), value);
            }
        }
        let summaries: Map<String, Value> = SUMMARY_TYPES
            .iter()
            .zip(by_type)
            .map(|(name, values)| (name.to_string(), Value::Object(values)))
            .collect();
        let interval = json!({"Start": self.start_event, "End": end, "Summaries": summaries});
        if self.out.len() > 1 {
            self.out.push(b',');
        }
        serde_json::to_writer(&mut self.out, &interval)
            .map_err(|e| AppError::Unexpected(format!("a summary could not be written: {e}")))?;
        if self.out.len() > MAX_ANSWER_BYTES {
            return Err(AppError::invalid(
                "count",
                "the summaries are larger than an answer may be; ask for fewer intervals",
            ));
        }
        Ok(())
    }
}

/// A property of an event as a number, by id in any case.
fn number_of(event: &Value, id: &str) -> Option<f64> {
    let object = event.as_object()?;
    object
        .get(id)
        .or_else(|| {
            object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(id))
                .map(|(_, v)| v)
        })
        .and_then(Value::as_f64)
}
