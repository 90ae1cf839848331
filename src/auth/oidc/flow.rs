//! A sign-in at a provider in progress, carried by the browser in a signed
//! cookie rather than kept by this instance: the provider's answer may come
//! back to any instance behind the load balancer. It holds the `state` the
//! answer must repeat, the `nonce` the ID token must carry, the PKCE
//! verifier, and where to land afterwards, which is how an invitation link
//! survives the trip through the provider.

use super::super::hs256;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long a person has at the provider before the sign-in must start
/// again.
pub const FLOW_MINUTES: i64 = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    pub tenant: Uuid,
    pub provider: Uuid,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
    /// A same-site path (already checked when the flow began).
    pub next: String,
    pub exp: i64,
}

impl Flow {
    pub fn new(tenant: Uuid, provider: Uuid, next: String, now: DateTime<Utc>) -> Self {
        let random = || crate::auth::password::generate_secret(24);
        Self {
            tenant,
            provider,
            state: random(),
            nonce: random(),
            verifier: crate::auth::pkce::new_verifier(),
            next,
            exp: now.timestamp() + FLOW_MINUTES * 60,
        }
    }
}

#[derive(Clone)]
pub struct ProviderFlows {
    key: Vec<u8>,
}

impl ProviderFlows {
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.to_vec() }
    }

    pub fn seal(&self, flow: &Flow) -> String {
        // Serialising a struct of strings and numbers cannot fail.
        hs256::sign(flow, &self.key).unwrap_or_default()
    }

    /// The flow a cookie carries, if this server signed it and it is not
    /// over.
    pub fn open(&self, sealed: &str, now: DateTime<Utc>) -> Option<Flow> {
        let flow: Flow = hs256::verify(sealed, &self.key).ok()?;
        (flow.exp > now.timestamp()).then_some(flow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flow_opens_only_unaltered_and_in_time() {
        let flows = ProviderFlows::new(b"key");
        let now = Utc::now();
        let flow = Flow::new(Uuid::nil(), Uuid::max(), "/invitations/x?t=1".into(), now);
        let sealed = flows.seal(&flow);
        assert_eq!(flows.open(&sealed, now), Some(flow.clone()));
        let later = now + chrono::Duration::minutes(FLOW_MINUTES);
        assert_eq!(flows.open(&sealed, later), None);
        assert_eq!(ProviderFlows::new(b"other").open(&sealed, now), None);
        assert_ne!(flow.state, flow.nonce);
    }
}
