//! What a read answers: one value, a list, or a page with the token of
//! the next; the read limit, and the tokens that say where a page begins.

use crate::app::sds::values_json::ValuesJson;
use crate::app::AppError;
use crate::domain::sds::value_count::{ValueCount, MAX_ANSWER_BYTES, MAX_VALUES};
use base64::Engine;
use serde_json::Value;

/// SDS's cap on values in one read.
pub const READ_LIMIT: usize = MAX_VALUES;

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

/// 400: the values asked for pass the read limit or the answer's size bound.
pub(super) fn too_large(field: &str, resolution: &str) -> AppError {
    AppError::invalid(
        field,
        format!(
            "the values asked for are more than {READ_LIMIT} or {} MiB; {resolution}",
            MAX_ANSWER_BYTES >> 20
        ),
    )
}

pub(super) fn token_of(key: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key)
}

/// Where a continuation token says the next page begins.
pub(super) fn token_key(token: Option<String>) -> Result<Option<Vec<u8>>, AppError> {
    token
        .filter(|t| !t.is_empty())
        .map(|token| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(token.as_bytes())
                .map_err(|_| {
                    AppError::invalid("continuationToken", "is not a token this service issued")
                })
        })
        .transpose()
}

/// A window's answer: a page with `count`, else all its values, which
/// must not need another page.
pub(super) fn window_answer(
    count: Option<ValueCount>,
    results: ValuesJson,
    next: Option<String>,
) -> Result<Answer, AppError> {
    match count {
        Some(_) => Ok(Answer::Page {
            results,
            token: next,
        }),
        None if next.is_some() => Err(too_large("endIndex", "read it in pages with count")),
        None => Ok(Answer::Values(results)),
    }
}
