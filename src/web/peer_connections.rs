//! Which accepted connections are served. At most `connections_per_peer`
//! open at once from one source (an IP address; an IPv6 /64), and at most
//! `total` in all, kept below the descriptor limit (`descriptors`).
//!
//! A connection over its source's limit is shut down the moment it is
//! accepted, before any byte is read, so one client cannot hold the
//! server's file descriptors however it paces its requests. A connection
//! over the total gets a canned 503 and is shut down the same way: the
//! server sheds load itself instead of running out of descriptors, when
//! accepting would fail for everyone.
//!
//! A trusted reverse proxy carries many clients over its connections, so
//! its connections are held to the total only; its clients' own limits are
//! the proxy's to keep (the request's client is only known once its head
//! is read, long after the connection's descriptor is spent).
//!
//! The counts are of this process's own sockets, so they are rightly per
//! instance.

use crate::auth::source::Source;
use crate::auth::trusted_proxies::TrustedProxies;
use actix_web::dev::Extensions;
use actix_web::rt::net::TcpStream;
use std::any::Any;
use std::collections::HashMap;
use std::net::Shutdown;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Written to a connection refused for want of descriptors: an
/// ErrorResponse, as every other refusal.
fn overloaded() -> &'static [u8] {
    static RESPONSE: OnceLock<Vec<u8>> = OnceLock::new();
    RESPONSE.get_or_init(|| {
        let body = serde_json::json!({
            "OperationId": "",
            "Error": "The server has too many open connections.",
            "Reason": "connections: the server is at its limit of open connections",
            "Resolution": "Retry after the number of seconds in Retry-After.",
        })
        .to_string();
        format!(
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n\
             Retry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    })
}

#[derive(Clone)]
pub struct PeerConnections {
    limit: usize,
    total: usize,
    proxies: Arc<TrustedProxies>,
    counts: Arc<Counts>,
}

#[derive(Default)]
struct Counts {
    per_source: Mutex<HashMap<Source, usize>>,
    all: AtomicUsize,
}

/// One admitted connection; kept in the connection's data and dropped with it.
struct Admitted {
    /// None for a trusted proxy, which has no per-source count.
    source: Option<Source>,
    counts: Arc<Counts>,
}

/// Why a connection was not admitted.
#[derive(Debug, PartialEq, Eq)]
enum Refused {
    Source,
    Overloaded,
}

impl PeerConnections {
    pub fn new(limit: usize, total: usize, proxies: Arc<TrustedProxies>) -> Self {
        Self {
            limit: limit.max(1),
            total: total.max(1),
            proxies,
            counts: Arc::default(),
        }
    }

    /// actix's `on_connect` hook: count the connection or close it.
    pub fn on_connect(&self, connection: &dyn Any, data: &mut Extensions) {
        let Some(stream) = connection.downcast_ref::<TcpStream>() else {
            return;
        };
        let Ok(peer) = stream.peer_addr() else {
            return;
        };
        let source = Source::of(peer.ip());
        let per_source = (!self.proxies.trusts(peer.ip())).then_some(source);
        match self.admit(per_source) {
            Ok(admitted) => {
                data.insert(admitted);
                return;
            }
            Err(Refused::Source) => {
                tracing::warn!(%source, limit = self.limit, "too many connections from one address; closing");
            }
            Err(Refused::Overloaded) => {
                tracing::warn!(%source, total = self.total, "too many open connections; answering 503");
                // A new socket's send buffer is empty, so this fits at once.
                // Sent on the socket itself: tokio's own write would wait
                // for a readiness event the new socket has not had yet.
                let _ = socket2::SockRef::from(stream).send(overloaded());
            }
        }
        // The dispatcher then reads end-of-stream and drops the connection.
        let _ = socket2::SockRef::from(stream).shutdown(Shutdown::Both);
    }

    fn admit(&self, source: Option<Source>) -> Result<Admitted, Refused> {
        let all = &self.counts.all;
        if all.fetch_add(1, Ordering::AcqRel) >= self.total {
            all.fetch_sub(1, Ordering::AcqRel);
            return Err(Refused::Overloaded);
        }
        // From here on, dropping `admitted` gives back what was taken.
        let mut admitted = Admitted {
            source: None,
            counts: self.counts.clone(),
        };
        if let Some(source) = source {
            let mut open = self.counts.lock();
            let count = open.entry(source).or_insert(0);
            if *count >= self.limit {
                return Err(Refused::Source);
            }
            *count += 1;
            admitted.source = Some(source);
        }
        Ok(admitted)
    }
}

impl Counts {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Source, usize>> {
        self.per_source.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.counts.all.fetch_sub(1, Ordering::AcqRel);
        let Some(source) = self.source else {
            return;
        };
        let mut open = self.counts.lock();
        if let Some(count) = open.get_mut(&source) {
            *count -= 1;
            if *count == 0 {
                open.remove(&source);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peers(limit: usize, total: usize) -> PeerConnections {
        PeerConnections::new(limit, total, Arc::default())
    }

    #[test]
    fn a_source_gets_its_limit_and_slots_come_back() {
        let peers = peers(2, 100);
        let a = Some(Source::of([127, 0, 0, 2].into()));
        let b = Some(Source::of([127, 0, 0, 3].into()));
        let first = peers.admit(a).unwrap();
        let _second = peers.admit(a).unwrap();
        assert_eq!(peers.admit(a).err(), Some(Refused::Source));
        assert!(peers.admit(b).is_ok());
        drop(first);
        assert!(peers.admit(a).is_ok());
    }

    #[test]
    fn every_source_together_stays_under_the_total() {
        let peers = peers(2, 3);
        let held: Vec<_> = (1..=3u8)
            .map(|i| {
                peers
                    .admit(Some(Source::of([127, 0, 0, i].into())))
                    .unwrap()
            })
            .collect();
        let next = Some(Source::of([127, 0, 0, 9].into()));
        assert_eq!(peers.admit(next).err(), Some(Refused::Overloaded));
        // A trusted proxy (no per-source count) is held to the total too.
        assert_eq!(peers.admit(None).err(), Some(Refused::Overloaded));
        drop(held);
        assert!(peers.admit(next).is_ok());
        assert_eq!(peers.counts.all.load(Ordering::Acquire), 0);
    }

    #[test]
    fn a_source_refused_gives_back_its_place_in_the_total() {
        let peers = peers(1, 10);
        let a = Some(Source::of([127, 0, 0, 2].into()));
        let _held = peers.admit(a).unwrap();
        for _ in 0..20 {
            assert_eq!(peers.admit(a).err(), Some(Refused::Source));
        }
        assert_eq!(peers.counts.all.load(Ordering::Acquire), 1);
    }
}
