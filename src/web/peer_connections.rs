//! At most `connections_per_peer` open connections from one source (an IP
//! address; an IPv6 /64). A connection over the limit is shut down the
//! moment it is accepted, before any byte is read, so one client cannot
//! hold the server's file descriptors however it paces its requests.

use crate::auth::source::Source;
use actix_web::dev::Extensions;
use actix_web::rt::net::TcpStream;
use std::any::Any;
use std::collections::HashMap;
use std::net::Shutdown;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct PeerConnections {
    limit: usize,
    open: Arc<Mutex<HashMap<Source, usize>>>,
}

/// One admitted connection; kept in the connection's data and dropped with it.
struct Admitted {
    source: Source,
    open: Arc<Mutex<HashMap<Source, usize>>>,
}

impl PeerConnections {
    pub fn new(limit: usize) -> Self {
        Self {
            limit: limit.max(1),
            open: Arc::default(),
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
        if let Some(admitted) = self.admit(source) {
            data.insert(admitted);
            return;
        }
        tracing::warn!(%source, limit = self.limit, "too many connections from one address; closing");
        // The dispatcher then reads end-of-stream and drops the connection.
        let _ = socket2::SockRef::from(stream).shutdown(Shutdown::Both);
    }

    fn admit(&self, source: Source) -> Option<Admitted> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(source).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(Admitted {
            source,
            open: self.open.clone(),
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.source) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.source);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_gets_its_limit_and_slots_come_back() {
        let peers = PeerConnections::new(2);
        let a = Source::of([127, 0, 0, 2].into());
        let b = Source::of([127, 0, 0, 3].into());
        let first = peers.admit(a).unwrap();
        let _second = peers.admit(a).unwrap();
        assert!(peers.admit(a).is_none());
        assert!(peers.admit(b).is_some());
        drop(first);
        assert!(peers.admit(a).is_some());
    }
}
