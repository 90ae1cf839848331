//! What a stream's page shows of its values, for its owner and for a
//! partner reading through a community alike: the latest values and a
//! window the visitor chooses, as tables and a chart. Every read goes
//! through `data::read` with the target it is given, so the page sees
//! exactly what the API would answer that visitor.

use super::chart::{self, Series};
use crate::app::sds::data::{self, Answer, Read};
use crate::app::sds::stream_access::Target;
use crate::app::sds::streams;
use crate::app::AppError;
use crate::domain::sds::index_key::{self, parse_time};
use crate::domain::sds::sds_type::SdsType;
use crate::domain::sds::stream::SdsStream;
use crate::domain::sds::type_code;
use crate::domain::sds::value_count::ValueCount;
use crate::web::pages::render::{sentence, Failure, Portal};
use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How many of the newest values the page lists.
pub const LATEST: usize = 20;
/// The most rows a window's table lists; the chart draws the whole window.
pub const TABLE_ROWS: usize = 1000;

/// The window form's fields, named as the API's window read names them.
#[derive(Deserialize, Default, Clone)]
pub struct WindowQuery {
    #[serde(rename = "startIndex")]
    pub start: Option<String>,
    #[serde(rename = "endIndex")]
    pub end: Option<String>,
}

impl WindowQuery {
    fn given(text: &Option<String>) -> Option<&str> {
        text.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }

    /// The window asked for, or a 400 naming the field that is wrong.
    fn bounds(&self, stream: &SdsStream) -> Result<Option<(String, String)>, AppError> {
        let (start, end) = match (Self::given(&self.start), Self::given(&self.end)) {
            (None, None) => return Ok(None),
            (Some(_), None) => return Err(AppError::invalid("endIndex", "give an end index")),
            (None, Some(_)) => return Err(AppError::invalid("startIndex", "give a start index")),
            (Some(s), Some(e)) => (s, e),
        };
        let key = |field: &str, text: &str| {
            index_key::of_text(&stream.keys, text)
                .map_err(|e| AppError::invalid(field, e.to_string()))
        };
        if key("startIndex", start)? > key("endIndex", end)? {
            return Err(AppError::invalid(
                "endIndex",
                "the end index comes before the start index; give them the other way round",
            ));
        }
        Ok(Some((start.to_string(), end.to_string())))
    }
}

#[derive(Serialize)]
struct Table {
    rows: Vec<Vec<String>>,
    /// Values in the window, when the table lists fewer.
    total: usize,
}

/// The type's properties as the page shows them: every one as a column,
/// the numeric ones that are not the index as chart lines.
struct Columns {
    all: Vec<String>,
    numeric: Vec<String>,
    index: Option<String>,
}

fn is_numeric(code: u16) -> bool {
    // SByte to Decimal, and their nullable forms.
    (5..=15).contains(&code) || (105..=115).contains(&code)
}

fn property_code(p: &Value) -> Option<u16> {
    let direct = p.get("SdsTypeCode").and_then(type_code::parse);
    direct.or_else(|| {
        p.get("SdsType")
            .and_then(|t| t.get("SdsTypeCode"))
            .and_then(type_code::parse)
    })
}

impl Columns {
    fn of(sds_type: &SdsType, stream: &SdsStream, first: Option<&Value>) -> Self {
        let properties: Vec<Value> = serde_json::from_str(&sds_type.properties).unwrap_or_default();
        let index = stream.keys.first().map(|k| k.property.clone());
        let mut all = Vec::new();
        let mut numeric = Vec::new();
        for p in &properties {
            let Some(id) = p.get("Id").and_then(Value::as_str) else {
                continue;
            };
            all.push(id.to_string());
            let is_key = stream.keys.iter().any(|k| k.property == id);
            if !is_key && property_code(p).is_some_and(is_numeric) {
                numeric.push(id.to_string());
            }
        }
        if all.is_empty() {
            // A type without listed properties: the values' own fields.
            if let Some(Value::Object(o)) = first {
                all = o.keys().cloned().collect();
            }
        }
        Self {
            all,
            numeric,
            index,
        }
    }

