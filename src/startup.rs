//! Builds the application: bind the listener (port 0 picks a free port,
//! which tests use), open the store, start the HTTP server and the background
//! workers (outbox, webhooks, expiry sweep, usage flush), and stop them in
//! order.

use crate::app::{expiry, reminders, sds, usage, Context};
use crate::clock::Clock;
use crate::config::Settings;
use crate::mail::transport::Transport;
use crate::mail::worker::Worker;
use crate::store::{private_files, Store, StoreError};
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
        // The port first: a start that cannot listen leaves no new data
        // dir or empty database behind.
        let listener =
            TcpListener::bind(&settings.bind).map_err(|e| cannot_listen(&settings.bind, e))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        // Owner-only whatever the backend: it holds the operator socket and
        // emailed files even when the data is in PostgreSQL.
        private_files::data_dir(&settings.data_dir).map_err(|source| {
            StoreError::DataDir {
                dir: settings.data_dir.clone(),
                source,
            }
            .to_string()
        })?;
        let store = Store::open_configured(
            &settings.data_dir,
            &settings.database_url.0,
            settings.database_connections,
        )
        .map_err(|e| e.to_string())?;
        let public_url = if settings.public_url.is_empty() {
            format!("http://{address}")
        } else {
            settings.public_url.clone()
        };
        let templates_dir =
            Some(PathBuf::from(&settings.templates_dir)).filter(|p| !p.as_os_str().is_empty());
        let tera = Arc::new(crate::templates::load(templates_dir.as_deref())?);
        let transport = Transport::from_settings(
            &settings.smtp_url,
            settings.mail_dir(),
            settings.mail_connections,
        )?;
        let ctx = Context::new(store, clock, settings, public_url).map_err(|e| e.to_string())?;
        let worker = Worker::new(ctx.clone(), transport, tera.clone())?;
        #[cfg(unix)]
        let operator = crate::operator::socket::Listener::bind(&ctx.settings.data_dir)?;
        let server = crate::web::server(ctx.clone(), tera, listener).map_err(|e| e.to_string())?;
        let (stop, stopped) = watch::channel(false);
        let (sweep_ctx, purge_ctx, audit_ctx, usage_ctx) =
            (ctx.clone(), ctx.clone(), ctx.clone(), ctx.clone());
        let webhook_ctx = ctx.clone();
        let background = vec![
            tokio::spawn(supervise("mail worker", stopped.clone(), move |stop| {
                worker.clone().run(stop)
            })),
            #[cfg(unix)]
            tokio::spawn(operator.serve(ctx.clone(), stopped.clone())),
            tokio::spawn(supervise("expiry sweep", stopped.clone(), move |stop| {
                sweep_expired(sweep_ctx.clone(), stop)
            })),
            tokio::spawn(supervise(
                "purge of deleted values",
                stopped.clone(),
                move |stop| purge_deleted_values(purge_ctx.clone(), stop),
            )),
            tokio::spawn(supervise("audit retention", stopped.clone(), move |stop| {
                sweep_audit_events(audit_ctx.clone(), stop)
            })),
            tokio::spawn(supervise("usage flush", stopped.clone(), move |stop| {
                usage::flush::run(usage_ctx.clone(), stop)
            })),
            tokio::spawn(supervise("webhook worker", stopped, move |stop| {
                crate::webhook::worker::run(webhook_ctx.clone(), stop)
            })),
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
    /// requests finish), then stops the workers: emails being sent get up
    /// to `mail_shutdown_deadline` to finish and be recorded; queued emails
    /// stay in the outbox.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let mut server = self.server;
        let result = tokio::select! {
            result = &mut server => result,
            signal = stop_signal() => {
                tracing::info!(signal, "stopping");
                // The command is sent now; the server future carries it out.
                drop(handle.stop(true));
                server.await
            }
        };
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

/// How long a task that panicked rests before it is started again, so a
/// panic that repeats does not spin.
const RESTART_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

/// Runs a background task until it returns, starting it again after a
/// panic (logged), so it is never silently gone.
async fn supervise<F, T>(name: &'static str, mut stop: watch::Receiver<bool>, task: F)
where
    F: Fn(watch::Receiver<bool>) -> T,
    T: std::future::Future<Output = ()> + Send + 'static,
{
    loop {
        match tokio::spawn(task(stop.clone())).await {
            Ok(()) => return,
            Err(e) if e.is_panic() => {
                let reason = crate::mail::worker::panic_text(e.into_panic());
                tracing::error!(task = name, panic = %reason, "background task panicked; restarting it");
            }
            Err(_) => return,
        }
        if *stop.borrow() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(RESTART_DELAY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Waits for SIGTERM or SIGINT (Ctrl-C); returns its name.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            tracing::warn!("cannot listen for SIGTERM; stop the server with SIGKILL");
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
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
        // Reminders first: one due and lapsing in the same pass is not
        // reminded, as it would be too late.
        match reminders::sweep(&ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reminded = n, "invitation reminders queued"),
            Err(e) => tracing::error!(error = %e, "reminder sweep failed"),
        }
        match expiry::sweep(&ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "invitations expired"),
            Err(e) => tracing::error!(error = %e, "expiry sweep failed"),
        }
        if let Err(e) = expiry::sweep_sessions(&ctx).await {
            tracing::error!(error = %e, "session sweep failed");
        }
        if let Err(e) = expiry::sweep_authorization_codes(&ctx).await {
            tracing::error!(error = %e, "authorization code sweep failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => break,
        }
    }
}

/// Deletes audit events past their retention at start and then hourly:
/// a day's events at most wait an hour longer than the setting says.
async fn sweep_audit_events(ctx: Context, mut stop: watch::Receiver<bool>) {
    loop {
        match expiry::sweep_audit_events(&ctx).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "audit events past their retention deleted"),
            Err(e) => tracing::error!(error = %e, "audit retention sweep failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = stop.changed() => break,
        }
    }
}

/// Removes deleted streams' values a batch at a time until none are left
/// (also those a stop or crash left), then sleeps until a deletion leaves
/// more. Each batch queues like any write, so others' writes go between.
async fn purge_deleted_values(ctx: Context, mut stop: watch::Receiver<bool>) {
    loop {
        let more = match sds::streams::purge_deleted_values(&ctx).await {
            Ok(more) => more,
            Err(e) => {
                tracing::error!(error = %e, "purge of deleted values failed");
                false
            }
        };
        if more && !*stop.borrow() {
            continue;
        }
        tokio::select! {
            _ = ctx.values_to_purge.notified() => {}
            _ = tokio::time::sleep(ctx.settings.expiry_sweep_interval) => {}
            _ = stop.changed() => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_task_that_panics_is_started_again() {
        let runs = Arc::new(AtomicUsize::new(0));
        let (_stop, stopped) = watch::channel(false);
        let counted = runs.clone();
        supervise("test task", stopped, move |_| {
            let run = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                if run == 0 {
                    panic!("first run fails");
                }
            }
        })
        .await;
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_stopped_supervisor_does_not_restart() {
        let runs = Arc::new(AtomicUsize::new(0));
        let (stop, stopped) = watch::channel(false);
        stop.send(true).unwrap();
        let counted = runs.clone();
        supervise("test task", stopped, move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
            async { panic!("always fails") }
        })
        .await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
