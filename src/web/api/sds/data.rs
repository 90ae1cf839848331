//! `.../Streams/{id}/Data`: writes (insert, update, replace, remove) and
//! reads (index, first, last, window, Transform range).

use super::boundaries::with_boundaries;
use super::read_params::{RangeParams, WindowParams};
use super::request::Namespace;
use super::request::Query;
use crate::app::sds::data::{self, Answer, Read, Removal, WriteMode};
use crate::app::AppError;
use crate::domain::sds::value_count::ValueCount;
use crate::web::extract::{context, ApiBody, ApiCaller};
use crate::web::path::StreamPath;
use crate::web::route_table::{Mount, RouteTable};
use actix_web::http::header::ContentType;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;

/// Under each of the mounts it answers at (see `super::operations`).
pub fn operations(table: &mut RouteTable, mount: Mount) {
    table.add::<__path_read, _, _>(mount, read);
    table.add::<__path_insert, _, _>(mount, insert);
    table.add::<__path_update, _, _>(mount, update);
    table.add::<__path_remove, _, _>(mount, remove);
    table.add::<__path_first, _, _>(mount, first);
    table.add::<__path_last, _, _>(mount, last);
    table.add::<__path_transform, _, _>(mount, transform);
}

fn answer(found: Answer) -> Result<HttpResponse, AppError> {
    match found {
        Answer::One(v) => Ok(HttpResponse::Ok().json(v.unwrap_or(Value::Null))),
        Answer::Values(values) => Ok(HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(values.into_bytes())),
        Answer::Page { results, token } => {
            let token = serde_json::to_vec(&token)
                .map_err(|e| AppError::Unexpected(format!("a token could not be written: {e}")))?;
            let after = [b",\"ContinuationToken\":".as_slice(), &token, b"}"].concat();
            Ok(json_text(vec![
                b"{\"Results\":".to_vec(),
                results.into_bytes(),
                after,
            ]))
        }
    }
}

/// 200 with JSON text made of `parts`, sent one after the other: a page's
/// values are not copied again to wrap them.
fn json_text(parts: Vec<Vec<u8>>) -> HttpResponse {
    let chunks = parts
        .into_iter()
        .map(|p| Ok::<_, std::convert::Infallible>(Bytes::from(p)));
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .streaming(futures_util::stream::iter(chunks))
}

pub(super) async fn run(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    what: Read,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = data::read(&ctx, ns.target(&caller)?, path.stream, what).await?;
    answer(found)
}

fn required(query: &Query, name: &str) -> Result<String, AppError> {
    query
        .get(name)
        .map(str::to_string)
        .ok_or_else(|| AppError::invalid(name, "is required"))
}

/// Read events
#[utoipa::path(get, path = "/Streams/{streamId}/Data", params(StreamPath, WindowParams),
    responses((status = 200, description = "The events", body = serde_json::Value)))]
async fn read(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let query = Query::of(&req);
    let indexes = query.all("index");
    let what = if !indexes.is_empty() {
        // A filter applies to windows; values named by index are not filtered.
        query.refuse_filter()?;
        Read::At(indexes)
    } else {
        with_boundaries(&query, window(&query)?)?
    };
    run(req, caller, ns, path, what).await
}

fn window(query: &Query) -> Result<Read, AppError> {
    Ok(Read::Window {
        start: required(query, "startindex")?,
        end: required(query, "endindex")?,
        count: query.value_count("count")?,
        token: query.get("continuationtoken").map(str::to_string),
        filter: query.filter()?,
    })
}

at_path! {
    /// The first event
    #[utoipa::path(get, path = "/Streams/{streamId}/Data/First", params(StreamPath),
        responses((status = 200, description = "The event", body = serde_json::Value)))]
    first => run(ns: Namespace, path: StreamPath; Read::First)
}

at_path! {
    /// The last event
    #[utoipa::path(get, path = "/Streams/{streamId}/Data/Last", params(StreamPath),
        responses((status = 200, description = "The event", body = serde_json::Value)))]
    last => run(ns: Namespace, path: StreamPath; Read::Last)
}

/// Events of a range
///
/// `Transform?startIndex&endIndex` is a window; with `count` (and
/// optionally `skip`, `reversed`) and no end, a range from the start.
#[utoipa::path(get, path = "/Streams/{streamId}/Data/Transform", params(StreamPath, RangeParams),
    responses((status = 200, description = "The events", body = serde_json::Value)))]
async fn transform(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let query = Query::of(&req);
    let what = if query.get("endindex").is_some() {
        window(&query)?
    } else {
        Read::Range {
            start: query
                .get("startindex")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            skip: query.number("skip")?.unwrap_or(0),
            count: query
                .value_count("count")?
                .unwrap_or_else(ValueCount::range_default),
            reversed: query.flag("reversed")?,
            filter: query.filter()?,
        }
    };
    let what = with_boundaries(&query, what)?;
    run(req, caller, ns, path, what).await
}

async fn write(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    body: Vec<u8>,
    mode: WriteMode,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    data::write(&ctx, ns.target(&caller)?, path.stream, body, mode).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Insert events
#[utoipa::path(post, path = "/Streams/{streamId}/Data", params(StreamPath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn insert(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    body: ApiBody,
) -> Result<HttpResponse, AppError> {
    write(req, caller, ns, path, body.0, WriteMode::Insert).await
}

/// Replace events
#[utoipa::path(put, path = "/Streams/{streamId}/Data", params(StreamPath), request_body = serde_json::Value,
    responses((status = 204, description = "Stored")))]
async fn update(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
    body: ApiBody,
) -> Result<HttpResponse, AppError> {
    let create = Query::of(&req)
        .get("allowcreate")
        .map(str::to_ascii_lowercase);
    let mode = match create.as_deref() {
        None | Some("true") => WriteMode::Update,
        Some("false") => WriteMode::Replace,
        Some(_) => return Err(AppError::invalid("allowCreate", "must be true or false")),
    };
    write(req, caller, ns, path, body.0, mode).await
}

/// Remove events
#[utoipa::path(delete, path = "/Streams/{streamId}/Data", params(StreamPath),
    responses((status = 204, description = "Removed")))]
async fn remove(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let query = Query::of(&req);
    let what = match query.get("index") {
        Some(index) => Removal::At(index.to_string()),
        None => Removal::Window {
            start: required(&query, "startindex")?,
            end: required(&query, "endindex")?,
        },
    };
    data::remove(&ctx, ns.target(&caller)?, path.stream, what).await?;
    Ok(HttpResponse::NoContent().finish())
}
