//! Typed settings: the built-in `config/default.toml`, then an optional file,
//! then `COMMUNITYD_*` environment variables, then command-line flags.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEFAULTS: &str = include_str!("../config/default.toml");
const ENV_PREFIX: &str = "COMMUNITYD_";
/// COMMUNITYD_* variables that are not settings (`test_database_url`:
/// the PostgreSQL server CI runs the test suite on).
const OTHER_VARIABLES: &[&str] = &["log_format", "bin", "test_database_url"];

/// The setting names: the keys of the built-in defaults.
fn known_keys() -> Vec<String> {
    Figment::from(Toml::string(DEFAULTS))
        .extract::<std::collections::BTreeMap<String, figment::value::Value>>()
        .map(|m| m.into_keys().collect())
        .unwrap_or_default()
}

/// Environment variables are shared with everything else in the process's
/// environment, so an unknown COMMUNITYD_* variable is a warning, not an
/// error; unknown keys in a config file are errors.
fn warn_about_unknown_variables(known: &[String]) {
    for (name, _) in std::env::vars_os() {
        let Some(key) = name
            .to_str()
            .and_then(|n| n.strip_prefix(ENV_PREFIX))
            .map(str::to_ascii_lowercase)
        else {
            continue;
        };
        if !known.contains(&key) && !OTHER_VARIABLES.contains(&key.as_str()) {
            tracing::warn!(
                variable = %name.to_string_lossy(),
                "unknown setting in the environment, ignored; see config/default.toml"
            );
        }
    }
}

/// One line naming the offending key and where it came from.
fn describe(e: figment::Error) -> String {
    let source = e
        .metadata
        .as_ref()
        .and_then(|m| m.source.as_ref())
        .map(|s| format!(" in {s}"))
        .unwrap_or_default();
    let text = match &e.kind {
        figment::error::Kind::UnknownField(name, _) => format!(
            "unknown setting '{name}'{source}; check its spelling (every setting is listed in config/default.toml)"
        ),
        _ => format!("invalid configuration: {e}"),
    };
    text.lines().next().unwrap_or_default().to_string()
}

/// Every key is required by the built-in defaults, and a key nobody knows
/// is an error (a misspelt setting silently ignored is worse).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// Empty: redb in `data_dir`; `postgres://...`: PostgreSQL. Never
    /// printed: its password stays out of logs (see `Debug` below).
    pub database_url: DatabaseUrlSetting,
    pub database_connections: usize,
    pub bind: String,
    pub public_url: String,
    pub smtp_url: String,
    pub mail_from: String,
    #[serde(with = "humantime_serde")]
    pub invitation_ttl: Duration,
    /// How long before an unanswered invitation expires its recipient is
    /// reminded; zero: never. An invitation whose whole lifetime was no
    /// longer than this gets no reminder.
    #[serde(with = "humantime_serde")]
    pub invitation_reminder_before: Duration,
    pub invitations_per_community_per_day: u32,
    pub tenant_signup: TenantSignup,
    pub body_limit_bytes: usize,
    pub region_id: String,
    pub region_name: String,
    pub mail_max_attempts: u32,
    #[serde(with = "humantime_serde")]
    pub mail_retry_base: Duration,
    /// Emails in flight at once (and SMTP connections open at most).
    pub mail_connections: usize,
    /// On SIGTERM, how long sends in flight may take to finish.
    #[serde(with = "humantime_serde")]
    pub mail_shutdown_deadline: Duration,
    pub auth_attempts_per_minute: u32,
    pub auth_failures_per_source_per_minute: u32,
    pub hashing_slots: usize,
    pub hashing_queue_per_source: usize,
    pub hashing_queue_length: usize,
    #[serde(with = "humantime_serde")]
    pub body_read_timeout: Duration,
    pub connections_per_peer: usize,
    /// Reverse proxies (CIDR blocks) whose `Forwarded` / `X-Forwarded-For`
    /// name the client; a list, or one comma-separated string (as an
    /// environment variable gives it).
    #[serde(deserialize_with = "list_or_commas")]
    pub trusted_proxies: Vec<String>,
    /// After `body_rate_grace`, a request body slower on average than this
    /// (bytes per second) gets 408 and its connection is closed.
    pub body_min_bytes_per_second: u32,
    #[serde(with = "humantime_serde")]
    pub body_rate_grace: Duration,
    /// HTTP worker threads; 0: one per core (at least 2).
    pub http_workers: usize,
    /// Reads that can be large running at once on the blocking pool; 0:
    /// one per core.
    pub large_read_slots: usize,
    /// Shares one community stream search examines at most; tenants whose
    /// shares lie beyond are answered as not searched (207).
    pub search_share_budget: usize,
    #[serde(with = "humantime_serde")]
    pub session_ttl: Duration,
    /// How long a forgot-password email's links work.
    #[serde(with = "humantime_serde")]
    pub password_link_ttl: Duration,
    /// How long the set-password link in a user invitation works (a Tenant
    /// Administrator invited a colleague, who may not read mail for days).
    #[serde(with = "humantime_serde")]
    pub user_invitation_ttl: Duration,
    /// Forgot-password requests per hour for one email address, from
    /// anywhere ...
    pub password_resets_per_address_per_hour: u32,
    /// ... and from one client address, for any email addresses.
    pub password_resets_per_source_per_hour: u32,
    #[serde(with = "humantime_serde")]
    pub expiry_sweep_interval: Duration,
    /// Days an audit event is kept (1 to 36500).
    pub audit_retention_days: u32,
    /// How long an operator-socket connection may send or take nothing.
    #[serde(with = "humantime_serde")]
    pub operator_idle_timeout: Duration,
    pub templates_dir: String,
    /// Whether reads of shared streams are counted per community, reader,
    /// stream and day (the Usage tab and API).
    pub usage_counting: bool,
    /// How often counted usage is written to the store; a crash loses at
    /// most this much of it.
    #[serde(with = "humantime_serde")]
    pub usage_flush_interval: Duration,
    /// Whether webhooks may be sent to loopback, private, link-local and
    /// other non-public addresses (refused unless the operator says so).
    pub webhook_allow_private_networks: bool,
    /// An endpoint whose deliveries have all failed for this long is
    /// disabled and its tenant's administrators are told.
    #[serde(with = "humantime_serde")]
    pub webhook_disable_after: Duration,
    /// How long one webhook try may take, connecting and answering.
    #[serde(with = "humantime_serde")]
    pub webhook_timeout: Duration,
}

