//! Readiness, for orchestrators and load balancers: the database is
//! readable and the outbox worker runs. The mail transport's last known
//! state is reported beside it but never makes the service unready: the
//! outbox keeps the emails and retries, and a restart would not help.

use super::{AppError, Context};
use crate::store::meta;
use crate::telemetry::health::MailState;
use chrono::{DateTime, Utc};

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

pub async fn readiness(ctx: &Context) -> Readiness {
    let database = ctx
        .store
        .read(|tx| Ok::<_, AppError>(meta::schema_version(tx)?))
        .await
        .is_ok_and(|v| v.is_some());
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
        let ctx = Context::new(
            store,
            Clock::default(),
            Settings::defaults(),
            "http://x".into(),
        )
        .unwrap();
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
