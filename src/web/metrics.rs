//! `GET /metrics` in the Prometheus text format, and the middleware that
//! counts and times every request by its route pattern (never the raw
//! path, which would make one series per id and may carry a link token).

use crate::app::{self, AppError};
use crate::web::extract::context;
use crate::web::route_table::{Mount, RouteTable};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};
use std::time::Instant;

pub fn operations(table: &mut RouteTable) {
    table.add::<__path_metrics, _, _>(Mount::public("Operations", ""), metrics);
}

/// Prometheus metrics
#[utoipa::path(
    get,
    path = "/metrics",
    responses((status = 200, description = "Prometheus metrics", body = String, content_type = "text/plain"))
)]
async fn metrics(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let ctx = context(&req)?;
    let text = app::metrics::exposition(&ctx).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let response = next.call(req).await?;
    let route = super::operation::route_pattern(response.request());
    if let Ok(ctx) = context(response.request()) {
        ctx.metrics.http_request(
            method.as_str(),
            &route,
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}
