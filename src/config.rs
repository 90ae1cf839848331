//! Typed settings: the built-in `config/default.toml`, then an optional file,
//! then `COMMUNITYD_*` environment variables, then command-line flags.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub bind: String,
    pub public_url: String,
    pub smtp_url: String,
    pub mail_from: String,
    #[serde(with = "humantime_serde")]
    pub invitation_ttl: Duration,
    pub invitations_per_community_per_day: u32,
    pub body_limit_bytes: usize,
    pub region_id: String,
    pub region_name: String,
    pub mail_max_attempts: u32,
    #[serde(with = "humantime_serde")]
    pub mail_retry_base: Duration,
    pub auth_attempts_per_minute: u32,
    pub auth_failures_per_source_per_minute: u32,
    pub hashing_slots: usize,
    pub hashing_queue_per_source: usize,
    pub hashing_queue_length: usize,
    #[serde(with = "humantime_serde")]
    pub body_read_timeout: Duration,
    pub connections_per_peer: usize,
    #[serde(with = "humantime_serde")]
    pub session_ttl: Duration,
    #[serde(with = "humantime_serde")]
    pub expiry_sweep_interval: Duration,
    pub templates_dir: String,
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
        let settings: Settings = figment
            .merge(Env::prefixed("COMMUNITYD_"))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| format!("invalid configuration: {e}"))?;
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
        if self.body_limit_bytes < 1024 {
            return Err("body_limit_bytes must be at least 1024".into());
        }
        if self.auth_attempts_per_minute == 0 || self.auth_failures_per_source_per_minute == 0 {
            return Err(
                "auth_attempts_per_minute and auth_failures_per_source_per_minute must be at least 1"
                    .into(),
            );
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
        if self.connections_per_peer == 0 {
            return Err("connections_per_peer must be at least 1".into());
        }
        Ok(())
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_defaults_parse() {
        let s = Settings::defaults();
        assert_eq!(s.invitation_ttl, Duration::from_secs(14 * 24 * 3600));
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert!(s.smtp_url.is_empty());
    }
}