    fn row(&self, value: &Value) -> Vec<String> {
        self.all
            .iter()
            .map(|c| match value.get(c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            })
            .collect()
    }

    /// Each numeric property against the index (a number or a time; the
    /// value's place in the window otherwise).
    fn series(&self, values: &[Value]) -> Vec<Series> {
        let index_of = |i: usize, v: &Value| -> Option<f64> {
            let at = v.get(self.index.as_deref()?)?;
            match at {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => parse_time(s).map(|t| t.timestamp_millis() as f64),
                _ => None,
            }
            .or(Some(i as f64))
        };
        self.numeric
            .iter()
            .map(|name| Series {
                name: name.clone(),
                points: values
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| Some((index_of(i, v)?, v.get(name)?.as_f64()?)))
                    .collect(),
            })
            .collect()
    }
}

fn values_of(answer: Answer) -> Result<Vec<Value>, AppError> {
    match answer {
        Answer::Values(found) => serde_json::from_slice(&found.into_bytes())
            .map_err(|e| AppError::Unexpected(format!("stored values are not JSON: {e}"))),
        Answer::Page { results, .. } => values_of(Answer::Values(results)),
        Answer::One(v) => Ok(v.into_iter().collect()),
    }
}

fn latest_read() -> Read {
    Read::Range {
        start: None,
        skip: 0,
        count: ValueCount::new(LATEST).unwrap_or_else(|_| ValueCount::range_default()),
        reversed: true,
        filter: None,
    }
}

/// The stream, its latest values and the window asked for, into `page`;
/// the status is 400 when the window was refused (the page says why next
/// to the form).
pub async fn fill(
    p: &Portal,
    page: &mut tera::Context,
    target: Target,
    id: &str,
    q: &WindowQuery,
) -> Result<(SdsStream, StatusCode), Failure> {
    let ctx = &p.ctx;
    let stream = streams::get(ctx, target.clone(), id.to_string()).await?;
    let sds_type = streams::get_type(ctx, target.clone(), id.to_string()).await?;
    let latest = values_of(data::read(ctx, target.clone(), id.to_string(), latest_read()).await?)?;
    let window = match q.bounds(&stream) {
        Ok(None) => Ok(None),
        Ok(Some((start, end))) => {
            let read = Read::Window {
                start,
                end,
                count: None,
                token: None,
                filter: None,
            };
            match data::read(ctx, target, id.to_string(), read).await {
                Ok(answer) => values_of(answer).map(Some),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    };
    let columns = Columns::of(&sds_type, &stream, latest.first());
    page.insert("stream_name", &stream.name);
    page.insert("stream_id", &stream.id);
    page.insert("namespace", &stream.namespace);
    page.insert("type_id", &stream.type_id);
    page.insert("columns", &columns.all);
    page.insert("chartable", &!columns.numeric.is_empty());
    page.insert(
        "latest",
        &latest.iter().map(|v| columns.row(v)).collect::<Vec<_>>(),
    );
    page.insert("start_index", &q.start.clone().unwrap_or_default());
    page.insert("window_field", "");
    page.insert("window_error", "");
    page.insert("sharer", "");
    page.insert("owner_view", &false);
    page.insert("end_index", &q.end.clone().unwrap_or_default());
    let status = match window {
        Ok(None) => StatusCode::OK,
        Ok(Some(values)) => {
            let table = Table {
                rows: values
                    .iter()
                    .take(TABLE_ROWS)
                    .map(|v| columns.row(v))
                    .collect(),
                total: values.len(),
            };
            page.insert("window", &table);
            page.insert("chart", &chart::draw(columns.series(&values)));
            StatusCode::OK
        }
        Err(AppError::Invalid { field, reason }) => {
            page.insert("window_field", &field);
            page.insert("window_error", &sentence(&reason));
            StatusCode::BAD_REQUEST
        }
        Err(other) => return Err(other.into()),
    };
    Ok((stream, status))
}