/// Whether a community invitation to an address of no tenant lets its
/// recipient create their tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantSignup {
    /// Only the operator creates tenants (the CLI).
    Closed,
    /// The invitation link offers the recipient a tenant of their own,
    /// its first administrator being the invited address.
    Invited,
}

/// Flags that override everything else; `None` leaves the setting alone.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub templates_dir: Option<String>,
}

impl Settings {
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Self, String> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(file) = file {
            if !file.exists() {
                return Err(format!("config file {} does not exist", file.display()));
            }
            figment = figment.merge(Toml::file(file));
        }
        let known = known_keys();
        warn_about_unknown_variables(&known);
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        let settings: Settings = figment
            .merge(Env::prefixed(ENV_PREFIX).only(&known))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(describe)?;
        settings.validate()?;
        Ok(settings)
    }

    /// The built-in defaults alone (tests start from these).
    pub fn defaults() -> Self {
        Figment::from(Toml::string(DEFAULTS))
            .extract()
            .unwrap_or_else(|e| panic!("config/default.toml is invalid: {e}"))
    }

    fn validate(&self) -> Result<(), String> {
        if !self.public_url.is_empty() {
            url::Url::parse(&self.public_url).map_err(|e| {
                format!(
                    "public_url '{}' is not an absolute URL: {e}",
                    self.public_url
                )
            })?;
        }
        if !self.smtp_url.is_empty() {
            url::Url::parse(&self.smtp_url).map_err(|e| format!("smtp_url is not a URL: {e}"))?;
        }
        if self.invitation_ttl.is_zero() {
            return Err("invitation_ttl must be more than zero".into());
        }
        if self.search_share_budget == 0 {
            return Err("search_share_budget must be at least 1".into());
        }
        if self.body_limit_bytes < 1024 {
            return Err("body_limit_bytes must be at least 1024".into());
        }
        if !(1..=64).contains(&self.mail_connections) {
            return Err("mail_connections must be between 1 and 64".into());
        }
        if self.auth_attempts_per_minute == 0 || self.auth_failures_per_source_per_minute == 0 {
            return Err(
                "auth_attempts_per_minute and auth_failures_per_source_per_minute must be at least 1"
                    .into(),
            );
        }
        if self.password_resets_per_address_per_hour == 0
            || self.password_resets_per_source_per_hour == 0
        {
            return Err("password_resets_per_address_per_hour and password_resets_per_source_per_hour must be at least 1".into());
        }
        if self.password_link_ttl.is_zero() {
            return Err("password_link_ttl must be more than zero".into());
        }
        if self.user_invitation_ttl.is_zero() {
            return Err("user_invitation_ttl must be more than zero".into());
        }
        if self.hashing_slots == 0
            || self.hashing_queue_per_source == 0
            || self.hashing_queue_length == 0
        {
            return Err("hashing_slots and the hashing queue lengths must be at least 1".into());
        }
        if self.body_read_timeout.is_zero() {
            return Err("body_read_timeout must be more than zero".into());
        }
        if self.operator_idle_timeout.is_zero() {
            return Err("operator_idle_timeout must be more than zero".into());
        }
        if !(1..=1000).contains(&self.database_connections) {
            return Err("database_connections must be between 1 and 1000".into());
        }
        if !(1..=36_500).contains(&self.audit_retention_days) {
            return Err("audit_retention_days must be between 1 and 36500".into());
        }
        if self.connections_per_peer == 0 {
            return Err("connections_per_peer must be at least 1".into());
        }
        Ok(())
    }

    /// `http_workers` with 0 worked out: a worker per core, and never
    /// fewer than 2, so one slow request does not stop every other.
    pub fn http_worker_count(&self) -> usize {
        match self.http_workers {
            0 => cores().max(2),
            n => n,
        }
    }

    /// `large_read_slots` with 0 worked out: one per core but one, and at
    /// least one. Even at a lower priority, large work on every core kept
    /// small requests waiting for a time slice (p99 of a liveness probe 9x
    /// idle on two cores, against 5x with one core left free).
    pub fn large_read_slot_count(&self) -> usize {
        match self.large_read_slots {
            0 => cores().saturating_sub(1).max(1),
            n => n,
        }
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// Where emails go, for people: the SMTP server (its host and port,
    /// never its credentials) or the folder of `.eml` files.
    pub fn mail_destination(&self) -> String {
        if self.smtp_url.is_empty() {
            return format!(
                "emails are written as .eml files to {}",
                self.mail_dir().display()
            );
        }
        let server = url::Url::parse(&self.smtp_url)
            .ok()
            .and_then(|u| {
                let host = u.host_str()?.to_string();
                Some(match u.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host,
                })
            })
            .unwrap_or_else(|| "the configured SMTP server".into());
        format!("emails are sent through the SMTP server {server}")
    }
}

