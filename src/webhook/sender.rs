//! One try of one delivery: the endpoint's host resolved and checked again
//! (`app::webhook_target`), the connection pinned to the checked address,
//! and a POST with the Standard Webhooks headers. No redirect is followed
//! and no proxy from the environment is used: either would send the body
//! somewhere that was never checked.

use crate::app::webhook_target;
use crate::domain::webhook::WebhookEndpoint;
use crate::domain::webhook_delivery::WebhookDelivery;
use std::time::Duration;

/// How a try ended: the answer's status code when it was a success (2xx).
pub type Outcome = Result<u16, Failure>;

/// A failed try: the status code of the answer, if there was one, and why.
#[derive(Debug)]
pub struct Failure {
    pub response: Option<u16>,
    pub error: String,
}

impl Failure {
    fn without_answer(error: String) -> Self {
        Self {
            response: None,
            error,
        }
    }
}

/// What one try needs besides the delivery.
pub struct Sending<'a> {
    pub endpoint: &'a WebhookEndpoint,
    /// `webhook-timestamp`: seconds since 1970, now.
    pub timestamp: i64,
    pub allow_private: bool,
    pub timeout: Duration,
}

/// Sends `delivery` once.
pub async fn send(how: Sending<'_>, delivery: &WebhookDelivery) -> Outcome {
    let url = url::Url::parse(&how.endpoint.url)
        .map_err(|e| Failure::without_answer(format!("the URL is not valid ({e})")))?;
    let address = webhook_target::resolve(&url, how.allow_private)
        .await
        .map_err(|e| Failure::without_answer(format!("the URL {e}")))?;
    let mut client = reqwest::Client::builder()
        .timeout(how.timeout)
        .connect_timeout(how.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("communityd-webhooks/", env!("CARGO_PKG_VERSION")));
    if let Some(host) = url.host_str() {
        client = client.resolve(host, address);
    }
    let client = client
        .build()
        .map_err(|e| Failure::without_answer(format!("no HTTP client ({e})")))?;
    let id = delivery.id.to_string();
    let body = delivery.body.as_bytes();
    let signature = how.endpoint.signature(&id, how.timestamp, body);
    let answer = client
        .post(url)
        .header("webhook-id", &id)
        .header("webhook-timestamp", how.timestamp.to_string())
        .header("webhook-signature", signature)
        .header("content-type", "application/json")
        .body(delivery.body.clone())
        .send()
        .await
        .map_err(|e| Failure::without_answer(describe(&e)))?;
    let status = answer.status();
    if status.is_success() {
        Ok(status.as_u16())
    } else {
        Err(Failure {
            response: Some(status.as_u16()),
            error: format!("the endpoint answered {status}"),
        })
    }
}

/// A request error in one line, its causes included.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "the endpoint did not answer in time".into();
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
