//! Writes of stream values: each request one all-or-nothing transaction
//! of at most `WRITE_LIMIT` values, checked, decoded and keyed before it
//! queues for the commit thread.

use super::index_text::key_of_text;
use crate::app::sds::stream_access::{own_stream, Target};
use crate::app::{AppError, Context};
use crate::domain::sds::acl::rights;
use crate::domain::sds::index_key::{self, KeyPart};
use crate::domain::sds::stream::SdsStream;
use crate::store::sds_values;
use crate::store::{sds_streams, Lane, Readable};
use serde_json::Value;

/// Most values one request may write (or remove): each request is one
/// all-or-nothing transaction on the single commit thread, so its size
/// bounds how long it holds back every other tenant's writes.
pub const WRITE_LIMIT: usize = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// POST: new indexes only (409 if one exists).
    Insert,
    /// PUT: insert or overwrite.
    Update,
    /// PUT ?allowCreate=false: existing indexes only (404 otherwise).
    Replace,
}

/// (index key, value as JSON bytes) of each value of a request.
type Keyed = Vec<(Vec<u8>, Vec<u8>)>;

/// Bodies up to this size are decoded on the HTTP worker; larger ones on
/// the large-work threads (`app::large`), at lower priority, so one
/// tenant's bulk writes cannot take the CPU from others' small requests.
const DECODED_INLINE_BYTES: usize = 16 * 1024;

/// The values of a write body (JSON: an array, or one object) with their keys.
async fn decoded(ctx: &Context, keys: Vec<KeyPart>, body: Vec<u8>) -> Result<Keyed, AppError> {
    let inline = body.len() <= DECODED_INLINE_BYTES;
    let decode = move || {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(AppError::invalid("body", "a JSON body is required"));
        }
        let values: Value =
            serde_json::from_slice(&body).map_err(|e| AppError::invalid("body", e.to_string()))?;
        keyed(&keys, values)
    };
    if inline {
        decode()
    } else {
        crate::app::large::run(ctx, decode).await?
    }
}

fn keyed(keys: &[KeyPart], body: Value) -> Result<Keyed, AppError> {
    let values = match body {
        Value::Array(items) if items.len() > WRITE_LIMIT => {
            return Err(AppError::invalid(
                "body",
                format!(
                    "holds {} values; at most {WRITE_LIMIT} can be written in one request",
                    items.len()
                ),
            ))
        }
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => return Err(AppError::invalid("body", "must be a JSON array of values")),
    };
    let mut out = Vec::with_capacity(values.len());
    for (i, value) in values.into_iter().enumerate() {
        if !value.is_object() {
            return Err(AppError::invalid(
                format!("[{i}]"),
                "each value must be a JSON object",
            ));
        }
        let key = index_key::of_value(keys, &value)
            .map_err(|e| AppError::invalid(format!("[{i}]"), e.to_string()))?;
        let json = serde_json::to_vec(&value).map_err(|e| AppError::Unexpected(e.to_string()))?;
        out.push((key, json));
    }
    Ok(out)
}

pub async fn write(
    ctx: &Context,
    target: Target,
    id: String,
    body: Vec<u8>,
    mode: WriteMode,
) -> Result<(), AppError> {
    let now = ctx.clock.now();
    // Rights first; then the body is decoded, keyed and encoded here, not
    // on the commit thread every tenant's writes wait for.
    let (storage, keys) = writable(ctx, &target, &id).await?;
    let values = decoded(ctx, keys.clone(), body).await?;
    if mode == WriteMode::Insert {
        refuse_repeats(&values)?;
    }
    let lane = Lane::Tenant(target.tenant);
    ctx.store
        .write_in(lane, values.len() as u64, move |tx| {
            let (_, mut stream) = own_stream(tx, &target, &id, rights::WRITE)?;
            if stream.storage != storage || stream.keys != keys {
                return Err(AppError::conflict(format!(
                    "stream '{}' was replaced or changed its type during this write; send it again",
                    stream.id
                )));
            }
            let pairs = values.iter().map(|(k, v)| (k.as_slice(), v.as_slice()));
            // A refusal aborts the transaction: nothing of the request stays.
            sds_values::put_each(tx, stream.storage, pairs, |i, replaced| match mode {
                WriteMode::Insert if replaced => Err(AppError::conflict(format!(
                    "value [{i}]: stream '{}' already has a value at that index; use PUT to update it",
                    stream.id
                ))),
                WriteMode::Replace if !replaced => Err(AppError::not_found(format!(
                    "value [{i}]: stream '{}' has no value at that index to replace",
                    stream.id
                ))),
                _ => Ok(()),
            })?;
            stream.last_write = Some(now);
            sds_streams::put(tx, target.tenant, &stream)?;
            Ok(())
        })
        .await
}

