//! Which addresses a webhook may be sent to. A tenant names the URL, and
//! the service makes the request: without this, any tenant could reach
//! the operator's own network (its database, its metadata service) through
//! it. Unless the operator allows private networks, only public unicast
//! addresses are used, checked at registration and again, after resolving
//! the name, at every delivery (a name may point elsewhere by then).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why `ip` is refused as a webhook target, or `None` when it is public.
pub fn refusal(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refusal_v4(v4),
        IpAddr::V6(v6) => refusal_v6(v6),
    }
}

fn refusal_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_unspecified() || a == 0 => "an unspecified address",
        _ if ip.is_loopback() => "a loopback address",
        _ if ip.is_private() => "a private network",
        _ if ip.is_link_local() => "a link-local address",
        (100, 64..=127, _) => "a carrier-grade NAT network",
        _ if ip.is_multicast() || a >= 224 => "a multicast or reserved address",
        (192, 0, 0) | (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation network",
        (198, 18..=19, _) => "a benchmarking network",
        _ => return None,
    })
}

fn refusal_v6(ip: Ipv6Addr) -> Option<&'static str> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return refusal_v4(v4);
    }
    let first = ip.segments()[0];
    Some(match first {
        _ if ip.is_unspecified() => "an unspecified address",
        _ if ip.is_loopback() => "a loopback address",
        _ if ip.is_multicast() => "a multicast address",
        0xfc00..=0xfdff => "a unique-local network",
        0xfe80..=0xfebf => "a link-local address",
        0x2001 if ip.segments()[1] == 0x0db8 => "a documentation network",
        // IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4
        // (2002::/16) forms carry an IPv4 address that may be private.
        0 | 0x64 | 0x2002 => "an address embedding an IPv4 one",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_refused_public_ones_not() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "64:ff9b::a00:1",
        ] {
            let ip: IpAddr = refused.parse().unwrap();
            assert!(refusal(ip).is_some(), "{refused} must be refused");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert_eq!(refusal(ip), None, "{public}");
        }
    }
}
