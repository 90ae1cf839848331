//! Where a webhook URL points: its host resolved and every address checked
//! against the networks refused (`domain::webhook_target`), unless the
//! operator allows private networks. Registration checks it to refuse a bad
//! URL at once; each delivery checks again and connects only to the
//! address it checked, so a name that changes meanwhile (DNS rebinding)
//! cannot lead a delivery into the operator's network.

use crate::domain::webhook_target::refusal;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use url::{Host, Url};

/// How long resolving a host name may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// The address to connect to for `url`, or why none may be used.
pub async fn resolve(url: &Url, allow_private: bool) -> Result<SocketAddr, String> {
    let port = url
        .port_or_known_default()
        .ok_or_else(|| "names no port".to_string())?;
    let addresses: Vec<SocketAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        Some(Host::Domain(name)) => {
            let looked_up = tokio::time::timeout(
                RESOLVE_TIMEOUT,
                tokio::net::lookup_host((name.to_string(), port)),
            )
            .await
            .map_err(|_| format!("its host '{name}' took too long to resolve"))?
            .map_err(|e| format!("its host '{name}' cannot be resolved ({e})"))?;
            looked_up.collect()
        }
        None => return Err("names no host".into()),
    };
    if !allow_private {
        // Every address is checked, not only the one used: a name that
        // answers with a private address among public ones is refused.
        for address in &addresses {
            if let Some(why) = refusal(address.ip()) {
                return Err(format!(
                    "points to {why} ({}), which webhooks may not reach",
                    address.ip()
                ));
            }
        }
    }
    addresses
        .first()
        .copied()
        .ok_or_else(|| "its host resolves to no address".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn loopback_and_private_hosts_are_refused_unless_allowed() {
        for raw in [
            "http://127.0.0.1:9/",
            "http://localhost:9/",
            "http://[::1]:9/",
            "http://[::ffff:127.0.0.1]:9/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data",
        ] {
            let url = Url::parse(raw).unwrap();
            let refused = resolve(&url, false).await.unwrap_err();
            assert!(refused.contains("may not reach"), "{raw}: {refused}");
        }
        let url = Url::parse("http://127.0.0.1:9/").unwrap();
        assert_eq!(
            resolve(&url, true).await.unwrap(),
            "127.0.0.1:9".parse().unwrap()
        );
    }
}
