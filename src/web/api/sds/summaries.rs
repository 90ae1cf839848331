//! `.../Streams/{id}/Data/Summaries` and `.../Data/Sampled` (and their
//! `Transform` forms, which AVEVA's client calls with a stream view):
//! statistics of a range's intervals, and the events that sample them.

use super::boundaries::boundary;
use super::request::{Namespace, Query};
use super::summary_params::{SampledParams, SummaryParams};
use crate::app::sds::data::sampled::{self as sampled_reads, SampleQuery};
use crate::app::sds::data::summaries::{self as summary_reads, SummaryQuery};
use crate::app::AppError;
use crate::web::extract::{context, ApiCaller};
use crate::web::path::StreamPath;
use crate::web::route_table::{Mount, RouteTable};
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse};

/// Under each of the mounts `data` answers at (see `super::operations`).
pub fn operations(table: &mut RouteTable, mount: Mount) {
    table.add::<__path_summaries, _, _>(mount, summaries);
    table.add::<__path_transform_summaries, _, _>(mount, transform_summaries);
    table.add::<__path_sampled, _, _>(mount, sampled);
    table.add::<__path_transform_sampled, _, _>(mount, transform_sampled);
}

fn required(query: &Query, name: &str) -> Result<String, AppError> {
    query
        .get(name)
        .filter(|v| !v.trim().is_empty())
        .map(str::to_string)
        .ok_or_else(|| AppError::invalid(name, "is required"))
}

/// Stream views are not part of this subset: refuse one rather than
/// answer in another shape than asked.
fn refuse_stream_view(query: &Query) -> Result<(), AppError> {
    for name in ["streamViewId", "stream_view_id"] {
        if query.get(name).is_some_and(|v| !v.trim().is_empty()) {
            return Err(AppError::invalid(name, "stream views are not supported"));
        }
    }
    Ok(())
}

fn whole(query: &Query, name: &str) -> Result<usize, AppError> {
    required(query, name)?
        .trim()
        .parse::<usize>()
        .map_err(|_| AppError::invalid(name, "must be a whole number"))
}

fn json(body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body)
}

async fn summarise(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let query = Query::of(&req);
    refuse_stream_view(&query)?;
    let asked = SummaryQuery {
        start: required(&query, "startIndex")?,
        end: required(&query, "endIndex")?,
        count: SummaryQuery::check_count(whole(&query, "count")?)?,
        filter: query.filter()?,
    };
    let ctx = context(&req)?;
    let body = summary_reads::summaries(&ctx, ns.target(&caller)?, path.stream, asked).await?;
    Ok(json(body))
}

at_path! {
    /// Summaries of a range's intervals
    ///
    /// `count` equal intervals from `startIndex` to `endIndex`, each with its
    /// `Start` and `End` events and the SDS summary types of each numeric
    /// property (see docs/sds-reads.md).
    #[utoipa::path(get, path = "/Streams/{streamId}/Data/Summaries", params(StreamPath, SummaryParams),
        responses((status = 200, description = "The intervals", body = serde_json::Value)))]
    summaries => summarise(ns: Namespace, path: StreamPath)
}

at_path! {
    /// Summaries of a range's intervals (the stream view form)
    #[utoipa::path(get, path = "/Streams/{streamId}/Data/Transform/Summaries", params(StreamPath, SummaryParams),
        responses((status = 200, description = "The intervals", body = serde_json::Value)))]
    transform_summaries => summarise(ns: Namespace, path: StreamPath)
}

/// `sampleBy`, repeated or comma-separated.
fn sample_by(query: &Query) -> Vec<String> {
    query
        .all("sampleBy")
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

async fn sample(
    req: HttpRequest,
    caller: ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let query = Query::of(&req);
    refuse_stream_view(&query)?;
    let both = boundary(&query, "boundaryType")?.unwrap_or_default();
    let asked = SampleQuery {
        start: required(&query, "startIndex")?,
        end: required(&query, "endIndex")?,
        intervals: whole(&query, "intervals")?,
        sample_by: sample_by(&query),
        start_boundary: boundary(&query, "startBoundaryType")?.unwrap_or(both),
        end_boundary: boundary(&query, "endBoundaryType")?.unwrap_or(both),
        filter: query.filter()?,
    };
    let ctx = context(&req)?;
    let body = sampled_reads::sampled(&ctx, ns.target(&caller)?, path.stream, asked).await?;
    Ok(json(body))
}

at_path! {
    /// Events sampling a range's intervals
    ///
    /// For each of `intervals` equal intervals, the stored events with the
    /// first, last, smallest and largest value of each `sampleBy` property,
    /// once each, in index order, with the boundary types' events.
    #[utoipa::path(get, path = "/Streams/{streamId}/Data/Sampled", params(StreamPath, SampledParams),
        responses((status = 200, description = "The events", body = serde_json::Value)))]
    sampled => sample(ns: Namespace, path: StreamPath)
}

at_path! {
    /// Events sampling a range's intervals (the stream view form)
    #[utoipa::path(get, path = "/Streams/{streamId}/Data/Transform/Sampled", params(StreamPath, SampledParams),
        responses((status = 200, description = "The events", body = serde_json::Value)))]
    transform_sampled => sample(ns: Namespace, path: StreamPath)
}
