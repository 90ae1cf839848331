//! Audit events as the API shows them (`EventBody`) and as exports write
//! them: JSON lines (one `EventBody` per line) or CSV (one header line,
//! then one row per event). An export streams page after page of the
//! store's list, each read and written on the large reads' low-priority
//! threads, so neither the HTTP workers nor memory hold more than a page.
//! The API and the portal's Audit page both answer with `export`.

use crate::app::{audit_log, AppError, Context};
use crate::domain::audit::{AuditEvent, AuditEventId};
use crate::domain::audit_query::{AuditQuery, MAX_COUNT};
use crate::domain::identity::Caller;
use crate::domain::ids::{PrincipalId, TenantId};
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::{Bytes, Data};
use actix_web::HttpResponse;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use uuid::Uuid;

/// Times to the microsecond, as event ids keep them.
pub fn event_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Who made a change, as answered.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ActorBody {
    tenant_id: TenantId,
    /// `User` or `Client`.
    principal_type: &'static str,
    principal_id: Uuid,
    /// The user's email or the client's name, as known then.
    name: Option<String>,
}

/// What an event is about.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SubjectBody {
    #[serde(rename = "Type")]
    kind: String,
    id: String,
}

/// One audit event.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct EventBody {
    /// 32 hexadecimal digits; sorts as the events' times do.
    id: String,
    /// RFC 3339 UTC, to the microsecond.
    time: String,
    /// One of the kinds the `kind` filter names.
    kind: &'static str,
    /// None for the operator or an unknown sign-in name.
    actor: Option<ActorBody>,
    subject: SubjectBody,
    /// What changed (names, roles, a status), when said.
    #[schema(value_type = Object)]
    detail: serde_json::Value,
    /// The client's address, as the trusted proxies name it.
    source_address: Option<String>,
    /// The request that made the change (its Operation-Id header).
    operation_id: String,
}

fn principal_type(p: &PrincipalId) -> &'static str {
    match p {
        PrincipalId::User(_) => "User",
        PrincipalId::Client(_) => "Client",
    }
}

impl From<&AuditEvent> for EventBody {
    fn from(e: &AuditEvent) -> Self {
        Self {
            id: e.id.to_string(),
            time: event_time(&e.at),
            kind: e.kind.name(),
            actor: e.actor.as_ref().map(|a| ActorBody {
                tenant_id: a.tenant,
                principal_type: principal_type(&a.principal),
                principal_id: a.principal.as_uuid(),
                name: a.name.clone(),
            }),
            subject: SubjectBody {
                kind: e.subject.kind.clone(),
                id: e.subject.id.clone(),
            },
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
            source_address: e.address.map(|a| a.to_string()),
            operation_id: e.operation_id.clone(),
        }
    }
}

/// How an export writes events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Csv,
}

/// The CSV columns, in order.
pub const CSV_HEADER: &str = "Time,Kind,ActorTenantId,ActorType,ActorId,ActorName,SubjectType,SubjectId,SourceAddress,OperationId,Detail,Id\r\n";

impl Format {
    /// `jsonl` or `csv`, in any case.
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    /// The export an `Accept` header asks for, if it asks for one.
    pub fn accepted(accept: &str) -> Option<Self> {
        let accept = accept.to_ascii_lowercase();
        if accept.contains("text/csv") {
            Some(Format::Csv)
        } else if [
            "application/x-ndjson",
            "application/jsonl",
            "application/jsonlines",
        ]
        .iter()
        .any(|t| accept.contains(t))
        {
            Some(Format::JsonLines)
        } else {
            None
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::JsonLines => "application/jsonl; charset=utf-8",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Format::JsonLines => "audit-events.jsonl",
            Format::Csv => "audit-events.csv",
        }
    }

