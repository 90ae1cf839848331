//! `communityd health`: asks the local server's `/health/ready`, for
//! container health checks where no HTTP client is installed. Exits
//! non-zero unless the answer is 200.

use crate::config::Settings;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Where to reach a server listening on `bind`: a wildcard address is
/// reached through loopback.
fn target(bind: &str) -> Result<SocketAddr, String> {
    let mut addr = bind
        .to_socket_addrs()
        .map_err(|e| format!("bind '{bind}' is not HOST:PORT: {e}"))?
        .next()
        .ok_or_else(|| format!("bind '{bind}' names no address"))?;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    Ok(addr)
}

pub fn check(settings: &Settings) -> Result<String, String> {
    let addr = target(&settings.bind)?;
    let timeout = Duration::from_secs(4);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("no server answers on {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET /health/ready HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("{addr}: {e}"))?;
    let mut answer = String::new();
    stream
        .take(16 * 1024)
        .read_to_string(&mut answer)
        .map_err(|e| format!("{addr}: {e}"))?;
    let status = answer.lines().next().unwrap_or_default();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    if status.split(' ').nth(1) == Some("200") {
        Ok(body.to_string())
    } else {
        Err(format!("not ready ({status}): {body}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_bind_is_checked_through_loopback() {
        assert_eq!(
            target("0.0.0.0:8080").unwrap().to_string(),
            "127.0.0.1:8080"
        );
        assert_eq!(target("127.0.0.1:9").unwrap().to_string(), "127.0.0.1:9");
        assert!(target("nonsense").is_err());
    }
}
