//! Readiness, for orchestrators and load balancers: the database is
//! readable and the outbox worker runs. The mail transport's last known
//! state is reported beside it but never makes the service unready: the
//! outbox keeps the emails and retries, and a restart would not help.

use super::{AppError, Context};
use crate::store::meta;
use crate::telemetry::health::MailState;
use chrono::{DateTime, Utc};
use std::time::Duration;

pub struct Readiness {
    pub database: bool,
    pub outbox_worker: bool,
    pub mail: MailTransport,
}

/// The mail transport as readiness shows it: without the last error's
/// text, which may name hosts or addresses and is answered to anyone.
pub enum MailTransport {
    /// Nothing sent since start.
    Unknown,
    Ok {
        since: DateTime<Utc>,
    },
    Failing {
        since: DateTime<Utc>,
    },
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.database && self.outbox_worker
    }
}

/// How long readiness waits for the database. A probe must answer within
/// an orchestrator's timeout, and a database that needs longer to read
/// one row is not ready to serve requests anyway.
const DATABASE_PATIENCE: Duration = Duration::from_secs(3);

pub async fn readiness(ctx: &Context) -> Readiness {
    let database = database_answers(ctx).await;
    let mail = match ctx.health.mail() {
        MailState::Unknown => MailTransport::Unknown,
        MailState::Ok { at } => MailTransport::Ok { since: at },
        MailState::Failing { at, .. } => MailTransport::Failing { since: at },
    };
    Readiness {
        database,
        outbox_worker: ctx.health.worker_running(),
        mail,
    }
}

/// Whether the database answers one read in time. Why not goes to the
/// log (the operator's), not to the probe's answer (anyone's); no reason
/// names the URL's password, which the store never lets out.
async fn database_answers(ctx: &Context) -> bool {
    let read = ctx
        .store
        .read(|tx| Ok::<_, AppError>(meta::schema_version(tx)?));
    let problem = match tokio::time::timeout(DATABASE_PATIENCE, read).await {
        Ok(Ok(Some(_))) => return true,
        Ok(Ok(None)) => "it holds no schema version".to_string(),
        Ok(Err(e)) => e.detail(),
        Err(_) => format!("it did not answer within {DATABASE_PATIENCE:?}"),
    };
    tracing::warn!(
        database = %ctx.store.describe(),
        problem = %problem,
        "not ready: the database cannot be read"
    );
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::config::Settings;
    use crate::store::Store;

    #[tokio::test]
    async fn ready_once_the_worker_runs_whatever_the_mail_transport_says() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let settings = Settings {
            data_dir: dir.path().to_path_buf(),
            ..Settings::defaults()
        };
        let ctx = Context::new(store, Clock::default(), settings, "http://x".into()).unwrap();
        let before = readiness(&ctx).await;
        assert!(before.database);
        assert!(!before.outbox_worker && !before.ready());
        assert!(matches!(before.mail, MailTransport::Unknown));

        let _alive = ctx.health.worker_started();
        let at = ctx.clock.now();
        ctx.health.mail_failed(at, "relay.example refused");
        let after = readiness(&ctx).await;
        assert!(
            after.ready(),
            "a failing mail server does not make it unready"
        );
        assert!(matches!(after.mail, MailTransport::Failing { since } if since == at));
    }
}