    /// What comes before the first event.
    fn preamble(self) -> &'static str {
        match self {
            Format::JsonLines => "",
            Format::Csv => CSV_HEADER,
        }
    }

    /// `events`, one line each.
    pub fn lines(self, events: &[AuditEvent]) -> Vec<u8> {
        let mut out = Vec::with_capacity(events.len() * 320);
        for event in events {
            match self {
                Format::JsonLines => {
                    // An EventBody always serializes.
                    if serde_json::to_writer(&mut out, &EventBody::from(event)).is_ok() {
                        out.push(b'\n');
                    }
                }
                Format::Csv => csv_row(&mut out, event),
            }
        }
        out
    }
}

fn csv_row(out: &mut Vec<u8>, e: &AuditEvent) {
    let actor = e.actor.as_ref();
    let cells = [
        event_time(&e.at),
        e.kind.name().to_string(),
        actor.map(|a| a.tenant.to_string()).unwrap_or_default(),
        actor
            .map(|a| principal_type(&a.principal).to_string())
            .unwrap_or_default(),
        actor
            .map(|a| a.principal.as_uuid().to_string())
            .unwrap_or_default(),
        actor.and_then(|a| a.name.clone()).unwrap_or_default(),
        e.subject.kind.clone(),
        e.subject.id.clone(),
        e.address.map(|a| a.to_string()).unwrap_or_default(),
        e.operation_id.clone(),
        e.detail.clone(),
        e.id.to_string(),
    ];
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        csv_cell(out, cell);
    }
    out.extend_from_slice(b"\r\n");
}

/// One CSV cell (RFC 4180): quoted when it holds a comma, quote or line
/// break. A cell a spreadsheet would run as a formula (a name chosen by
/// whoever signed in, say `=HYPERLINK(...)`) is written with a leading
/// apostrophe, so opening the export runs nothing.
fn csv_cell(out: &mut Vec<u8>, cell: &str) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = formula || cell.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push(b'"');
    }
    if formula {
        out.push(b'\'');
    }
    for b in cell.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    if quoted {
        out.push(b'"');
    }
}

/// Where an export stands between pages.
struct Cursor {
    ctx: Data<Context>,
    caller: Caller,
    tenant: TenantId,
    query: AuditQuery,
    format: Format,
    next: Option<AuditEventId>,
}

/// Reads the page after `cursor.next` and writes its lines.
async fn next_page(mut cursor: Cursor) -> Option<(Result<Bytes, AppError>, Cursor)> {
    let after = cursor.next.take()?;
    cursor.query.after = Some(after);
    let format = cursor.format;
    let page = audit_log::shaped_page(
        &cursor.ctx,
        cursor.caller,
        cursor.tenant,
        &cursor.query,
        move |found| (format.lines(&found.events), found.next),
    )
    .await;
    match page {
        Ok((lines, next)) => {
            cursor.next = next;
            Some((Ok(Bytes::from(lines)), cursor))
        }
        Err(e) => {
            tracing::warn!(error = %e.detail(), "an audit export stopped part way");
            Some((Err(e), cursor))
        }
    }
}

/// 200 with every event `query` selects, in `format`, newest first. The
/// first page is read before answering, so a refusal is a plain 4xx;
/// later pages follow as the client reads.
pub async fn export(
    ctx: Data<Context>,
    caller: Caller,
    tenant: TenantId,
    mut query: AuditQuery,
    format: Format,
) -> Result<HttpResponse, AppError> {
    query.count = MAX_COUNT;
    let (first, next) = audit_log::shaped_page(&ctx, caller, tenant, &query, move |found| {
        let mut out = format.preamble().as_bytes().to_vec();
        out.extend(format.lines(&found.events));
        (out, found.next)
    })
    .await?;
    let cursor = Cursor {
        ctx,
        caller,
        tenant,
        query,
        format,
        next,
    };
    let rest = futures_util::stream::unfold(cursor, next_page);
    let head = futures_util::stream::once(async move { Ok(Bytes::from(first)) });
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(format.file_name().into())],
    };
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(futures_util::StreamExt::chain(head, rest)))
}
