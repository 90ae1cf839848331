//! `Data/Sampled`: a range divided into `intervals` equal intervals; for
//! each, the stored events holding the first, last, smallest and largest
//! value of each `sampleBy` property, once each, in index order, with the
//! events the boundary types add at the range's ends. One forward walk;
//! an event is copied only when it takes a role.

use super::range_scan::{counted_read, neighbour, walk, Range, MAX_INTERVALS};
use super::READ_LIMIT;
use crate::app::sds::stream_access::Target;
use crate::app::sds::values_json::ValuesJson;
use crate::app::{AppError, Context};
use crate::domain::sds::boundary::BoundaryType as Boundary;
use crate::domain::sds::filter::Filter;
use crate::domain::sds::number_fields;
use crate::domain::sds::sampling::{PropertySample, ROLES};
use crate::domain::sds::sds_type::SdsType;
use crate::domain::sds::stream::SdsStream;
use crate::domain::sds::summarised;
use crate::store::sds_values::{self, Direction};
use crate::store::Readable;
use serde_json::Value;

/// The most `sampleBy` properties one read names.
pub const MAX_SAMPLE_BY: usize = 64;

/// What `Data/Sampled` asks.
#[derive(Clone, Debug)]
pub struct SampleQuery {
    pub start: String,
    pub end: String,
    pub intervals: usize,
    pub sample_by: Vec<String>,
    pub start_boundary: Boundary,
    pub end_boundary: Boundary,
    /// Only the stored values it keeps are sampled (and interpolated
    /// between at the ends).
    pub filter: Option<Filter>,
}

pub async fn sampled(
    ctx: &Context,
    target: Target,
    id: String,
    query: SampleQuery,
) -> Result<Vec<u8>, AppError> {
    counted_read(ctx, target, id, move |tx, stream, sds_type| {
        sample(tx, stream, &sds_type, &query)
    })
    .await
}

/// The `sampleBy` properties as the type spells them: numeric value
/// properties that interpolate, each named once.
fn sampling_properties(
    stream: &SdsStream,
    sds_type: &SdsType,
    asked: &[String],
) -> Result<Vec<String>, AppError> {
    if asked.is_empty() {
        return Err(AppError::invalid("sampleBy", "is required"));
    }
    if asked.len() > MAX_SAMPLE_BY {
        return Err(AppError::invalid(
            "sampleBy",
            format!("names at most {MAX_SAMPLE_BY} properties"),
        ));
    }
    let known = summarised::properties(sds_type, stream);
    let mut names: Vec<String> = Vec::new();
    for name in asked {
        let found = known
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                AppError::invalid(
                    "sampleBy",
                    format!(
                        "'{}' is not a numeric property of the stream's type that interpolates",
                        name.chars().take(64).collect::<String>()
                    ),
                )
            })?;
        if !names.contains(&found.id) {
            names.push(found.id.clone());
        }
    }
    Ok(names)
}

/// The answer's JSON text, and how many stored values it read.
pub fn sample(
    tx: &impl Readable,
    stream: &SdsStream,
    sds_type: &SdsType,
    query: &SampleQuery,
) -> Result<(Vec<u8>, u64), AppError> {
    let intervals = query.intervals;
    if !(1..=MAX_INTERVALS).contains(&intervals) {
        return Err(AppError::invalid(
            "intervals",
            format!("must be a whole number from 1 to {MAX_INTERVALS}"),
        ));
    }
    let names = sampling_properties(stream, sds_type, &query.sample_by)?;
    if intervals * ROLES * names.len() + 2 > READ_LIMIT {
        return Err(AppError::invalid(
            "intervals",
            format!(
                "{intervals} intervals of {} properties may answer more than {READ_LIMIT} events",
                names.len()
            ),
        ));
    }
    let range = Range::new(stream, sds_type, &query.start, &query.end)?;
    let edges: Vec<Vec<u8>> = range
        .edges(intervals)?
        .iter()
        .map(|e| e.key().to_vec())
        .collect();
    let filter = query.filter.as_ref();
    let ends = Ends {
        tx,
        stream,
        range: &range,
        filter,
    };
    let mut answer = Answer::default();
    ends.start(query.start_boundary, &mut answer)?;
    let mut pass = Pass::new(names, edges);
    let (from, to) = (range.start.key().to_vec(), range.end.key().to_vec());
    let read = walk(tx, stream, (&from, &to), filter, |key, json| {
        pass.stored(key, json, &mut answer)
    })?;
    pass.close(&mut answer)?;
    ends.end(query.end_boundary, &mut answer)?;
    Ok((answer.values.into_bytes(), read))
}

/// The events answered so far, in index order, each once.
#[derive(Default)]
struct Answer {
    values: ValuesJson,
    last_key: Option<Vec<u8>>,
}

