//! Builds the application: open the store, bind the listener (port 0 picks a
//! free port, which tests use), start the HTTP server and the background
//! workers, and stop them in order.

use crate::app::Context;
use crate::clock::Clock;
use crate::config::Settings;
use crate::store::Store;
use std::net::{SocketAddr, TcpListener};

pub struct Application {
    pub ctx: Context,
    pub address: SocketAddr,
    server: actix_web::dev::Server,
}

impl Application {
    pub async fn build(settings: Settings, clock: Clock) -> Result<Self, String> {
        let store = Store::open(&settings.data_dir).map_err(|e| e.to_string())?;
        let listener = TcpListener::bind(&settings.bind).map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let public_url = if settings.public_url.is_empty() {
            format!("http://{address}")
        } else {
            settings.public_url.clone()
        };
        let ctx = Context::new(store, clock, settings, public_url).map_err(|e| e.to_string())?;
        let server = crate::web::server(ctx.clone(), listener).map_err(|e| e.to_string())?;
        Ok(Self { ctx, address, server })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A handle that stops the server gracefully (tests restart servers).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM (actix handles both gracefully), then
    /// lets in-flight requests finish before the store is dropped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        tracing::info!("stopped");
        result
    }
}
