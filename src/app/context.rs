//! What every use case needs: the store, the clock, settings and the keys.

use super::auth_throttle::{AuthThrottle, ResetThrottle};
use super::usage_recorder::Usage;
use crate::auth::access_token::AccessTokens;
use crate::auth::hashing_queue::HashingQueue;
use crate::auth::link_token::LinkTokens;
use crate::auth::oidc::discovery::Documents;
use crate::auth::oidc::flow::ProviderFlows;
use crate::auth::oidc::http::ProviderHttp;
use crate::auth::oidc::jwks::KeyCache;
use crate::auth::password::Passwords;
use crate::auth::pending_sign_in::PendingSignIns;
use crate::auth::remembered_secrets::RememberedSecrets;
use crate::auth::trusted_proxies::TrustedProxies;
use crate::clock::Clock;
use crate::config::Settings;
use crate::store::instance::Instance;
use crate::store::{secrets, Store, StoreError};
use crate::telemetry::health::Health;
use crate::telemetry::metrics::Metrics;
use std::sync::Arc;
use tokio::sync::{Notify, Semaphore};

#[derive(Clone)]
pub struct Context {
    /// This instance among those serving one database (its data dir's id).
    pub instance: Instance,
    pub store: Store,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    /// Absolute base of every link, without a trailing slash.
    pub public_url: String,
    pub passwords: Passwords,
    pub access_tokens: AccessTokens,
    pub links: LinkTokens,
    /// Sign-ins whose password was right and whose one-time code is owed.
    pub pending_sign_ins: PendingSignIns,
    pub auth_throttle: AuthThrottle,
    /// Forgot-password requests per address and per source.
    pub reset_throttle: ResetThrottle,
    /// Client secrets already proven against their stored hash.
    pub remembered_secrets: RememberedSecrets,
    /// Whose `Forwarded` headers name the client (`trusted_proxies`).
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Untrusted icons decoded at once (each may use up to 32 MiB).
    pub icon_decoding: Arc<Semaphore>,
    /// Reads that can be large running at once on the blocking pool
    /// (`Store::read_large`); the HTTP workers never run them.
    pub large_reads: Arc<Semaphore>,
    /// Wakes the outbox worker after a commit that queued an email.
    pub mail_ready: Arc<Notify>,
    /// Wakes the purge of deleted streams' values after a deletion left some.
    pub values_to_purge: Arc<Notify>,
    /// This application's Prometheus instruments.
    pub metrics: Arc<Metrics>,
    /// Outbox worker and mail transport state for readiness.
    pub health: Arc<Health>,
    /// Calls to tenants' identity providers.
    pub provider_http: ProviderHttp,
    /// Their discovery documents and signing keys, as last fetched.
    pub provider_documents: Arc<Documents>,
    pub provider_keys: Arc<KeyCache>,
    /// Signs the cookie that carries a sign-in at a provider.
    pub provider_flows: ProviderFlows,
    /// Reads of shared streams counted since the last flush.
    pub usage: Arc<Usage>,
}

impl Context {
    pub fn new(
        store: Store,
        clock: Clock,
        settings: Settings,
        public_url: String,
    ) -> Result<Self, StoreError> {
        let (access_key, link_key, flow_key) = store.write_blocking(|tx| {
            Ok::<_, StoreError>((
                secrets::get_or_create(tx, "access_token_key")?,
                secrets::get_or_create(tx, "link_token_key")?,
                secrets::get_or_create(tx, "provider_flow_key")?,
            ))
        })?;
        let instance = Instance::of_data_dir(&settings.data_dir)?;
        let public_url = public_url.trim_end_matches('/').to_string();
        let trusted_proxies =
            TrustedProxies::parse(&settings.trusted_proxies).map_err(StoreError::Task)?;
        Ok(Self {
            instance,
            access_tokens: AccessTokens::new(&access_key, format!("{public_url}/identity")),
            links: LinkTokens::new(&link_key),
            pending_sign_ins: PendingSignIns::new(&link_key),
            auth_throttle: AuthThrottle::new(
                &store,
                &clock,
                settings.auth_attempts_per_minute,
                settings.auth_failures_per_source_per_minute,
            ),
            reset_throttle: ResetThrottle::new(
                &store,
                &clock,
                settings.password_resets_per_address_per_hour,
                settings.password_resets_per_source_per_hour,
                std::time::Duration::from_secs(3600),
            ),
            trusted_proxies: Arc::new(trusted_proxies),
            remembered_secrets: RememberedSecrets::default(),
            passwords: Passwords::new(HashingQueue::new(
                settings.hashing_slots,
                settings.hashing_queue_per_source,
                settings.hashing_queue_length,
            )),
            icon_decoding: Arc::new(Semaphore::new(2)),
            large_reads: Arc::new(Semaphore::new(settings.large_read_slot_count())),
            mail_ready: Arc::new(Notify::new()),
            values_to_purge: Arc::new(Notify::new()),
            metrics: Arc::new(Metrics::new().map_err(|e| StoreError::Task(e.to_string()))?),
            health: Arc::new(Health::default()),
            provider_http: ProviderHttp::new().map_err(StoreError::Task)?,
            provider_documents: Arc::new(Documents::default()),
            provider_keys: Arc::new(KeyCache::default()),
            provider_flows: ProviderFlows::new(&flow_key),
            usage: Arc::new(Usage::new(settings.usage_counting)),
            settings: Arc::new(settings),
            public_url,
            store,
            clock,
        })
    }

    pub fn invitation_ttl(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.invitation_ttl)
            .unwrap_or(chrono::Duration::days(14))
    }

    /// `invitation_reminder_before`; zero when reminders are off.
    pub fn invitation_reminder_before(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.invitation_reminder_before)
            .unwrap_or(chrono::Duration::zero())
    }
}
