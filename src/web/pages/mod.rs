//! The portal: server-rendered pages for the handshake, working without
//! JavaScript. Pages call the same use cases as the API.

pub mod communities;
pub mod community;
pub mod confirmation;
pub mod invitation_landing;
pub mod login;
pub mod render;
pub mod session;
pub mod tenant_settings;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use render::{redirect, Portal};

const STYLE: &str = include_str!("../../../static/style.css");
/// The one script: refreshes the Email column while an email is on its way.
/// Pages work without it.
const DELIVERY_SCRIPT: &str = include_str!("../../../static/delivery.js");

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/static/style.css", web::get().to(style))
        .route("/static/delivery.js", web::get().to(delivery_script))
        .route("/tenant", web::get().to(tenant_settings::show))
        .route("/tenant/name", web::post().to(tenant_settings::save_name))
        .route("/tenant/icon", web::get().to(tenant_settings::icon))
        .route("/tenant/icon", web::post().to(tenant_settings::upload_icon))
        .route(
            "/tenant/icon/delete",
            web::post().to(tenant_settings::delete_icon),
        )
        .route("/login", web::get().to(login::show))
        .route("/login", web::post().to(login::submit))
        .route("/logout", web::post().to(login::logout))
        .route("/communities", web::get().to(communities::list))
        .route("/communities", web::post().to(communities::create))
        .route("/communities/{id}", web::get().to(community::details::show))
        .route(
            "/communities/{id}/delete",
            web::post().to(communities::delete),
        )
        .route(
            "/communities/{id}/edit",
            web::get().to(community::edit::show),
        )
        .route(
            "/communities/{id}/edit",
            web::post().to(community::edit::save),
        )
        .route(
            "/communities/{id}/roles/{kind}/{principal}",
            web::post().to(community::roles::save),
        )
        .route(
            "/communities/{id}/roles/{kind}/{principal}/revoke",
            web::post().to(community::roles::revoke),
        )
        .route(
            "/communities/{id}/invitations",
            web::post().to(community::invitations::invite),
        )
        .route(
            "/communities/{id}/invitations/{inv}",
            web::get().to(community::invitations::invitation),
        )
        .route(
            "/communities/{id}/invitations/{inv}/{verb}",
            web::post().to(community::invitations::invitation_action),
        )
        .route(
            "/communities/{id}/tenants/{tenant}/{verb}",
            web::post().to(community::tenants::tenant_action),
        )
        .route(
            "/communities/{id}/shares/{namespace}/{stream}/unshare",
            web::post().to(community::shared_streams::unshare),
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

async fn delivery_script() -> HttpResponse {
    render::respond(StatusCode::OK)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .content_type("text/javascript; charset=utf-8")
        .body(DELIVERY_SCRIPT)
}
