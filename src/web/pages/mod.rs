//! The portal: server-rendered pages for the handshake, working without
//! JavaScript. Pages call the same use cases as the API.

pub mod communities;
pub mod community_details;
pub mod invitation_landing;
pub mod login;
pub mod render;
pub mod session;
pub mod shared_streams;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use render::{redirect, Portal};

const STYLE: &str = include_str!("../../../static/style.css");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/static/style.css", web::get().to(style))
        .route("/login", web::get().to(login::show))
        .route("/login", web::post().to(login::submit))
        .route("/logout", web::post().to(login::logout))
        .route("/communities", web::get().to(communities::list))
        .route("/communities", web::post().to(communities::create))
        .route("/communities/{id}", web::get().to(community_details::show))
        .route(
            "/communities/{id}/delete",
            web::post().to(communities::delete),
        )
        .route(
            "/communities/{id}/invitations",
            web::post().to(community_details::invite),
        )
        .route(
            "/communities/{id}/invitations/{inv}",
            web::get().to(community_details::invitation),
        )
        .route(
            "/communities/{id}/invitations/{inv}/{verb}",
            web::post().to(community_details::invitation_action),
        )
        .route(
            "/communities/{id}/tenants/{tenant}/{verb}",
            web::post().to(community_details::tenant_action),
        )
        .route(
            "/communities/{id}/shares/{namespace}/{stream}/unshare",
            web::post().to(shared_streams::unshare),
        )
        .route(
            "/invitations/answer",
            web::post().to(invitation_landing::answer),
        )
        .route(
            "/invitations/{token}",
            web::get().to(invitation_landing::landing),
        )
        .route(
            "/pending/{token}",
            web::get().to(invitation_landing::pending),
        );
}

async fn home(p: Portal) -> HttpResponse {
    redirect(if p.visitor.is_some() {
        "/communities"
    } else {
        "/login"
    })
}

async fn style() -> HttpResponse {
    render::respond(StatusCode::OK)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .content_type("text/css; charset=utf-8")
        .body(STYLE)
}
