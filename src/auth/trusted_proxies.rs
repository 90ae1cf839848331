//! Which client a request comes from when it arrives through reverse
//! proxies. Behind a proxy every connection's peer is the proxy, so keying
//! throttles and queues on the peer made every client one source (and one
//! attacker could spend everyone's budget). A proxy that is trusted (its
//! address is in `trusted_proxies`) says who its client was in `Forwarded`
//! (RFC 7239) or `X-Forwarded-For`; nobody else is believed.
//!
//! The chain of addresses is read from the right (the hop nearest to us)
//! and the first address that is not itself a trusted proxy is the client:
//! everything to its left was written by that client, who may lie. A chain
//! that cannot be read where it matters counts as the peer, never as a
//! value the sender chose.

use std::net::IpAddr;

/// Hops read from the right at most; a longer chain of trusted proxies is
/// not a deployment, and stopping bounds the work per request.
const MAX_HOPS: usize = 16;

/// An address block such as `10.0.0.0/8` or `2001:db8::/32`; a bare
/// address is a block of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("'{text}' is not an IP address or CIDR block"))?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("'{text}' has a prefix length outside 0..={bits}"))?,
        };
        Ok(Self { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// An IPv4 client seen through an IPv6 socket is still an IPv4 client.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The `trusted_proxies` setting, parsed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    pub fn parse(blocks: &[String]) -> Result<Self, String> {
        blocks
            .iter()
            .map(|b| Cidr::parse(b).map_err(|e| format!("trusted_proxies: {e}")))
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client behind `peer`, from the request's `Forwarded` header
    /// values or, when it has none, its `X-Forwarded-For` values (each in
    /// the order they arrived).
    pub fn client(&self, peer: IpAddr, forwarded: &[&str], forwarded_for: &[&str]) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<Option<IpAddr>> = if forwarded.is_empty() {
            forwarded_for
                .iter()
                .flat_map(|v| v.split(','))
                .map(|hop| plain_address(hop.trim()))
                .collect()
        } else {
            forwarded.iter().flat_map(|v| rfc7239_hops(v)).collect()
        };
        let mut client = peer;
        for hop in hops.into_iter().rev().take(MAX_HOPS) {
            let Some(ip) = hop else {
                // Unreadable, `unknown` or obfuscated: nothing to go on
                // beyond the last trusted hop.
                return peer;
            };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// An address as `X-Forwarded-For` writes it: bare, or IPv6 in brackets,
/// either with a port.
fn plain_address(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (host, port) = text.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    host.parse().ok()
}

/// The `for=` of each element of one `Forwarded` header value; an element
/// without a readable one is `None`.
fn rfc7239_hops(value: &str) -> Vec<Option<IpAddr>> {
    split_outside_quotes(value, ',')
        .into_iter()
        .map(|element| {
            split_outside_quotes(element, ';')
                .into_iter()
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, node)| plain_address(node.trim().trim_matches('"')))
        })
        .collect()
}

/// `text` cut at each `separator` that is not inside a quoted string.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut quoted, mut escaped, mut start) = (false, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies(blocks: &[&str]) -> TrustedProxies {
        let blocks: Vec<String> = blocks.iter().map(|b| b.to_string()).collect();
        TrustedProxies::parse(&blocks).unwrap()
    }

    #[test]
    fn blocks_parse_and_match() {
        let p = proxies(&["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"]);
        assert!(p.trusts(ip("10.9.8.7")));
        assert!(p.trusts(ip("::ffff:10.1.1.1")));
        assert!(p.trusts(ip("2001:db8:ffff::1")));
        assert!(p.trusts(ip("192.0.2.7")));
        assert!(!p.trusts(ip("192.0.2.8")));
        assert!(!p.trusts(ip("11.0.0.1")));
        assert!(proxies(&["0.0.0.0/0"]).trusts(ip("203.0.113.1")));
        for bad in ["10.0.0.0/33", "10.0.0/8", "::/129", "proxy", "10.0.0.0/x"] {
            assert!(TrustedProxies::parse(&[bad.to_string()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let p = proxies(&["10.0.0.1"]);
        let peer = ip("203.0.113.9");
        assert_eq!(p.client(peer, &[], &["198.51.100.1"]), peer);
        assert_eq!(p.client(peer, &["for=198.51.100.1"], &[]), peer);
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        let p = proxies(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.1");
        // The client wrote the left-most entry itself: it is not believed.
        let xff = ["6.6.6.6, 198.51.100.7", "10.0.0.2"];
        assert_eq!(p.client(peer, &[], &xff), ip("198.51.100.7"));
        let forwarded = [
            "for=6.6.6.6, for=\"[2001:db8:cafe::17]:4711\";proto=https",
            "For=10.0.0.3;by=10.0.0.1",
        ];
        assert_eq!(p.client(peer, &forwarded, &xff), ip("2001:db8:cafe::17"));
        assert_eq!(
            p.client(peer, &[], &["198.51.100.7:5000"]),
            ip("198.51.100.7")
        );
        // No header: the proxy itself.
        assert_eq!(p.client(peer, &[], &[]), peer);
    }

    #[test]
    fn an_unreadable_chain_counts_as_the_peer() {
        let p = proxies(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.1");
        assert_eq!(p.client(peer, &[], &["198.51.100.7, garbage"]), peer);
        assert_eq!(p.client(peer, &["for=unknown"], &[]), peer);
        assert_eq!(p.client(peer, &["for=_hidden"], &[]), peer);
        assert_eq!(p.client(peer, &["proto=https"], &[]), peer);
        assert_eq!(p.client(peer, &["for=\"[::1"], &[]), peer);
        // Garbage left of the client is the client's own business.
        assert_eq!(
            p.client(peer, &[], &["garbage, 198.51.100.7"]),
            ip("198.51.100.7")
        );
    }
}
