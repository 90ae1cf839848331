//! Hostile requests get a clear 4xx and the server keeps serving: image
//! bombs, requests whose body never finishes, and one address opening
//! connection after connection.

use crate::helpers::{assert_error, json_with_status, spawn_app};
use crate::tenants::crc32;
use base64::Engine;
use communityd::domain::role::Role;
use reqwest::StatusCode;
use serde_json::json;

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
