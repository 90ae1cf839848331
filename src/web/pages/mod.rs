//! The portal: server-rendered pages for the handshake, working without
//! JavaScript. Pages call the same use cases as the API.

pub mod audit;
pub mod clients;
pub mod communities;
pub mod community;
pub mod confirmation;
mod double_submit;
mod form_error;
pub mod identity_providers;
pub mod invitation_landing;
pub mod login;
pub mod password;
pub mod provider_sign_in;
pub mod render;
pub mod role_ticks;
pub mod roles;
pub mod second_step;
pub mod session;
pub mod sign_in;
mod sign_in_page;
pub mod signup;
pub mod streams;
pub mod tenant_settings;
pub mod two_factor;
pub mod users;
pub mod webhook_deliveries;
pub mod webhooks;

use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, HttpResponse};
use render::{redirect, Portal};

const STYLE: &str = include_str!("../../../static/style.css");
/// Refreshes the Email column while an email is on its way.
/// Pages work without it.
const DELIVERY_SCRIPT: &str = include_str!("../../../static/delivery.js");
/// The copy buttons of the page that shows a new client secret.
const CLIENTS_SCRIPT: &str = include_str!("../../../static/clients.js");
/// The portal's icon, linked from every page; also at /favicon.ico, where
/// browsers look for it without a link.
const FAVICON: &str = include_str!("../../../static/favicon.svg");

/// A route of the portal.
pub struct PageRoute {
    pub method: Method,
    pub path: &'static str,
    route: actix_web::Route,
}

fn page(method: Method, path: &'static str, route: actix_web::Route) -> PageRoute {
    PageRoute {
        route: route.method(method.clone()),
        method,
        path,
    }
}

