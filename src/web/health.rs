//! Health for orchestrators and load balancers, without authentication and
//! without any tenant data: `/health/live` says the process answers;
//! `/health/ready` answers what `app::health` finds (503 when not ready).

use crate::app::health::{self, MailTransport};
use crate::app::AppError;
use crate::web::extract::context;
use crate::web::route_table::{Mount, RouteTable};
use actix_web::http::header::CACHE_CONTROL;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

const HEALTH: Mount = Mount::public("Operations", "/health");

pub fn operations(table: &mut RouteTable) {
    table.add::<__path_live, _, _>(HEALTH, live);
    table.add::<__path_ready, _, _>(HEALTH, ready);
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Liveness {
    status: &'static str,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MailTransportState {
    /// `unknown`, `ok` or `failing`.
    status: &'static str,
    /// Since when (absent while unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<String>,
}

impl From<MailTransport> for MailTransportState {
    fn from(mail: MailTransport) -> Self {
        let (status, since) = match mail {
            MailTransport::Unknown => ("unknown", None),
            MailTransport::Ok { since } => ("ok", Some(since)),
            MailTransport::Failing { since } => ("failing", Some(since)),
        };
        Self {
            status,
            since: since.map(|t| t.to_rfc3339()),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Readiness {
    /// `ready` or `not ready`.
    status: &'static str,
    /// `ok` or `unavailable`.
    database: &'static str,
    /// `running` or `stopped`.
    outbox_worker: &'static str,
    mail_transport: MailTransportState,
}

/// The process answers
#[utoipa::path(
    get,
    path = "/live",
    responses((status = 200, description = "The process answers", body = Liveness))
)]
async fn live() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(Liveness { status: "live" })
}

/// Database readable and outbox worker running; mail transport state
#[utoipa::path(
    get,
    path = "/ready",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Not ready", body = Readiness),
    )
)]
async fn ready(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let readiness = health::readiness(&ctx).await;
    let ready = readiness.ready();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok(HttpResponse::build(status)
        .insert_header((CACHE_CONTROL, "no-store"))
        .json(Readiness {
            status: if ready { "ready" } else { "not ready" },
            database: if readiness.database {
                "ok"
            } else {
                "unavailable"
            },
            outbox_worker: if readiness.outbox_worker {
                "running"
            } else {
                "stopped"
            },
            mail_transport: readiness.mail.into(),
        }))
}
