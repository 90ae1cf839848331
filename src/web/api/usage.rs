//! `GET /api/v1/Communities/{communityId}/Tenants/{tenantId}/Usage`: who
//! read what through a community, in the shape of AVEVA Data Hub's usage
//! route (`startTime`, `endTime`, `groupBy`; `UsageDataRecord`-like
//! records). `Accept: text/csv` answers the same records as CSV, the file
//! the portal's Usage tab downloads.

use crate::app::usage::report::{self, DayRange, GroupBy, Record};
use crate::app::AppError;
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::usage::day_of;
use crate::web::api::mounts::COMMUNITY_USAGE;
use crate::web::api::sds::request::Query;
use crate::web::api::time;
use crate::web::extract::{context, ApiCaller};
use crate::web::path::TenantCommunityPath;
use crate::web::route_table::RouteTable;
use crate::web::schemas::query_param;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::IntoParams;

pub fn operations(table: &mut RouteTable) {
    table.add::<__path_usage, _, _>(COMMUNITY_USAGE, usage);
}

/// One usage record. Times are the UTC days it covers (`EndTime`
/// excluded); the tenant and stream fields are present when the grouping
/// keeps them.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UsageDataRecord {
    start_time: String,
    end_time: String,
    #[schema(value_type = String, format = Uuid)]
    community_id: CommunityId,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    reader_tenant_id: Option<TenantId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    owner_tenant_id: Option<TenantId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_id: Option<String>,
    /// Read requests, answered or refused.
    requests: u64,
    /// Values the answered requests returned.
    values_read: u64,
    /// Requests refused (rights, visibility, not shared).
    refused_requests: u64,
}

impl UsageDataRecord {
    pub fn new(community: CommunityId, r: &Record) -> Self {
        let (namespace_id, stream_id) = match &r.stream {
            Some((ns, id)) => (Some(ns.clone()), Some(id.clone())),
            None => (None, None),
        };
        Self {
            start_time: time(&report::day_start(r.start)),
            end_time: time(&report::day_start(r.end)),
            community_id: community,
            reader_tenant_id: r.reader,
            owner_tenant_id: r.owner,
            namespace_id,
            stream_id,
            requests: r.counts.requests,
            values_read: r.counts.values,
            refused_requests: r.counts.refused,
        }
    }
}

/// The CSV's columns, in the records' field names.
const CSV_HEADER: &str = "StartTime,EndTime,CommunityId,ReaderTenantId,OwnerTenantId,NamespaceId,StreamId,Requests,ValuesRead,RefusedRequests";

/// A text field: quoted when it holds a separator, a quote or a line
/// break; one a spreadsheet would take for a formula starts with `'`.
fn csv_text(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The records as CSV (RFC 4180, CRLF line ends), header first.
pub fn csv(records: &[UsageDataRecord]) -> String {
    let mut out = format!("{CSV_HEADER}\r\n");
    let id = |t: Option<TenantId>| t.map(|t| t.to_string()).unwrap_or_default();
    for r in records {
        let line = [
            r.start_time.clone(),
            r.end_time.clone(),
            r.community_id.to_string(),
            id(r.reader_tenant_id),
            id(r.owner_tenant_id),
            csv_text(r.namespace_id.as_deref().unwrap_or_default()),
            csv_text(r.stream_id.as_deref().unwrap_or_default()),
            r.requests.to_string(),
            r.values_read.to_string(),
            r.refused_requests.to_string(),
        ]
        .join(",");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out
}

/// The CSV answer, named for the community and the days it covers.
pub fn csv_response(
    community: CommunityId,
    range: DayRange,
    records: &[UsageDataRecord],
) -> HttpResponse {
    let day = |d: i64| report::day_start(d).format("%Y-%m-%d").to_string();
    let name = format!(
        "usage-{community}-{}-{}.csv",
        day(range.from),
        day(range.to)
    );
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(csv(records))
}

/// `startTime`, `endTime` and `groupBy`.
pub struct UsageParams;

impl IntoParams for UsageParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let text = || ObjectBuilder::new().schema_type(Type::String);
        let groups = GroupBy::NAMES.join(", ");
        vec![
            query_param(
                "startTime",
                "The first UTC day counted: an ISO 8601 date or date and time (default: 29 days before endTime)",
                text(),
            ),
            query_param(
                "endTime",
                &format!("The last UTC day counted, at most {} days after startTime (default: today)", report::MAX_DAYS - 1),
                text(),
            ),
            query_param(
                "groupBy",
                &format!("How records are added up: {groups} (default None)"),
                text().enum_values(Some(GroupBy::NAMES)),
            ),
        ]
    }
}

/// The range and grouping a request asks for.
pub fn parse(query: &Query, today: i64) -> Result<(DayRange, GroupBy), AppError> {
    let range = DayRange::parse(query.get("starttime"), query.get("endtime"), today)?;
    Ok((range, GroupBy::parse(query.get("groupby"))?))
}

/// Whether the client asked for CSV rather than JSON.
fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("text/csv"))
}

/// Who read what in the community: reads of your shared streams, and
/// your own reads
#[utoipa::path(get, path = "/Usage", params(UsageParams),
    responses(
        (status = 200, description = "Usage records (JSON, or CSV with Accept: text/csv)", body = [UsageDataRecord]),
    ))]
async fn usage(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantCommunityPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let TenantCommunityPath { tenant, community } = path;
    let (range, by) = parse(&Query::of(&req), day_of(ctx.clock.now()))?;
    let rows = report::rows(&ctx, caller.0, tenant, community, range).await?;
    let records: Vec<UsageDataRecord> = report::group(&rows, range, by)
        .iter()
        .map(|r| UsageDataRecord::new(community, r))
        .collect();
    Ok(if wants_csv(&req) {
        csv_response(community, range, &records)
    } else {
        HttpResponse::Ok().json(records)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_text_is_quoted_and_never_a_formula() {
        assert_eq!(csv_text("plain"), "plain");
        assert_eq!(csv_text("a,b"), "\"a,b\"");
        assert_eq!(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_text("=SUM(A1)"), "'=SUM(A1)");
    }
}
