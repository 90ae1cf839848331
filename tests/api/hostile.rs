//! Hostile requests get a clear 4xx and the server keeps serving: image
//! bombs, requests whose body never finishes, and one address opening
//! connection after connection.

use crate::helpers::{assert_error, json_with_status, spawn_app, spawn_app_with, TestApp};
use crate::tenants::crc32;
use base64::Engine;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn icon_path(id: impl std::fmt::Display) -> String {
    format!("/api/v1/Tenants/{id}/Icon")
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut typed = kind.to_vec();
    typed.extend_from_slice(data);
    out.extend_from_slice(&typed);
    out.extend_from_slice(&crc32(&typed).to_be_bytes());
}

/// A well-formed PNG of about 70 bytes that declares `width` x `height`
/// pixels of 16-bit RGBA (8 bytes a pixel) and carries almost no data.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The largest header tried is the largest PNG allows: 2^31-1 on each side.
#[tokio::test]
async fn a_tiny_png_declaring_a_huge_image_gets_400_and_the_server_keeps_serving() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    for (w, h) in [
        (1_000_000, 1_000_000),
        (65_535, 65_535),
        (4_096, 4_096),
        (2_147_483_647, 2_147_483_647),
    ] {
        let png = png_declaring(w, h);
        assert!(png.len() < 80, "{} bytes", png.len());
        let response = app
            .put_json(&icon_path(tenant.id), &tenant.token, &json!(b64(&png)))
            .await;
        let body = assert_error(response, StatusCode::BAD_REQUEST, "declares").await;
        assert_eq!(body["Parameter"], "icon");
    }
    // Still serving, and nothing was stored.
    let response = app
        .get(&format!("/api/v1/Tenants/{}", tenant.id), &tenant.token)
        .await;
    json_with_status(response, StatusCode::OK).await;
    // An unset icon reads as an empty string.
    let response = app.get(&icon_path(tenant.id), &tenant.token).await;
    assert_eq!(json_with_status(response, StatusCode::OK).await, json!(""));
}

#[tokio::test]
async fn a_caller_without_the_right_gets_403_before_the_image_is_looked_at() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    let other = app.tenant("Fabrikam").await;
    let (_, member) = app.client(tenant.id, &[Role::TenantMember]).await;
    let bomb = b64(&png_declaring(1_000_000, 1_000_000));
    for body in [json!(bomb), json!("!!! not base64 !!!")] {
        let response = app.put_json(&icon_path(tenant.id), &member, &body).await;
        assert_error(response, StatusCode::FORBIDDEN, "Tenant Administrator").await;
        let response = app
            .put_json(&icon_path(tenant.id), &other.token, &body)
            .await;
        assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;
    }
}

fn server_address(app: &TestApp) -> SocketAddr {
    app.url
        .trim_start_matches("http://")
        .parse()
        .expect("server address")
}

/// A raw connection from 127.0.0.`last`.
async fn connect_from(last: u8, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from(([127, 0, 0, last], 0)))
        .expect("bind");
    socket.connect(server).await.expect("connect")
}

