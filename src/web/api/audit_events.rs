//! A tenant's audit log (`GET /api/v1/Tenants/{tenantId}/AuditEvents`,
//! `app::audit_log`): Tenant Administrators only. Filters by time, kind
//! and actor; newest first, `count` at a time, the next page linked as
//! OCS's paged searches link theirs (`Link: <...>; rel="next"`, with a
//! `continuationToken`). `format=jsonl` or `format=csv` (or an `Accept`
//! of `application/x-ndjson` or `text/csv`) exports every selected event
//! instead. Nothing changes an event: the log has no other method.

use super::audit_export::{self, EventBody, Format};
use super::sds::request::Query;
use crate::app::{audit_log, AppError};
use crate::domain::audit::AuditKind;
use crate::domain::audit_query::{AuditQuery, QueryError, RawQuery, MAX_COUNT, MAX_RANGE_DAYS};
use crate::domain::ids::TenantId;
use crate::web::extract::{context, ApiCaller};
use crate::web::path::TenantPath;
use crate::web::route_table::RouteTable;
use crate::web::schemas::{query_param as param, whole_number};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, SecondsFormat, Utc};
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::KnownFormat;

pub fn operations(table: &mut RouteTable) {
    use super::mounts::TENANT;
    table.add::<__path_events, _, _>(TENANT, events);
}

/// The list's query parameters, as the API document states them.
pub struct AuditEventParams;

fn text() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn formatted(format: KnownFormat) -> ObjectBuilder {
    text().format(Some(SchemaFormat::KnownFormat(format)))
}

impl utoipa::IntoParams for AuditEventParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let kinds: Vec<&str> = AuditKind::ALL.iter().map(|k| k.name()).collect();
        let kind = ArrayBuilder::new().items(text().enum_values(Some(kinds)));
        vec![
            param(
                "startTime",
                &format!("Events at or after this time (RFC 3339; default: {MAX_RANGE_DAYS} days before endTime)"),
                formatted(KnownFormat::DateTime),
            ),
            param(
                "endTime",
                &format!("Events before this time (RFC 3339; default: now); at most {MAX_RANGE_DAYS} days after startTime"),
                formatted(KnownFormat::DateTime),
            ),
            kind_param(kind),
            param(
                "actor",
                "Only events made by this user or client",
                formatted(KnownFormat::Uuid),
            ),
            param(
                "count",
                &format!("Events per page (1 to {MAX_COUNT}, default 100)"),
                whole_number(KnownFormat::Int32, 1, Some(MAX_COUNT as u64)),
            ),
            param(
                "continuationToken",
                "Where the next page begins, from the previous page's next link",
                text(),
            ),
            param(
                "format",
                "Export every selected event instead of a page: JSON lines or CSV",
                text().enum_values(Some(["jsonl", "csv"])),
            ),
        ]
    }
}

fn kind_param(schema: ArrayBuilder) -> Parameter {
    let mut p = param(
        "kind",
        "Only events of these kinds (repeatable, or a comma-separated list)",
        text(),
    );
    p.schema = Some(schema.into());
    p
}

/// The tenant's audit events, newest first
#[utoipa::path(get, path = "/AuditEvents", params(AuditEventParams),
    responses((status = 200, description = "A page of events, or with `format` every selected event as JSON lines or CSV",
        content(([EventBody] = "application/json"), (String = "application/jsonl"), (String = "text/csv")),
        headers(("Link" = String, description = "`<...>; rel=\"next\"`: the next page, when there is one")))))]
async fn events(
    req: HttpRequest,
    caller: ApiCaller,
    path: TenantPath,
) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let query = Query::of(&req);
    let audit = parse(&query, ctx.clock.now())?;
    if let Some(format) = format(&req, &query)? {
        return audit_export::export(ctx, caller.0, path.tenant, audit, format).await;
    }
    let found = audit_log::page(&ctx, caller.0, path.tenant, &audit).await?;
    let bodies: Vec<EventBody> = found.events.iter().map(EventBody::from).collect();
    let mut answer = HttpResponse::Ok();
    if let Some(next) = found.next {
        let after = AuditQuery {
            after: Some(next),
            ..audit
        };
        let link = next_link(&ctx.public_url, path.tenant, &after);
        answer.insert_header((header::LINK, format!("<{link}>; rel=\"next\"")));
    }
    Ok(answer.json(bodies))
}

fn time(query: &Query, name: &str) -> Result<Option<DateTime<Utc>>, AppError> {
    match query.get(&name.to_ascii_lowercase()).map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| AppError::invalid(name, "is not an RFC 3339 date and time")),
    }
}

/// The query, checked, each refusal naming its parameter.
fn parse(query: &Query, now: DateTime<Utc>) -> Result<AuditQuery, AppError> {
    let kinds = query.all("kind");
    let raw = RawQuery {
        from: time(query, "startTime")?,
        to: time(query, "endTime")?,
        kinds: kinds.iter().map(String::as_str).collect(),
        actor: query.get("actor"),
        count: query.get("count"),
        token: query.get("continuationtoken"),
    };
    AuditQuery::parse(&raw, now).map_err(|e| {
        let field = match &e {
            QueryError::Reversed => "endTime",
            // With only a start, the end is now: the start is what is far.
            QueryError::TooLong if raw.to.is_none() => "startTime",
            QueryError::TooLong => "endTime",
            QueryError::UnknownKind(_) => "kind",
            QueryError::Count => "count",
            QueryError::Actor => "actor",
            QueryError::Token => "continuationToken",
        };
        AppError::invalid(field, e.to_string())
    })
}

/// The export asked for: `format`, else the `Accept` header; none is a page.
fn format(req: &HttpRequest, query: &Query) -> Result<Option<Format>, AppError> {
    if let Some(name) = query.get("format").filter(|f| !f.trim().is_empty()) {
        return Format::parse(name)
            .map(Some)
            .ok_or_else(|| AppError::invalid("format", "must be jsonl or csv"));
    }
    Ok(req
        .headers()
        .get(header::ACCEPT)
        .and_then(|a| a.to_str().ok())
        .and_then(Format::accepted))
}

/// The next page's address: the same range (as resolved, so "now" does
/// not move between pages), kinds, actor and count, and the token.
fn next_link(base: &str, tenant: TenantId, q: &AuditQuery) -> String {
    let mut pairs = url::form_urlencoded::Serializer::new(String::new());
    let at = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    pairs.append_pair("startTime", &at(&q.from));
    pairs.append_pair("endTime", &at(&q.to));
    for kind in &q.kinds {
        pairs.append_pair("kind", kind.name());
    }
    if let Some(actor) = q.actor {
        pairs.append_pair("actor", &actor.to_string());
    }
    pairs.append_pair("count", &q.count.to_string());
    if let Some(after) = q.after {
        pairs.append_pair("continuationToken", &after.to_string());
    }
    format!(
        "{base}/api/v1/Tenants/{tenant}/AuditEvents?{}",
        pairs.finish()
    )
}
