//! The Prometheus instruments. One `Metrics` per application (tests run
//! several in one process), registered in its own registry. Every label
//! value comes from a fixed set (see `labels`): the methods and statuses
//! HTTP defines, route patterns (never raw paths), and outcome names.

use super::labels::{HttpMethod, HttpStatus, RoutePatterns};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// Outcomes of a password login or a token request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthOutcome {
    Success,
    BadCredentials,
    TenantInactive,
    Throttled,
    Error,
}

impl AuthOutcome {
    pub fn label(self) -> &'static str {
        match self {
            AuthOutcome::Success => "success",
            AuthOutcome::BadCredentials => "bad_credentials",
            AuthOutcome::TenantInactive => "tenant_inactive",
            AuthOutcome::Throttled => "throttled",
            AuthOutcome::Error => "error",
        }
    }
}

/// What became of one delivery attempt of an outbox entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxEvent {
    Sent,
    /// Failed; another try is scheduled.
    Retrying,
    /// Failed for good.
    Failed,
    /// No longer worth sending (answered, withdrawn, resent).
    Dropped,
}

impl OutboxEvent {
    pub const ALL: [OutboxEvent; 4] = [Self::Sent, Self::Retrying, Self::Failed, Self::Dropped];

    pub fn label(self) -> &'static str {
        match self {
            OutboxEvent::Sent => "sent",
            OutboxEvent::Retrying => "retrying",
            OutboxEvent::Failed => "failed",
            OutboxEvent::Dropped => "dropped",
        }
    }
}

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    throttled: IntCounterVec,
    logins: IntCounterVec,
    token_requests: IntCounterVec,
    outbox_events: IntCounterVec,
    outbox_depth: IntGaugeVec,
    invitations: IntGaugeVec,
    operator_commands: IntCounter,
    routes: RoutePatterns,
}

const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("communityd".into()), None)?;
        let counter =
            |name: &str, help: &str, labels: &[&str]| -> prometheus::Result<IntCounterVec> {
                let c = IntCounterVec::new(Opts::new(name, help), labels)?;
                registry.register(Box::new(c.clone()))?;
                Ok(c)
            };
        let gauge = |name: &str, help: &str, labels: &[&str]| -> prometheus::Result<IntGaugeVec> {
            let g = IntGaugeVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(g.clone()))?;
            Ok(g)
        };
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request to response, by method and route pattern.",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route"],
        )?;
        registry.register(Box::new(http_duration.clone()))?;
        let operator_commands = IntCounter::new(
            "operator_commands_total",
            "Commands served on the operator socket.",
        )?;
        registry.register(Box::new(operator_commands.clone()))?;
        let metrics = Self {
            http_requests: counter(
                "http_requests_total",
                "HTTP requests by method, route pattern and status.",
                &["method", "route", "status"],
            )?,
            http_duration,
            throttled: counter(
                "throttled_requests_total",
                "Requests answered 429 Too Many Requests, by route pattern.",
                &["route"],
            )?,
            logins: counter(
                "logins_total",
                "Portal password logins by outcome.",
                &["outcome"],
            )?,
            token_requests: counter(
                "token_requests_total",
                "client_credentials token requests by outcome.",
                &["outcome"],
            )?,
            outbox_events: counter(
                "outbox_deliveries_total",
                "Outbox delivery attempts by result (sent, retrying, failed, dropped).",
                &["result"],
            )?,
            outbox_depth: gauge(
                "outbox_depth",
                "Emails waiting in the outbox, by status (queued: not tried yet; retrying).",
                &["status"],
            )?,
            invitations: gauge(
                "invitations",
                "Invitations by state (withdrawn ones are not counted).",
                &["state"],
            )?,
            operator_commands,
            routes: RoutePatterns::default(),
            registry,
        };
        for outcome in [
            AuthOutcome::Success,
            AuthOutcome::BadCredentials,
            AuthOutcome::TenantInactive,
            AuthOutcome::Throttled,
        ] {
            metrics.logins.with_label_values(&[outcome.label()]);
            metrics.token_requests.with_label_values(&[outcome.label()]);
        }
        for event in OutboxEvent::ALL {
            metrics.outbox_events.with_label_values(&[event.label()]);
        }
        Ok(metrics)
    }

    /// One answered request. `route` is the pattern the router matched;
    /// the method and status are whatever the request and response carry,
    /// and are mapped onto their fixed sets here.
    pub fn http_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let method = HttpMethod::of(method).label();
        let route = self.routes.label(route);
        let route = route.as_str();
        let status = HttpStatus::of(status);
        self.http_requests
            .with_label_values(&[method, route, &status.label()])
            .inc();
        self.http_duration
            .with_label_values(&[method, route])
            .observe(seconds);
        if status.is_too_many_requests() {
            self.throttled.with_label_values(&[route]).inc();
        }
    }

    pub fn login(&self, outcome: AuthOutcome) {
        self.logins.with_label_values(&[outcome.label()]).inc();
    }

    pub fn token_request(&self, outcome: AuthOutcome) {
        self.token_requests
            .with_label_values(&[outcome.label()])
            .inc();
    }

    pub fn outbox(&self, event: OutboxEvent) {
        self.outbox_events.with_label_values(&[event.label()]).inc();
    }

    pub fn operator_command(&self) {
        self.operator_commands.inc();
    }

    /// Sets the gauges from the counts the database keeps.
    pub fn set_census(&self, census: &crate::store::census::Census) {
        self.outbox_depth
            .with_label_values(&["queued"])
            .set(census.outbox_queued as i64);
        self.outbox_depth
            .with_label_values(&["retrying"])
            .set(census.outbox_retrying as i64);
        for (state, count) in &census.invitations {
            self.invitations
                .with_label_values(&[state])
                .set(*count as i64);
        }
    }

    /// Everything in the Prometheus text exposition format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_pattern_and_429s_as_throttled() {
        let m = Metrics::new().unwrap();
        m.http_request("GET", "/api/v1/Tenants/{tenantId}", 200, 0.003);
        m.http_request("POST", "/identity/connect/token", 429, 0.001);
        m.token_request(AuthOutcome::Throttled);
        let text = m.render().unwrap();
        assert!(text.contains(
            "communityd_http_requests_total{method=\"GET\",route=\"/api/v1/Tenants/{tenantId}\",status=\"200\"} 1"
        ));
        assert!(text
            .contains("communityd_throttled_requests_total{route=\"/identity/connect/token\"} 1"));
        assert!(text.contains("communityd_token_requests_total{outcome=\"throttled\"} 1"));
        assert!(text.contains("communityd_logins_total{outcome=\"success\"} 0"));
        assert!(text.contains(
            "communityd_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/Tenants/{tenantId}\",le=\"0.005\"} 1"
        ));
    }
}
