//! `.../Streams/{id}/Data`: writes (insert, update, replace, remove) and
//! reads (index, first, last, window, Transform range).

use super::request::{segment, target, Query};
use crate::app::sds::data::{self, Answer, Read, Removal, WriteMode};
use crate::app::AppError;
use crate::web::extract::{context, ApiCaller, ApiJson};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

pub fn routes(cfg: &mut web::ServiceConfig, base: &str) {
    let data = format!("{base}/streams/{{streamId}}/data");
    cfg.service(
        web::resource(data.clone())
            .route(web::get().to(read))
            .route(web::post().to(insert))
            .route(web::put().to(update))
            .route(web::delete().to(remove)),
    )
    .service(web::resource(format!("{data}/first")).route(web::get().to(first)))
    .service(web::resource(format!("{data}/last")).route(web::get().to(last)))
    .service(web::resource(format!("{data}/transform")).route(web::get().to(transform)));
}

fn answer(found: Answer) -> HttpResponse {
    match found {
        Answer::One(v) => HttpResponse::Ok().json(v.unwrap_or(Value::Null)),
        Answer::Many(values) => HttpResponse::Ok().json(values),
        Answer::Page { results, token } => HttpResponse::Ok().json(json!({
            "Results": results,
            "ContinuationToken": token,
        })),
    }
}

async fn run(req: HttpRequest, caller: ApiCaller, what: Read) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let found = data::read(
        &ctx,
        target(&req, &caller)?,
        segment(&req, "streamId"),
        what,
    )
    .await?;
    Ok(answer(found))
}

fn required(query: &Query, name: &str) -> Result<String, AppError> {
    query
        .get(name)
        .map(str::to_string)
        .ok_or_else(|| AppError::invalid(name, "is required"))
}

async fn read(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let query = Query::of(&req);
    query.refuse_filter()?;
    let indexes = query.all("index");
    let what = if !indexes.is_empty() {
        Read::At(indexes)
    } else {
        window(&query)?
    };
    run(req, caller, what).await
}

fn window(query: &Query) -> Result<Read, AppError> {
    Ok(Read::Window {
        start: required(query, "startindex")?,
        end: required(query, "endindex")?,
        count: query.number("count")?.filter(|c| *c > 0),
        token: query.get("continuationtoken").map(str::to_string),
    })
}

async fn first(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    run(req, caller, Read::First).await
}

async fn last(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    run(req, caller, Read::Last).await
}

/// `Transform?startIndex&endIndex` is a window; with `count` (and
/// optionally `skip`, `reversed`) and no end, a range from the start.
async fn transform(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let query = Query::of(&req);
    query.refuse_filter()?;
    let what = if query.get("endindex").is_some() {
        window(&query)?
    } else {
        Read::Range {
            start: query
                .get("startindex")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            skip: query.number("skip")?.unwrap_or(0),
            count: query.number("count")?.unwrap_or(100).max(1),
            reversed: query.flag("reversed")?,
        }
    };
    run(req, caller, what).await
}

async fn write(
    req: HttpRequest,
    caller: ApiCaller,
    body: Value,
    mode: WriteMode,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    data::write(
        &ctx,
        target(&req, &caller)?,
        segment(&req, "streamId"),
        body,
        mode,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn insert(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    write(req, caller, body.0, WriteMode::Insert).await
}

async fn update(
    req: HttpRequest,
    caller: ApiCaller,
    body: ApiJson<Value>,
) -> Result<HttpResponse, AppError> {
    let create = Query::of(&req)
        .get("allowcreate")
        .map(str::to_ascii_lowercase);
    let mode = match create.as_deref() {
        None | Some("true") => WriteMode::Update,
        Some("false") => WriteMode::Replace,
        Some(_) => return Err(AppError::invalid("allowCreate", "must be true or false")),
    };
    write(req, caller, body.0, mode).await
}

async fn remove(req: HttpRequest, caller: ApiCaller) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let query = Query::of(&req);
    let what = match query.get("index") {
        Some(index) => Removal::At(index.to_string()),
        None => Removal::Window {
            start: required(&query, "startindex")?,
            end: required(&query, "endindex")?,
        },
    };
    data::remove(
        &ctx,
        target(&req, &caller)?,
        segment(&req, "streamId"),
        what,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
