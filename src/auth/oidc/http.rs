//! Calls to a tenant's identity provider. The provider is the tenant's
//! choice, so it is treated like any other input: short timeouts, no
//! redirects followed, and answers read only up to a bound.

use serde::de::DeserializeOwned;
use std::time::Duration;

/// Largest answer read from a provider (discovery, keys, tokens are a few
/// KiB).
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// Why a provider could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("did not answer ({0})")]
    Unreachable(String),
    #[error("answered {status}: {detail}")]
    Refused { status: u16, detail: String },
    #[error("answered something that is not what OpenID Connect says: {0}")]
    Malformed(String),
}

/// One HTTP client for every provider, built once (it pools connections).
#[derive(Clone)]
pub struct ProviderHttp {
    client: reqwest::Client,
}

impl ProviderHttp {
    pub fn new() -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("communityd/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { client })
    }

    pub async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, ProviderError> {
        let answer = self.client.get(url).send().await;
        read_json(answer).await
    }

    /// A form POST with HTTP Basic client authentication
    /// (`client_secret_basic`, the method every provider must support).
    pub async fn post_form<T: DeserializeOwned>(
        &self,
        url: &str,
        basic: (&str, &str),
        form: &[(&str, &str)],
    ) -> Result<T, ProviderError> {
        let encode =
            |s: &str| -> String { url::form_urlencoded::byte_serialize(s.as_bytes()).collect() };
        let answer = self
            .client
            .post(url)
            .basic_auth(encode(basic.0), Some(encode(basic.1)))
            .form(form)
            .send()
            .await;
        read_json(answer).await
    }
}

async fn read_json<T: DeserializeOwned>(
    answer: Result<reqwest::Response, reqwest::Error>,
) -> Result<T, ProviderError> {
    let mut answer = answer.map_err(|e| ProviderError::Unreachable(without_url(e)))?;
    let status = answer.status();
    let mut body = Vec::new();
    while let Some(chunk) = answer
        .chunk()
        .await
        .map_err(|e| ProviderError::Unreachable(without_url(e)))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(ProviderError::Malformed(format!(
                "an answer over {} KiB",
                MAX_ANSWER_BYTES / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    if !status.is_success() {
        return Err(ProviderError::Refused {
            status: status.as_u16(),
            detail: error_detail(&body),
        });
    }
    serde_json::from_slice(&body).map_err(|e| ProviderError::Malformed(e.to_string()))
}

/// The OAuth `error` (and its description) of a refusal, bounded: what a
/// page or log may show of it.
fn error_detail(body: &[u8]) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(|v| v.as_str())
            .map(|s| {
                s.chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect::<String>()
            })
    };
    match (field("error"), field("error_description")) {
        (Some(e), Some(d)) => format!("{e} ({d})"),
        (Some(e), None) => e,
        _ => "no OAuth error given".into(),
    }
}

/// reqwest's message without the URL (which may carry a query).
fn without_url(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection refused or unreachable".into()
    } else {
        e.without_url().to_string()
    }
}
