//! HTTP: the route table, extractors, error mapping and middleware.

pub mod api;
pub mod error;
pub mod extract;
pub mod identity;
pub mod operation;
pub mod paths;

use crate::app::{AppError, Context};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;

/// Every route, in one place.
pub fn routes(cfg: &mut web::ServiceConfig) {
    identity::routes(cfg);
    api::tenants::routes(cfg);
}

async fn unknown_route() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::not_found("no such route"))
}

pub fn server(ctx: Context, listener: TcpListener) -> std::io::Result<actix_web::dev::Server> {
    let data = web::Data::new(ctx);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .configure(routes)
            .default_service(web::to(unknown_route))
            .wrap(from_fn(paths::middleware))
            .wrap(from_fn(operation::middleware))
    })
    .workers(2)
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}
