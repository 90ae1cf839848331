//! The source a request is counted against (throttles, the hashing queue,
//! logs): the client a trusted reverse proxy names, else the peer.

use crate::app::Context;
use crate::auth::source::Source;
use crate::auth::trusted_proxies::TrustedProxies;
use actix_web::http::header::{HeaderMap, FORWARDED, X_FORWARDED_FOR};
use actix_web::{web, HttpRequest};
use std::net::IpAddr;

pub fn of(req: &HttpRequest) -> Source {
    let Some(peer) = req.peer_addr() else {
        return Source::of_peer(None);
    };
    match req.app_data::<web::Data<Context>>() {
        Some(ctx) => Source::of(client(&ctx.trusted_proxies, peer.ip(), req.headers())),
        None => Source::of(peer.ip()),
    }
}

/// The client's own address (not cut to a /64 as `Source` is): what the
/// audit log records. `None` for a request without a peer.
pub fn address(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    Some(match req.app_data::<web::Data<Context>>() {
        Some(ctx) => client(&ctx.trusted_proxies, peer, req.headers()),
        None => peer,
    })
}

fn client(proxies: &TrustedProxies, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if !proxies.trusts(peer) {
        return peer;
    }
    // A header value that is not text is unreadable: it stands for a hop
    // nobody can name, which the chain reads as the peer.
    let values = |name| -> Vec<&str> {
        headers
            .get_all(name)
            .map(|v| v.to_str().unwrap_or("\u{0}"))
            .collect()
    };
    proxies.client(peer, &values(FORWARDED), &values(X_FORWARDED_FOR))
}