/// An insert names each index once.
fn refuse_repeats(values: &Keyed) -> Result<(), AppError> {
    let mut seen = std::collections::HashSet::with_capacity(values.len());
    for (i, (key, _)) in values.iter().enumerate() {
        if !seen.insert(key.as_slice()) {
            return Err(AppError::conflict(format!(
                "value [{i}] repeats an index of this request"
            )));
        }
    }
    Ok(())
}

/// The storage and index of a stream the caller may write to.
async fn writable(
    ctx: &Context,
    target: &Target,
    id: &str,
) -> Result<(uuid::Uuid, Vec<KeyPart>), AppError> {
    let (target, id) = (target.clone(), id.to_string());
    ctx.store
        .read(move |tx| {
            let (_, stream) = own_stream(tx, &target, &id, rights::WRITE)?;
            Ok((stream.storage, stream.keys))
        })
        .await
}

/// What a DELETE of values names.
pub enum Removal {
    At(String),
    Window { start: String, end: String },
}

pub async fn remove(
    ctx: &Context,
    target: Target,
    id: String,
    what: Removal,
) -> Result<(), AppError> {
    let now = ctx.clock.now();
    let cost = match &what {
        Removal::At(_) => 1,
        Removal::Window { start, end } => {
            let (target, id) = (target.clone(), id.clone());
            let (start, end) = (start.clone(), end.clone());
            ctx.store
                .read(move |tx| {
                    let (_, stream) = own_stream(tx, &target, &id, rights::WRITE)?;
                    window_size(tx, &stream, &start, &end)
                })
                .await?
        }
    };
    ctx.store
        .write_in(Lane::Tenant(target.tenant), cost as u64, move |tx| {
            let (_, mut stream) = own_stream(tx, &target, &id, rights::WRITE)?;
            match &what {
                Removal::At(index) => {
                    let key = key_of_text(&stream.keys, "index", index)?;
                    if !sds_values::remove(tx, stream.storage, &key)? {
                        return Err(AppError::not_found(format!(
                            "stream '{}' has no value at index '{index}'",
                            stream.id
                        )));
                    }
                }
                Removal::Window { start, end } => {
                    // Bounded again as it goes: values may have come since.
                    if let Some((start, end)) = window_keys(&stream, start, end)? {
                        let window = (start.as_slice(), end.as_slice());
                        if sds_values::remove_window(tx, stream.storage, window, WRITE_LIMIT)?
                            .is_none()
                        {
                            return Err(window_too_large());
                        }
                    }
                }
            }
            stream.last_write = Some(now);
            sds_streams::put(tx, target.tenant, &stream)?;
            Ok(())
        })
        .await
}

/// How many values a removal of the window `start..=end` takes, refused
/// past `WRITE_LIMIT` as a write of that many would be.
fn window_size(
    tx: &impl Readable,
    stream: &SdsStream,
    start: &str,
    end: &str,
) -> Result<usize, AppError> {
    let Some((start, end)) = window_keys(stream, start, end)? else {
        return Ok(0);
    };
    let found = sds_values::count_window(tx, stream.storage, &start, &end, WRITE_LIMIT + 1)?;
    if found > WRITE_LIMIT {
        return Err(window_too_large());
    }
    Ok(found)
}

/// A window's first and last keys.
type WindowKeys = (Vec<u8>, Vec<u8>);

/// The keys of a window's bounds; `None` for a window with its end before
/// its start, which holds nothing.
fn window_keys(stream: &SdsStream, start: &str, end: &str) -> Result<Option<WindowKeys>, AppError> {
    let start = key_of_text(&stream.keys, "startIndex", start)?;
    let end = key_of_text(&stream.keys, "endIndex", end)?;
    Ok((start <= end).then_some((start, end)))
}

fn window_too_large() -> AppError {
    AppError::invalid(
        "endIndex",
        format!("the window holds more than {WRITE_LIMIT} values; remove it in smaller windows"),
    )
}
