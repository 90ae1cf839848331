//! The database URL and the pool of connections made from it. The URL's
//! password never leaves this module: everything that describes the
//! database (errors, logs, /health) uses `DatabaseUrl::redacted`.

use crate::store::error::StoreError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::str::FromStr;

/// A `postgres://` URL, checked when it is read.
#[derive(Clone)]
pub struct DatabaseUrl {
    config: tokio_postgres::Config,
    redacted: String,
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl DatabaseUrl {
    /// Parses `url`; the error says what is wrong without repeating it.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let bad = |why: String| StoreError::DatabaseUrl(why);
        let parsed = url::Url::parse(url).map_err(|e| bad(format!("it is not a URL ({e})")))?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(bad(format!(
                "it starts with {}:// where postgres:// was expected",
                parsed.scheme()
            )));
        }
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| bad(format!("PostgreSQL does not accept it ({e})")))?;
        guard_against_silent_networks(&mut config);
        if config.get_dbname().is_none() {
            return Err(bad(
                "it names no database (postgres://user:password@host/DATABASE)".into(),
            ));
        }
        let mut shown = parsed.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        Ok(Self {
            config,
            redacted: shown.to_string(),
        })
    }

    pub fn redacted(&self) -> String {
        self.redacted.clone()
    }

    pub(super) fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }
}

/// A database whose network drops packets silently must not hold a thread
/// for ever: connecting gives up after 10 s, an idle connection is probed
/// after 30 s, and one whose sent data goes unacknowledged for 30 s is
/// closed (the URL's own settings for these win).
fn guard_against_silent_networks(config: &mut tokio_postgres::Config) {
    use std::time::Duration;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    config.keepalives(true);
    if config.get_keepalives_idle() == Duration::from_secs(2 * 60 * 60) {
        config.keepalives_idle(Duration::from_secs(30));
    }
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(Duration::from_secs(30));
    }
}

/// Connections are made when first needed; `migrate` makes the first one
/// at start, so a wrong URL stops start-up.
pub(super) fn pool(url: &DatabaseUrl, size: usize) -> Result<Pool, StoreError> {
    build(url.config.clone(), size)
}

/// A pool whose connections commit without waiting for the disk: for
/// counters that may lose their last instant in a database crash (see
/// `quota`), never for records.
pub(super) fn unsynchronised_pool(url: &DatabaseUrl, size: usize) -> Result<Pool, StoreError> {
    let mut config = url.config.clone();
    let options = match config.get_options() {
        Some(own) => format!("{own} -c synchronous_commit=off"),
        None => "-c synchronous_commit=off".to_string(),
    };
    config.options(&options);
    build(config, size)
}

fn build(config: tokio_postgres::Config, size: usize) -> Result<Pool, StoreError> {
    let manager = Manager::from_config(
        config,
        tokio_postgres::NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .create_timeout(Some(std::time::Duration::from_secs(10)))
        .wait_timeout(Some(std::time::Duration::from_secs(30)))
        .build()
        .map_err(|e| StoreError::Task(format!("cannot build the connection pool: {e}")))
}

/// A connection that cannot be made or taken, in one line with the fix.
pub(super) fn unavailable(url: &DatabaseUrl, e: deadpool_postgres::PoolError) -> StoreError {
    let reason = match e {
        deadpool_postgres::PoolError::Backend(e) => match std::error::Error::source(&e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
        deadpool_postgres::PoolError::Timeout(_) => "it did not answer in time".into(),
        other => other.to_string(),
    };
    StoreError::Unreachable {
        url: url.redacted(),
        reason,
    }
}