/// Reads until the status line is in, the peer closes, or 30 s pass (a
/// liveness bound, far above the deadline the server is given).
async fn read_status_line(stream: &mut (impl AsyncReadExt + Unpin)) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got.extend_from_slice(&buf[..n]);
                    if got.windows(2).any(|w| w == b"\r\n") {
                        break;
                    }
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .ok()?;
    let text = String::from_utf8_lossy(&got);
    Some(text.lines().next().unwrap_or_default().to_string())
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_off_with_408() {
    let app = spawn_app_with(|s| s.body_read_timeout = Duration::from_secs(1)).await;
    let tenant = app.tenant("Contoso").await;
    let server = server_address(&app);
    let requests = [
        format!(
            "PUT /api/v1/Tenants/{} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"CompanyName\"",
            tenant.id, tenant.token
        ),
        "POST /identity/connect/token HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ngrant_type="
            .to_string(),
        "POST /login HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ntenant="
            .to_string(),
    ];
    for request in requests {
        let stream = connect_from(12, server).await;
        let (mut reader, mut writer) = stream.into_split();
        writer
            .write_all(request.as_bytes())
            .await
            .expect("head sent");
        // One byte every 200 ms: the body would take 200 s to arrive.
        let trickle = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if writer.write_all(b" ").await.is_err() {
                    break;
                }
            }
        });
        let status = read_status_line(&mut reader).await;
        trickle.abort();
        let first_line = request.lines().next().unwrap_or_default();
        assert_eq!(
            status.as_deref(),
            Some("HTTP/1.1 408 Request Timeout"),
            "{first_line}: the server kept waiting for the body"
        );
    }
    let response = app
        .get(&format!("/api/v1/Tenants/{}", tenant.id), &tenant.token)
        .await;
    json_with_status(response, StatusCode::OK).await;
}

const DISCOVERY: &[u8] =
    b"GET /identity/.well-known/openid-configuration HTTP/1.1\r\nHost: x\r\n\r\n";

#[tokio::test]
async fn connections_over_the_per_address_limit_are_closed_at_once() {
    let app = spawn_app_with(|s| s.connections_per_peer = 3).await;
    let server = server_address(&app);
    // Three kept-alive connections, each known to be admitted.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = connect_from(13, server).await;
        stream.write_all(DISCOVERY).await.expect("request sent");
        let status = read_status_line(&mut stream).await;
        assert_eq!(status.as_deref(), Some("HTTP/1.1 200 OK"));
        held.push(stream);
    }
    let mut extra = connect_from(13, server).await;
    let _ = extra.write_all(DISCOVERY).await;
    let status = read_status_line(&mut extra).await;
    assert_eq!(
        status.as_deref(),
        Some(""),
        "a fourth connection from one address was served"
    );

    // Another address is served meanwhile.
    let mut other = connect_from(14, server).await;
    other.write_all(DISCOVERY).await.expect("request sent");
    let status = read_status_line(&mut other).await;
    assert_eq!(status.as_deref(), Some("HTTP/1.1 200 OK"));

    // Closing one gives the address its slot back (once the server has
    // seen the close).
    drop(held.pop());
    let mut served = false;
    for _ in 0..100 {
        let mut again = connect_from(13, server).await;
        let _ = again.write_all(DISCOVERY).await;
        if read_status_line(&mut again).await.as_deref() == Some("HTTP/1.1 200 OK") {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(served, "the freed slot never came back");
}

#[tokio::test]
async fn every_page_forbids_script_and_inline_style() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    let paths = [
        "/".to_string(),
        "/login".to_string(),
        "/communities".to_string(),
        "/invitations/forged-token".to_string(),
        "/pending/forged-token".to_string(),
        "/static/style.css".to_string(),
        "/no/such/page".to_string(),
        format!("/api/v1/Tenants/{}", tenant.id),
    ];
    for path in paths {
        let response = app.get(&path, &tenant.token).await;
        let policy = response
            .headers()
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no Content-Security-Policy"))
            .to_str()
            .expect("text")
            .to_string();
        assert!(policy.contains("default-src 'none'"), "{path}: {policy}");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
    }
    // The policy fits the pages: no template has inline script or inline
    // style; a script is only ever a file of the server's own.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/pages");
    for entry in std::fs::read_dir(dir).expect("templates") {
        let path = entry.expect("entry").path();
        let html = std::fs::read_to_string(&path).expect("template");
        for script in html.split("<script").skip(1) {
            assert!(
                script.starts_with(" src=\"/static/"),
                "{} has an inline script, which the policy blocks",
                path.display()
            );
        }
        for needle in ["<style", " style=", "javascript:", " onclick="] {
            assert!(
                !html.contains(needle),
                "{} has {needle}, which the policy blocks",
                path.display()
            );
        }
    }
}