impl Answer {
    fn push(&mut self, key: &[u8], json: &[u8]) -> Result<(), AppError> {
        if self.last_key.as_deref() == Some(key) {
            return Ok(());
        }
        if !self.values.fits(json) {
            return Err(AppError::invalid(
                "intervals",
                "the sampled events are larger than an answer may be; ask for fewer intervals",
            ));
        }
        self.values.push(json);
        self.last_key = Some(key.to_vec());
        Ok(())
    }
}

/// The events the boundary types add at the range's ends.
struct Ends<'a, R: Readable> {
    tx: &'a R,
    stream: &'a SdsStream,
    range: &'a Range,
    filter: Option<&'a Filter>,
}

impl<R: Readable> Ends<'_, R> {
    fn start(&self, boundary: Boundary, answer: &mut Answer) -> Result<(), AppError> {
        self.add(
            boundary,
            self.range.start.key(),
            Direction::Backward,
            answer,
        )
    }

    fn end(&self, boundary: Boundary, answer: &mut Answer) -> Result<(), AppError> {
        self.add(boundary, self.range.end.key(), Direction::Forward, answer)
    }

    fn add(
        &self,
        boundary: Boundary,
        key: &[u8],
        outward: Direction,
        answer: &mut Answer,
    ) -> Result<(), AppError> {
        let event = match boundary {
            Boundary::Exact | Boundary::Inside => None,
            Boundary::Outside => self.neighbour(key, outward)?,
            Boundary::ExactOrCalculated => self.at(key)?,
        };
        let Some(event) = event else { return Ok(()) };
        let Some(index) = self.range.interpolator.index_of_value(&event) else {
            return Ok(());
        };
        answer.push(index.key(), event.to_string().as_bytes())
    }

    fn neighbour(&self, key: &[u8], direction: Direction) -> Result<Option<Value>, AppError> {
        neighbour(self.tx, self.stream, key, direction, self.filter)
    }

    /// The event at a range end: the stored one if kept, else interpolated.
    fn at(&self, key: &[u8]) -> Result<Option<Value>, AppError> {
        let Some(index) = self.range.interpolator.index_of_key(key.to_vec()) else {
            return Ok(None);
        };
        let stored = sds_values::get(self.tx, self.stream.storage, key)?
            .filter(|v| self.filter.is_none_or(|f| f.matches(v)));
        if stored.is_some() {
            return Ok(stored);
        }
        let before = self.neighbour(key, Direction::Backward)?;
        let after = self.neighbour(key, Direction::Forward)?;
        Ok(self
            .range
            .interpolator
            .at(&index, before.as_ref(), after.as_ref()))
    }
}

/// Whether a role is taken in the open interval, and the key and text of
/// the event holding it.
type Holder = (bool, Vec<u8>, Vec<u8>);

/// The walk's state: the open interval's samples and the events holding
/// their roles (one buffer per property and role, reused).
struct Pass {
    /// The sampled properties' numbers of the stored value at hand.
    fields: number_fields::Reader,
    edges: Vec<Vec<u8>>,
    /// The open interval.
    interval: usize,
    samples: Vec<PropertySample>,
    /// By property, then role: (taken, key, text).
    holders: Vec<[Holder; ROLES]>,
}

impl Pass {
    fn new(names: Vec<String>, edges: Vec<Vec<u8>>) -> Self {
        let n = names.len();
        Self {
            samples: vec![PropertySample::default(); n],
            holders: (0..n).map(|_| Default::default()).collect(),
            fields: number_fields::Reader::new(names),
            edges,
            interval: 0,
        }
    }

    fn stored(&mut self, key: &[u8], json: &[u8], answer: &mut Answer) -> Result<(), AppError> {
        // Intervals hold their start; the last holds the range's end too.
        while self.interval + 2 < self.edges.len()
            && self.edges[self.interval + 1].as_slice() <= key
        {
            self.close(answer)?;
            self.interval += 1;
        }
        self.fields.read(json);
        for ((sample, holders), number) in self
            .samples
            .iter_mut()
            .zip(&mut self.holders)
            .zip(self.fields.numbers())
        {
            let Some(v) = number else { continue };
            for (holder, takes) in holders.iter_mut().zip(sample.observe(*v)) {
                if takes {
                    holder.0 = true;
                    holder.1.clear();
                    holder.1.extend_from_slice(key);
                    holder.2.clear();
                    holder.2.extend_from_slice(json);
                }
            }
        }
        Ok(())
    }

    /// Answers the open interval's events in index order, each once.
    fn close(&mut self, answer: &mut Answer) -> Result<(), AppError> {
        let mut events: Vec<(&[u8], &[u8])> = self
            .holders
            .iter()
            .flat_map(|roles| roles.iter())
            .filter(|(taken, _, _)| *taken)
            .map(|(_, key, json)| (key.as_slice(), json.as_slice()))
            .collect();
        events.sort_by(|a, b| a.0.cmp(b.0));
        for (key, json) in events {
            answer.push(key, json)?;
        }
        self.holders
            .iter_mut()
            .flat_map(|roles| roles.iter_mut())
            .for_each(|holder| holder.0 = false);
        self.samples.iter_mut().for_each(PropertySample::reset);
        Ok(())
    }
}
