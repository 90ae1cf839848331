//! Builds the application: open the store, bind the listener (port 0 picks a
//! free port, which tests use), start the HTTP server and the background
//! workers (outbox, expiry sweep), and stop them in order.

use crate::app::{expiry, Context};
use crate::clock::Clock;
use crate::config::Settings;
use crate::mail::transport::Transport;
use crate::mail::worker::Worker;
use crate::store::Store;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct Application {
    pub ctx: Context,
    pub address: SocketAddr,
    server: actix_web::dev::Server,
    stop: watch::Sender<bool>,
    background: Vec<JoinHandle<()>>,
}

impl Application {
    pub async fn build(settings: Settings, clock: Clock) -> Result<Self, String> {
        let store = Store::open(&settings.data_dir).map_err(|e| e.to_string())?;
        let listener =
            TcpListener::bind(&settings.bind).map_err(|e| cannot_listen(&settings.bind, e))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let public_url = if settings.public_url.is_empty() {
            format!("http://{address}")
        } else {
            settings.public_url.clone()
        };
        let templates_dir =
            Some(PathBuf::from(&settings.templates_dir)).filter(|p| !p.as_os_str().is_empty());
        let tera = Arc::new(crate::templates::load(templates_dir.as_deref())?);
        let transport = Transport::from_settings(&settings.smtp_url, settings.mail_dir())?;
        let ctx = Context::new(store, clock, settings, public_url).map_err(|e| e.to_string())?;
        let worker = Worker::new(ctx.clone(), transport, tera.clone())?;
        #[cfg(unix)]
        let operator = crate::operator::socket::Listener::bind(&ctx.settings.data_dir)?;
        let server = crate::web::server(ctx.clone(), tera, listener).map_err(|e| e.to_string())?;
        let (stop, stopped) = watch::channel(false);
        let background = vec![
            tokio::spawn(worker.run(stopped.clone())),
            #[cfg(unix)]
            tokio::spawn(operator.serve(ctx.clone(), stopped.clone())),
            tokio::spawn(sweep_expired(ctx.clone(), stopped)),
        ];
        Ok(Self {
            ctx,
            address,
            server,
            stop,
            background,
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A handle that stops the server gracefully (tests restart servers).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM (actix stops accepting and lets in-flight
    /// requests finish), then stops the workers, letting an email being
    /// sent finish and be recorded. Queued emails stay in the outbox.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        let _ = self.stop.send(true);
        for task in self.background {
            let _ = task.await;
        }
        let store = self.ctx.store.clone();
        drop(self.ctx);
        if !store
            .wait_until_sole_owner(std::time::Duration::from_secs(10))
            .await
        {
            tracing::warn!(
                "the database was still in use at shutdown; the next start may run a repair"
            );
        }
        drop(store);
        tracing::info!("stopped");
        result
    }
}

/// One line saying why the address cannot be used and what to do.
fn cannot_listen(bind: &str, e: std::io::Error) -> String {
    let advice = match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            "another process (another communityd?) already listens there; stop it, or choose another address with --bind or COMMUNITYD_BIND"
        }
        std::io::ErrorKind::PermissionDenied => {
            "ports below 1024 need privileges; listen on a higher port (e.g. 8080) behind a reverse proxy"
        }
        std::io::ErrorKind::AddrNotAvailable => {
            "this machine has no such address; use 127.0.0.1:PORT or 0.0.0.0:PORT"
        }
        _ => "check --bind or COMMUNITYD_BIND (HOST:PORT)",
    };
    format!("cannot listen on {bind} ({e}); {advice}")
}

async fn sweep_expired(ctx: Context, mut stop: watch::Receiver<bool>) {
    let every = ctx
        .settings
        .expiry_sweep_interval
        .max(std::time::Duration::from_millis(100));
    loop {
        match expiry::sweep(&ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "invitations expired"),
            Err(e) => tracing::error!(error = %e, "expiry sweep failed"),
        }
        if let Err(e) = expiry::sweep_sessions(&ctx).await {
            tracing::error!(error = %e, "session sweep failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => break,
        }
    }
}