/// Every portal route, in one list: the router registers it and the
/// portal's authorisation matrix and fuzz walk it.
pub fn table() -> Vec<PageRoute> {
    vec![
        page(Method::GET, "/", web::to(home)),
        page(Method::GET, "/static/style.css", web::to(style)),
        page(Method::GET, "/static/delivery.js", web::to(delivery_script)),
        page(Method::GET, "/static/clients.js", web::to(clients_script)),
        page(Method::GET, "/static/favicon.svg", web::to(favicon)),
        page(Method::GET, "/favicon.ico", web::to(favicon)),
        page(Method::GET, "/tenant", web::to(tenant_settings::show)),
        page(
            Method::POST,
            "/tenant/name",
            web::to(tenant_settings::save_name),
        ),
        page(Method::GET, "/tenant/icon", web::to(tenant_settings::icon)),
        page(
            Method::POST,
            "/tenant/icon",
            web::to(tenant_settings::upload_icon),
        ),
        page(
            Method::POST,
            "/tenant/icon/delete",
            web::to(tenant_settings::delete_icon),
        ),
        page(Method::GET, "/tenant/audit", web::to(audit::show)),
        page(Method::GET, "/tenant/audit/export", web::to(audit::export)),
        page(Method::GET, "/clients", web::to(clients::show)),
        page(Method::POST, "/clients", web::to(clients::create)),
        page(
            Method::POST,
            "/clients/{client}/secrets",
            web::to(clients::add_secret),
        ),
        page(
            Method::POST,
            "/clients/{client}/secrets/{secret}/revoke",
            web::to(clients::revoke_secret),
        ),
        page(
            Method::POST,
            "/clients/{client}/roles",
            web::to(clients::save_roles),
        ),
        page(
            Method::POST,
            "/clients/{client}/delete",
            web::to(clients::delete),
        ),
        page(Method::GET, "/tenant/users", web::to(users::show)),
        page(Method::POST, "/tenant/users/invite", web::to(users::invite)),
        page(
            Method::POST,
            "/tenant/users/{user}/roles",
            web::to(users::save_roles),
        ),
        page(
            Method::POST,
            "/tenant/users/{user}/resend",
            web::to(users::resend),
        ),
        page(
            Method::POST,
            "/tenant/users/{user}/remove",
            web::to(users::remove),
        ),
        page(
            Method::POST,
            "/tenant/users/{user}/deactivate",
            web::to(users::deactivate),
        ),
        page(
            Method::POST,
            "/tenant/users/{user}/reactivate",
            web::to(users::reactivate),
        ),
        page(
            Method::POST,
            "/tenant/users/{user}/two-factor/reset",
            web::to(users::reset_two_factor),
        ),
        page(Method::GET, "/tenant/roles", web::to(roles::show)),
        page(Method::POST, "/tenant/roles", web::to(roles::create)),
        page(
            Method::POST,
            "/tenant/roles/{role}/edit",
            web::to(roles::edit),
        ),
        page(
            Method::POST,
            "/tenant/roles/{role}/delete",
            web::to(roles::delete),
        ),
        page(Method::GET, "/tenant/sign-in", web::to(sign_in::show)),
        page(Method::POST, "/tenant/sign-in", web::to(sign_in::save)),
        page(
            Method::POST,
            "/tenant/sign-in/providers",
            web::to(identity_providers::add),
        ),
        page(
            Method::POST,
            "/tenant/sign-in/providers/{provider}/remove",
            web::to(identity_providers::remove),
        ),
        page(Method::GET, "/login", web::to(login::show)),
        page(Method::POST, "/login", web::to(login::submit)),
        page(
            Method::POST,
            "/login/provider",
            web::to(provider_sign_in::start),
        ),
        page(
            Method::GET,
            "/login/provider/callback",
            web::to(provider_sign_in::callback),
        ),
        page(Method::POST, "/login/code", web::to(second_step::code)),
        page(Method::POST, "/login/enrol", web::to(second_step::enrol)),
        page(Method::GET, "/login/forgot", web::to(password::forgot)),
        page(
            Method::POST,
            "/login/forgot",
            web::to(password::forgot_submit),
        ),
        page(Method::GET, "/password/{token}", web::to(password::link)),
        page(Method::POST, "/password", web::to(password::set)),
        page(Method::GET, "/account", web::to(password::account)),
        page(Method::POST, "/account/password", web::to(password::change)),
        page(
            Method::GET,
            "/account/two-factor",
            web::to(two_factor::show),
        ),
        page(
            Method::POST,
            "/account/two-factor",
            web::to(two_factor::enrol),
        ),
        page(
            Method::POST,
            "/account/two-factor/off",
            web::to(two_factor::turn_off),
        ),
        page(Method::POST, "/logout", web::to(login::logout)),
        page(Method::GET, "/communities", web::to(communities::list)),
        page(Method::POST, "/communities", web::to(communities::create)),
        page(
            Method::GET,
            "/communities/{id}",
            web::to(community::details::show),
        ),
        page(
            Method::POST,
            "/communities/{id}/delete",
            web::to(communities::delete),
        ),
        page(
            Method::GET,
            "/communities/{id}/edit",
            web::to(community::edit::show),
        ),
        page(
            Method::POST,
            "/communities/{id}/edit",
            web::to(community::edit::save),
        ),
        page(
            Method::POST,
            "/communities/{id}/roles/{kind}/{principal}",
            web::to(community::roles::save),
        ),
        page(
            Method::POST,
            "/communities/{id}/roles/{kind}/{principal}/revoke",
            web::to(community::roles::revoke),
        ),
        page(
            Method::POST,
            "/communities/{id}/invitations",
            web::to(community::invitations::invite),
        ),
        page(
            Method::GET,
            "/communities/{id}/invitations/{inv}",
            web::to(community::invitations::invitation),
        ),
        page(
            Method::POST,
            "/communities/{id}/invitations/{inv}/{verb}",
            web::to(community::invitations::invitation_action),
        ),
        page(
            Method::POST,
            "/communities/{id}/tenants/{tenant}/{verb}",
            web::to(community::tenants::tenant_action),
        ),
        page(
            Method::POST,
            "/communities/{id}/contact",
            web::to(community::contact::save),
        ),
        page(
            Method::GET,
            "/communities/{id}/usage.csv",
            web::to(community::usage::csv),
        ),
        page(
            Method::POST,
            "/communities/{id}/shares/{namespace}/{stream}/unshare",
            web::to(community::shared_streams::unshare),
        ),
        page(
            Method::GET,
            "/communities/{id}/tenants/{tenant}/streams/{namespace}/{stream}",
            web::to(streams::partner::show),
        ),
        page(
            Method::GET,
            "/communities/{id}/share",
            web::to(streams::share::pick),
        ),
        page(
            Method::POST,
            "/communities/{id}/share",
            web::to(streams::share::submit),
        ),
        page(
            Method::GET,
            "/streams/{namespace}/{stream}",
            web::to(streams::own::show),
        ),
        page(
            Method::GET,
            "/namespaces/{namespace}/stream-defaults",
            web::to(streams::defaults::show),
        ),
        page(
            Method::POST,
            "/namespaces/{namespace}/stream-defaults",
            web::to(streams::defaults::save),
        ),
        page(
            Method::GET,
            "/invitations/{token}/signup",
            web::to(signup::show),
        ),
        page(
            Method::POST,
            "/invitations/{token}/signup",
            web::to(signup::submit),
        ),
        page(
            Method::POST,
            "/invitations/answer",
            web::to(invitation_landing::answer),
        ),
        page(
            Method::GET,
            "/invitations/{token}",
            web::to(invitation_landing::landing),
        ),
        page(
            Method::GET,
            "/pending/{token}",
            web::to(invitation_landing::pending),
        ),
        page(
            Method::POST,
            "/communities/{id}/trusted-domains",
            web::to(community::trusted_domains::save),
        ),
        page(
            Method::POST,
            "/communities/{id}/invitations/bulk",
            web::to(community::bulk_invite::invite_bulk),
        ),
        page(Method::GET, "/tenant/webhooks", web::to(webhooks::show)),
        page(Method::POST, "/tenant/webhooks", web::to(webhooks::create)),
        page(
            Method::POST,
            "/tenant/webhooks/{webhook}/delete",
            web::to(webhooks::delete),
        ),
        page(
            Method::POST,
            "/tenant/webhooks/{webhook}/enable",
            web::to(webhooks::enable),
        ),
        page(
            Method::POST,
            "/tenant/webhooks/{webhook}/disable",
            web::to(webhooks::disable),
        ),
        page(
            Method::GET,
            "/tenant/webhooks/{webhook}",
            web::to(webhook_deliveries::show),
        ),
        page(
            Method::POST,
            "/tenant/webhooks/{webhook}/deliveries/{delivery}/redeliver",
            web::to(webhook_deliveries::redeliver),
        ),
    ]
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    for p in table() {
        cfg.route(p.path, p.route);
    }
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

async fn clients_script() -> HttpResponse {
    render::respond(StatusCode::OK)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .content_type("text/javascript; charset=utf-8")
        .body(CLIENTS_SCRIPT)
}

async fn favicon() -> HttpResponse {
    render::respond(StatusCode::OK)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .content_type("image/svg+xml")
        .body(FAVICON)
}

/// A portal address that leads nowhere: a page saying so, with a way on
/// (API paths answer with their JSON ErrorResponse instead).
pub fn not_found(p: &Portal) -> HttpResponse {
    p.message(
        StatusCode::NOT_FOUND,
        "Page not found",
        "There is no page at this address. It may have been mistyped, or the page has moved.",
    )
}
