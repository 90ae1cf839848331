//! `.../Streams/{id}/Data/Interpolated` and `.../Data/Transform/Interpolated`:
//! the stream's events at the indexes asked for, stored or calculated by
//! its read characteristics. AVEVA's libraries call the second, with
//! `index` repeated (an index collection) or `startIndex`, `endIndex` and
//! `count` (evenly spaced indexes).

use super::data::run;
use super::read_params::InterpolatedParams;
use super::request::{Namespace, Query};
use crate::app::sds::data::{Indexes, Read};
use crate::app::AppError;
use crate::web::path::StreamPath;
use crate::web::route_table::{Mount, RouteTable};
use actix_web::{HttpRequest, HttpResponse};

/// Under each of the mounts the other value reads answer at.
pub fn operations(table: &mut RouteTable, mount: Mount) {
    table.add::<__path_interpolated, _, _>(mount, interpolated);
    table.add::<__path_transform_interpolated, _, _>(mount, transform_interpolated);
}

/// The indexes asked for: `index` once or more, else evenly spaced ones.
fn indexes(query: &Query) -> Result<Indexes, AppError> {
    let listed = query.all("index");
    if !listed.is_empty() {
        return Ok(Indexes::Listed(listed));
    }
    let required = |name: &str| {
        query
            .get(name)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .ok_or_else(|| AppError::invalid(name, "is required (or give index once or more)"))
    };
    let (start, end) = (required("startIndex")?, required("endIndex")?);
    let count = query
        .value_count("count")?
        .ok_or_else(|| AppError::invalid("count", "is required with startIndex and endIndex"))?;
    Ok(Indexes::Spaced { start, end, count })
}

async fn read(
    req: HttpRequest,
    caller: crate::web::extract::ApiCaller,
    ns: Namespace,
    path: StreamPath,
) -> Result<HttpResponse, AppError> {
    let query = Query::of(&req);
    query.refuse_filter()?;
    let what = Read::Interpolated(indexes(&query)?);
    run(req, caller, ns, path, what).await
}

at_path! {
    /// Interpolated events
    ///
    /// The event at each `index`, or at `count` indexes evenly spaced from
    /// `startIndex` to `endIndex`: stored, else calculated by the stream's
    /// interpolation and extrapolation modes; an index with no event is
    /// left out.
    #[utoipa::path(get, path = "/Streams/{streamId}/Data/Interpolated", params(StreamPath, InterpolatedParams),
        responses((status = 200, description = "The events", body = serde_json::Value)))]
    interpolated => read(ns: Namespace, path: StreamPath)
}

at_path! {
    /// Interpolated events (Transform)
    ///
    /// As `.../Data/Interpolated`, at the path AVEVA's libraries call.
    #[utoipa::path(get, path = "/Streams/{streamId}/Data/Transform/Interpolated", params(StreamPath, InterpolatedParams),
        responses((status = 200, description = "The events", body = serde_json::Value)))]
    transform_interpolated => read(ns: Namespace, path: StreamPath)
}
