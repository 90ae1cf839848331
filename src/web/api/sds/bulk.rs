//! `.../Bulk/Streams/Data/Joins`: the windows of several streams joined by
//! index (`SdsJoinMode`), read as one tenant's own streams or, with a
//! `community-id` header or the community's mount, as streams shared with
//! the caller.

use super::read_params::JoinParams;
use super::request::{Namespace, Query};
use crate::app::sds::data::{self, JoinRead};
use crate::app::AppError;
use crate::domain::sds::join::JoinMode;
use crate::web::extract::{context, ApiCaller};
use crate::web::route_table::{Mount, RouteTable};
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse};

/// Under each of the mounts it answers at (see `super::operations`).
pub fn operations(table: &mut RouteTable, mount: Mount) {
    table.add::<__path_joins, _, _>(mount, joins);
}

fn required(query: &Query, name: &str, field: &str) -> Result<String, AppError> {
    query
        .get(name)
        .map(str::to_string)
        .ok_or_else(|| AppError::invalid(field, "is required"))
}

/// Joined windows of several streams
///
/// An array of rows in index order: for Inner, Outer and Interpolated, each
/// row an array of one value (or null) per stream, in the order of
/// `streams`; for
/// MergeLeft and MergeRight, each row one value.
#[utoipa::path(get, path = "/Bulk/Streams/Data/Joins", params(JoinParams),
    responses((status = 200, description = "The joined values", body = serde_json::Value)))]
async fn joins(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let query = Query::of(&req);
    let ids: Vec<String> = query
        .get("streams")
        .unwrap_or_default()
        .split(',')
        .map(|id| id.trim().to_string())
        .collect();
    let mode = match query.get("joinmode").filter(|m| !m.trim().is_empty()) {
        None => JoinMode::Outer,
        Some(m) => JoinMode::parse(m).map_err(|e| AppError::invalid("joinMode", e.to_string()))?,
    };
    let what = JoinRead {
        start: required(&query, "startindex", "startIndex")?,
        end: required(&query, "endindex", "endIndex")?,
        mode,
        count: query.value_count("count")?,
        filter: query.filter()?,
    };
    let json = data::join(&ctx, ns.target(&caller)?, ids, what).await?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(json))
}