/// `database_url`, whose password must not reach a log line.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct DatabaseUrlSetting(pub String);

impl std::fmt::Debug for DatabaseUrlSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match url::Url::parse(&self.0) {
            _ if self.0.is_empty() => f.write_str("\"\""),
            Ok(mut url) => {
                if url.password().is_some() {
                    let _ = url.set_password(Some("***"));
                }
                write!(f, "{:?}", url.as_str())
            }
            Err(_) => f.write_str("\"(not a URL)\""),
        }
    }
}

/// A list setting given either as a list or as one comma-separated string.
fn list_or_commas<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        List(Vec<String>),
        Text(String),
    }
    Ok(match Given::deserialize(d)? {
        Given::List(items) => items,
        Given::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
    })
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_in_a_config_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("communityd.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:0\"\nsmtp_ulr = \"smtp://x\"\n").unwrap();
        let err = Settings::load(Some(&file), Overrides::default()).unwrap_err();
        assert!(err.contains("unknown setting 'smtp_ulr'"), "{err}");
        assert!(err.contains("communityd.toml"), "{err}");
        assert!(!err.contains('\n'));
    }

    #[test]
    fn every_setting_has_a_built_in_default() {
        let keys = known_keys();
        let fields = serde_json::to_value(Settings::defaults()).unwrap();
        let fields: Vec<&String> = fields.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), fields.len());
        assert!(fields.iter().all(|f| keys.contains(f)));
    }

    #[test]
    fn built_in_defaults_parse() {
        let s = Settings::defaults();
        assert_eq!(s.invitation_ttl, Duration::from_secs(14 * 24 * 3600));
        assert_eq!(
            s.invitation_reminder_before,
            Duration::from_secs(2 * 24 * 3600)
        );
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert!(s.smtp_url.is_empty());
        assert_eq!(s.mail_connections, 4);
        assert_eq!(s.mail_shutdown_deadline, Duration::from_secs(10));
        assert_eq!(s.http_workers, 0);
        assert_eq!(s.large_read_slots, 0);
    }

    #[test]
    fn zero_workers_or_slots_is_worked_out_from_the_cores() {
        let mut s = Settings::defaults();
        assert_eq!(s.http_worker_count(), cores().max(2));
        assert_eq!(s.large_read_slot_count(), cores().saturating_sub(1).max(1));
        s.http_workers = 1;
        s.large_read_slots = 3;
        assert_eq!(s.http_worker_count(), 1);
        assert_eq!(s.large_read_slot_count(), 3);
    }
}
