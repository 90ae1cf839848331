//! Tenant settings -> Audit log (`/tenant/audit`): the tenant's audit
//! events, newest first, a page at a time, filtered by kind, dates and
//! actor, with links that export the same selection as JSON lines or CSV
//! (`/tenant/audit/export`). The same use case and rules as the
//! AuditEvents API (`app::audit_log`): Tenant Administrators only, a
//! range of at most a year.

use super::render::{respond, Failure, PageResult, Portal};
use crate::app::{audit_log, AppError};
use crate::domain::audit::{AuditEvent, AuditKind};
use crate::domain::audit_query::{AuditQuery, QueryError, RawQuery};
use crate::web::api::audit_export::{self, event_time, Format};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const PAGE: &str = "/tenant/audit";

/// Events one page shows.
const SHOWN: usize = 50;

/// The filter form's fields (and the page's token), as sent.
#[derive(Clone, Default, Deserialize, Serialize)]
pub struct Filters {
    #[serde(default)]
    kind: String,
    /// Dates, `YYYY-MM-DD`, as a date field sends them; `to` is included.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    actor: String,
    #[serde(default, skip_serializing)]
    after: String,
    #[serde(default, skip_serializing)]
    format: String,
}

#[derive(Serialize)]
struct Row {
    time: String,
    /// RFC 3339, for the `<time>` element.
    datetime: String,
    actor: String,
    /// The actor's id, to filter by; empty for none.
    actor_id: String,
    kind: &'static str,
    subject: String,
    address: String,
    operation_id: String,
}

fn row(e: &AuditEvent) -> Row {
    let actor = e.actor.as_ref();
    Row {
        time: e.at.format("%-d %b %Y %H:%M:%S UTC").to_string(),
        datetime: event_time(&e.at),
        actor: actor
            .map(|a| {
                a.name
                    .clone()
                    .unwrap_or_else(|| a.principal.as_uuid().to_string())
            })
            .unwrap_or_else(|| "Operator or service".into()),
        actor_id: actor
            .map(|a| a.principal.as_uuid().to_string())
            .unwrap_or_default(),
        kind: e.kind.name(),
        subject: format!("{} {}", e.subject.kind, e.subject.id),
        address: e.address.map(|a| a.to_string()).unwrap_or_default(),
        operation_id: e.operation_id.clone(),
    }
}

/// The start of a date, UTC; `field` names it on refusal.
fn day(field: &str, text: &str) -> Result<Option<DateTime<Utc>>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Some(t.and_utc()))
        .ok_or_else(|| AppError::invalid(field, "is not a date (YYYY-MM-DD)"))
}

impl Filters {
    /// The query these filters ask, `count` events a page.
    fn query(&self, count: usize, now: DateTime<Utc>) -> Result<AuditQuery, AppError> {
        let from = day("from", &self.from)?;
        // The "to" date is included: the range ends at the next midnight.
        let to = day("to", &self.to)?.map(|t| t + Duration::days(1));
        let count = count.to_string();
        let raw = RawQuery {
            from,
            to,
            kinds: vec![self.kind.as_str()],
            actor: Some(self.actor.as_str()),
            count: Some(count.as_str()),
            token: Some(self.after.as_str()),
        };
        AuditQuery::parse(&raw, now).map_err(|e| {
            let field = match &e {
                QueryError::Reversed => "to",
                QueryError::TooLong if to.is_none() => "from",
                QueryError::TooLong => "to",
                QueryError::UnknownKind(_) => "kind",
                QueryError::Actor => "actor",
                QueryError::Count | QueryError::Token => "after",
            };
            AppError::invalid(field, e.to_string())
        })
    }

    /// These filters as a query string, without the page's token.
    fn encoded(&self) -> String {
        query_string(&[
            ("kind", &self.kind),
            ("from", &self.from),
            ("to", &self.to),
            ("actor", &self.actor),
        ])
    }
}

fn query_string(pairs: &[(&str, &String)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        let value = value.trim();
        if !value.is_empty() {
            out.append_pair(name, value);
        }
    }
    out.finish()
}

pub async fn show(p: Portal, filters: web::Query<Filters>) -> HttpResponse {
    let result = audit_page(&p, &filters).await;
    p.finish(result)
}

async fn audit_page(p: &Portal, filters: &Filters) -> PageResult {
    let v = p.visitor()?;
    let mut page = tera::Context::new();
    page.insert("title", "Audit log");
    page.insert("filters", filters);
    page.insert("error_field", "");
    page.insert(
        "kinds",
        &AuditKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>(),
    );
    let query = match filters.query(SHOWN, p.ctx.clock.now()) {
        Ok(q) => q,
        Err(AppError::Invalid { field, reason }) => {
            page.insert("error", &format!("The {field} filter {reason}."));
            page.insert("error_field", &field);
            page.insert("rows", &Vec::<Row>::new());
            return Ok(p.render_status(StatusCode::BAD_REQUEST, "audit", &mut page));
        }
        Err(e) => return Err(Failure::App(e)),
    };
    let found = audit_log::page(&p.ctx, v.caller(), v.session.tenant, &query).await?;
    let selection = filters.encoded();
    page.insert("rows", &found.events.iter().map(row).collect::<Vec<_>>());
    page.insert("selection", &selection);
    page.insert("is_first_page", &query.after.is_none());
    if let Some(next) = found.next {
        let sep = if selection.is_empty() { "" } else { "&" };
        page.insert("older", &format!("{PAGE}?{selection}{sep}after={next}"));
    }
    Ok(p.render_status(StatusCode::OK, "audit", &mut page))
}

/// The selection as a download: `format=jsonl` or `format=csv`.
pub async fn export(p: Portal, filters: web::Query<Filters>) -> HttpResponse {
    let result = export_inner(&p, &filters).await;
    p.finish(result)
}

async fn export_inner(p: &Portal, filters: &Filters) -> PageResult {
    let v = p.visitor()?;
    let format = Format::parse(&filters.format)
        .ok_or_else(|| AppError::invalid("format", "must be jsonl or csv"))?;
    let query = filters.query(1, p.ctx.clock.now())?;
    let answer =
        audit_export::export(p.ctx.clone(), v.caller(), v.session.tenant, query, format).await?;
    Ok(with_page_headers(answer))
}

/// The portal's own headers (no framing, no referrer, no caching) on an
/// answer built elsewhere.
fn with_page_headers(mut answer: HttpResponse) -> HttpResponse {
    let base = respond(StatusCode::OK).finish();
    for (name, value) in base.headers() {
        answer.headers_mut().insert(name.clone(), value.clone());
    }
    answer
}
