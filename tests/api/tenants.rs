//! Tenants API: GET/HEAD/PUT /api/v1/Tenants/{tenantId}, its Icon and Regions.

use crate::helpers::{
    assert_error, json_with_status, spawn_app, spawn_app_with, TestApp, TestTenant,
};
use base64::Engine;
use chrono::{DateTime, FixedOffset};
use communityd::domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A real 1x1 PNG.
const TINY_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn tenant_path(id: impl std::fmt::Display) -> String {
    format!("/api/v1/Tenants/{id}")
}

fn icon_path(id: impl std::fmt::Display) -> String {
    format!("/api/v1/Tenants/{id}/Icon")
}

fn regions_path(id: impl std::fmt::Display) -> String {
    format!("/api/v1/Tenants/{id}/Regions")
}

fn rfc3339(body: &Value, key: &str) -> DateTime<FixedOffset> {
    let text = body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string: {body}"));
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{key} '{text}' is not RFC 3339: {e}"))
}

/// The tenant as its own administrator sees it.
async fn read_tenant(app: &TestApp, tenant: &TestTenant) -> Value {
    json_with_status(
        app.get(&tenant_path(tenant.id), &tenant.token).await,
        StatusCode::OK,
    )
    .await
}

async fn head(app: &TestApp, path: &str, token: &str) -> StatusCode {
    app.request(Method::HEAD, path, token)
        .send()
        .await
        .expect("request sent")
        .status()
}

/// 1x1 PNG grown to exactly `size` bytes by a private ancillary chunk after
/// IHDR (decoders skip it), so it is still a real PNG.
fn png_of_size(size: usize) -> Vec<u8> {
    let tiny = base64::engine::general_purpose::STANDARD
        .decode(TINY_PNG)
        .expect("tiny png");
    let after_ihdr = 8 + 12 + 13;
    let data_len = size - tiny.len() - 12;
    let mut chunk = Vec::with_capacity(data_len + 12);
    chunk.extend_from_slice(&(data_len as u32).to_be_bytes());
    let mut typed = b"prVt".to_vec();
    typed.resize(4 + data_len, b'x');
    chunk.extend_from_slice(&typed);
    chunk.extend_from_slice(&crc32(&typed).to_be_bytes());
    let mut out = tiny[..after_ihdr].to_vec();
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&tiny[after_ihdr..]);
    assert_eq!(out.len(), size);
    out
}

/// CRC-32 (IEEE) as PNG chunks use it.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn a_tenant_reads_its_own_tenant_with_properties() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let body = read_tenant(&app, &tenant).await;

    assert_eq!(body["Id"], tenant.id.to_string());
    assert_eq!(body["CompanyName"], "Contoso");
    assert_eq!(body["Alias"], "Contoso");
    assert_eq!(body["State"], 1, "an operator-created tenant is Active (1)");
    let created = rfc3339(&body, "Created");
    let updated = rfc3339(&body, "LastUpdated");
    assert!(
        updated >= created,
        "LastUpdated {updated} is before Created {created}"
    );
}

#[tokio::test]
async fn a_tenant_member_may_read_its_tenant() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    let (_, member) = app.client(tenant.id, &[Role::TenantMember]).await;

    let body = json_with_status(
        app.get(&tenant_path(tenant.id), &member).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["Id"], tenant.id.to_string());
    assert_eq!(body["CompanyName"], "Contoso");
}

#[tokio::test]
async fn another_existing_tenant_is_forbidden_for_every_operation() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;

    let response = app.get(&tenant_path(fabrikam.id), &contoso.token).await;
    assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;

    let response = app
        .put_json(
            &tenant_path(fabrikam.id),
            &contoso.token,
            &json!({"CompanyName": "Hijacked"}),
        )
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;

    let response = app.get(&icon_path(fabrikam.id), &contoso.token).await;
    assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;

    let response = app
        .put_json(&icon_path(fabrikam.id), &contoso.token, &json!(TINY_PNG))
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;

    // Fabrikam's own icon survives Contoso's DELETE.
    json_with_status(
        app.put_json(&icon_path(fabrikam.id), &fabrikam.token, &json!(TINY_PNG))
            .await,
        StatusCode::OK,
    )
    .await;
    let response = app.delete(&icon_path(fabrikam.id), &contoso.token).await;
    assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;

    let response = app.get(&regions_path(fabrikam.id), &contoso.token).await;
    assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;

    // Nothing of Fabrikam changed.
    let body = read_tenant(&app, &fabrikam).await;
    assert_eq!(body["CompanyName"], "Fabrikam");
    let icon = json_with_status(
        app.get(&icon_path(fabrikam.id), &fabrikam.token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(icon, json!(TINY_PNG));
}

#[tokio::test]
async fn an_unknown_tenant_is_forbidden_on_get_and_not_found_on_head_and_regions() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    let unknown = uuid::Uuid::new_v4();

    let response = app.get(&tenant_path(unknown), &tenant.token).await;
    assert_error(response, StatusCode::FORBIDDEN, "own tenant").await;

    assert_eq!(
        head(&app, &tenant_path(unknown), &tenant.token).await,
        StatusCode::NOT_FOUND
    );

    let response = app.get(&regions_path(unknown), &tenant.token).await;
    assert_error(response, StatusCode::NOT_FOUND, "does not exist").await;
}

#[tokio::test]
async fn head_on_the_own_tenant_is_no_content() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app
        .request(Method::HEAD, &tenant_path(tenant.id), &tenant.token)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.expect("body").is_empty());
}

#[tokio::test]
async fn literal_path_segments_match_in_any_case() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    for path in [
        format!("/API/V1/TENANTS/{}", tenant.id),
        format!("/api/v1/tenants/{}", tenant.id),
        format!("/Api/v1/tEnAnTs/{}", tenant.id.to_string().to_uppercase()),
    ] {
        let body = json_with_status(app.get(&path, &tenant.token).await, StatusCode::OK).await;
        assert_eq!(body["Id"], tenant.id.to_string(), "{path}");
    }
    let body = json_with_status(
        app.get(
            &format!("/API/V1/TENANTS/{}/REGIONS", tenant.id),
            &tenant.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn an_invalid_guid_is_a_bad_request_naming_tenant_id() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    for path in [
        tenant_path("not-a-guid"),
        icon_path("not-a-guid"),
        regions_path("12345"),
    ] {
        let body = assert_error(
            app.get(&path, &tenant.token).await,
            StatusCode::BAD_REQUEST,
            "tenantId",
        )
        .await;
        assert_eq!(body["Parameter"], "tenantId", "{path}: {body}");
    }
    let response = app
        .put_json(
            &tenant_path("not-a-guid"),
            &tenant.token,
            &json!({"CompanyName": "X"}),
        )
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "tenantId").await;
}

#[tokio::test]
async fn a_tenant_administrator_changes_company_name_and_alias() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    let before = read_tenant(&app, &tenant).await;

    app.clock.advance(chrono::Duration::minutes(1));
    let response = app
        .put_json(
            &tenant_path(tenant.id),
            &tenant.token,
            &json!({"Id": tenant.id.to_string(), "CompanyName": "Contoso Ltd", "Alias": "contoso-ltd", "State": 1}),
        )
        .await;
    let updated = json_with_status(response, StatusCode::OK).await;

    assert_eq!(updated["Id"], tenant.id.to_string());
    assert_eq!(updated["CompanyName"], "Contoso Ltd");
    assert_eq!(updated["Alias"], "contoso-ltd");
    assert_eq!(updated["State"], 1);
    assert_eq!(
        updated["Created"], before["Created"],
        "Created must not change"
    );
    assert!(
        rfc3339(&updated, "LastUpdated") > rfc3339(&before, "LastUpdated"),
        "LastUpdated did not move forward: {} -> {}",
        before["LastUpdated"],
        updated["LastUpdated"]
    );

    // Stored, not just echoed.
    let stored = read_tenant(&app, &tenant).await;
    assert_eq!(stored, updated);
}

#[tokio::test]
async fn a_company_name_of_100_characters_is_accepted() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    let name = "n".repeat(100);

    let response = app
        .put_json(
            &tenant_path(tenant.id),
            &tenant.token,
            &json!({"CompanyName": name}),
        )
        .await;
    let body = json_with_status(response, StatusCode::OK).await;
    assert_eq!(body["CompanyName"], name);
    assert_eq!(read_tenant(&app, &tenant).await["CompanyName"], name);
}

#[tokio::test]
async fn the_tenant_id_is_immutable() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    let other = uuid::Uuid::new_v4().to_string();

    let response = app
        .put_json(
            &tenant_path(tenant.id),
            &tenant.token,
            &json!({"Id": other, "CompanyName": "Renamed"}),
        )
        .await;
    let body = assert_error(response, StatusCode::BAD_REQUEST, "Id").await;
    assert_eq!(body["Parameter"], "Id");

    let stored = read_tenant(&app, &tenant).await;
    assert_eq!(stored["Id"], tenant.id.to_string());
    assert_eq!(
        stored["CompanyName"], "Contoso",
        "a refused PUT changed the tenant"
    );
}

#[tokio::test]
async fn the_state_cannot_be_changed_through_the_api() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app
        .put_json(
            &tenant_path(tenant.id),
            &tenant.token,
            &json!({"State": 3, "CompanyName": "Renamed"}),
        )
        .await;
    let body = assert_error(response, StatusCode::BAD_REQUEST, "State").await;
    assert_eq!(body["Parameter"], "State");

    let stored = read_tenant(&app, &tenant).await;
    assert_eq!(stored["State"], 1);
    assert_eq!(
        stored["CompanyName"], "Contoso",
        "a refused PUT changed the tenant"
    );
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    for body in [
        "{not json",
        "{\"CompanyName\": \"Renamed\"",
        "{\"CompanyName\": \"Renamed\",}",
    ] {
        let response = app
            .send_raw(Method::PUT, &tenant_path(tenant.id), &tenant.token, body)
            .await;
        let error = assert_error(response, StatusCode::BAD_REQUEST, "body").await;
        assert_eq!(error["Parameter"], "body", "{body}: {error}");
    }

    assert_eq!(read_tenant(&app, &tenant).await["CompanyName"], "Contoso");
}

#[tokio::test]
async fn a_company_name_of_the_wrong_type_is_a_bad_request_naming_it() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app
        .put_json(
            &tenant_path(tenant.id),
            &tenant.token,
            &json!({"CompanyName": 5}),
        )
        .await;
    let body = assert_error(response, StatusCode::BAD_REQUEST, "CompanyName").await;
    assert_eq!(body["Parameter"], "CompanyName");

    assert_eq!(read_tenant(&app, &tenant).await["CompanyName"], "Contoso");
}

#[tokio::test]
async fn an_over_long_company_name_is_a_bad_request() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app
        .put_json(
            &tenant_path(tenant.id),
            &tenant.token,
            &json!({"CompanyName": "n".repeat(101)}),
        )
        .await;
    let body = assert_error(response, StatusCode::BAD_REQUEST, "CompanyName").await;
    assert_eq!(body["Parameter"], "CompanyName");

    assert_eq!(read_tenant(&app, &tenant).await["CompanyName"], "Contoso");
}

#[tokio::test]
async fn an_alias_taken_by_another_tenant_is_a_conflict() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    app.tenant("Fabrikam").await;

    // Aliases are unique regardless of case.
    let response = app
        .put_json(
            &tenant_path(contoso.id),
            &contoso.token,
            &json!({"Alias": "fabrikam", "CompanyName": "Renamed"}),
        )
        .await;
    assert_error(response, StatusCode::CONFLICT, "fabrikam").await;

    let stored = read_tenant(&app, &contoso).await;
    assert_eq!(stored["Alias"], "Contoso");
    assert_eq!(
        stored["CompanyName"], "Contoso",
        "a refused PUT changed the tenant"
    );
}

#[tokio::test]
async fn a_tenant_member_cannot_update_the_tenant() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    let (_, member) = app.client(tenant.id, &[Role::TenantMember]).await;

    let response = app
        .put_json(
            &tenant_path(tenant.id),
            &member,
            &json!({"CompanyName": "Renamed"}),
        )
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "Tenant Administrator").await;

    assert_eq!(read_tenant(&app, &tenant).await["CompanyName"], "Contoso");
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_bad_request_naming_body() {
    let app = spawn_app_with(|s| s.body_limit_bytes = 2048).await;
    let tenant = app.tenant("Contoso").await;

    let body = json!({"CompanyName": "n".repeat(4000 - 20)}).to_string();
    assert!(
        body.len() >= 3990 && body.len() <= 4000,
        "body is {} bytes",
        body.len()
    );
    let response = app
        .request(Method::PUT, &tenant_path(tenant.id), &tenant.token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request sent");
    let error = assert_error(response, StatusCode::BAD_REQUEST, "body").await;
    assert_eq!(error["Parameter"], "body");

    // A body within the limit is still served.
    let response = app
        .put_json(
            &tenant_path(tenant.id),
            &tenant.token,
            &json!({"CompanyName": "Contoso Ltd"}),
        )
        .await;
    assert_eq!(
        json_with_status(response, StatusCode::OK).await["CompanyName"],
        "Contoso Ltd"
    );
}

#[tokio::test]
async fn a_tenant_without_an_icon_answers_an_empty_string() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    // The seed documents only 200 (a Base64 string) for this route.
    let response = app.get(&icon_path(tenant.id), &tenant.token).await;
    assert_eq!(json_with_status(response, StatusCode::OK).await, json!(""));
}

#[tokio::test]
async fn an_icon_is_set_read_and_deleted() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app
        .put_json(&icon_path(tenant.id), &tenant.token, &json!(TINY_PNG))
        .await;
    assert_eq!(
        json_with_status(response, StatusCode::OK).await,
        json!(TINY_PNG)
    );

    let response = app.get(&icon_path(tenant.id), &tenant.token).await;
    assert_eq!(
        json_with_status(response, StatusCode::OK).await,
        json!(TINY_PNG)
    );

    // Tenant members see it too.
    let (_, member) = app.client(tenant.id, &[Role::TenantMember]).await;
    let response = app.get(&icon_path(tenant.id), &member).await;
    assert_eq!(
        json_with_status(response, StatusCode::OK).await,
        json!(TINY_PNG)
    );

    let response = app.delete(&icon_path(tenant.id), &tenant.token).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let response = app.get(&icon_path(tenant.id), &tenant.token).await;
    assert_eq!(json_with_status(response, StatusCode::OK).await, json!(""));
}

#[tokio::test]
async fn an_icon_that_is_not_base64_is_a_bad_request() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let response = app
        .put_json(
            &icon_path(tenant.id),
            &tenant.token,
            &json!("!!! not base64 !!!"),
        )
        .await;
    let body = assert_error(response, StatusCode::BAD_REQUEST, "base64").await;
    assert_eq!(body["Parameter"], "icon");

    let response = app.get(&icon_path(tenant.id), &tenant.token).await;
    assert_eq!(json_with_status(response, StatusCode::OK).await, json!(""));
}

#[tokio::test]
async fn an_icon_that_only_looks_like_a_png_is_a_bad_request() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    json_with_status(
        app.put_json(&icon_path(tenant.id), &tenant.token, &json!(TINY_PNG))
            .await,
        StatusCode::OK,
    )
    .await;

    let fake = b64(b"\x89PNG\r\n\x1a\nthis is not really a png at all");
    let response = app
        .put_json(&icon_path(tenant.id), &tenant.token, &json!(fake))
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "PNG").await;

    let jpeg_ish = b64(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0]);
    let response = app
        .put_json(&icon_path(tenant.id), &tenant.token, &json!(jpeg_ish))
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "PNG").await;

    // The earlier icon is untouched.
    let response = app.get(&icon_path(tenant.id), &tenant.token).await;
    assert_eq!(
        json_with_status(response, StatusCode::OK).await,
        json!(TINY_PNG)
    );
}

#[tokio::test]
async fn an_icon_must_decode_to_fewer_than_65536_bytes() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let largest = b64(&png_of_size(65535));
    let response = app
        .put_json(&icon_path(tenant.id), &tenant.token, &json!(largest))
        .await;
    assert_eq!(
        json_with_status(response, StatusCode::OK).await,
        json!(largest),
        "a 65535-byte PNG is allowed"
    );

    let too_big = b64(&png_of_size(65536));
    let response = app
        .put_json(&icon_path(tenant.id), &tenant.token, &json!(too_big))
        .await;
    assert_error(response, StatusCode::BAD_REQUEST, "65536").await;

    let response = app.get(&icon_path(tenant.id), &tenant.token).await;
    assert_eq!(
        json_with_status(response, StatusCode::OK).await,
        json!(largest),
        "the refused icon replaced the stored one"
    );
}

#[tokio::test]
async fn a_tenant_member_cannot_change_the_icon() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    let (_, member) = app.client(tenant.id, &[Role::TenantMember]).await;

    let response = app
        .put_json(&icon_path(tenant.id), &member, &json!(TINY_PNG))
        .await;
    assert_error(response, StatusCode::FORBIDDEN, "Tenant Administrator").await;
    let response = app.get(&icon_path(tenant.id), &tenant.token).await;
    assert_eq!(json_with_status(response, StatusCode::OK).await, json!(""));

    json_with_status(
        app.put_json(&icon_path(tenant.id), &tenant.token, &json!(TINY_PNG))
            .await,
        StatusCode::OK,
    )
    .await;
    let response = app.delete(&icon_path(tenant.id), &member).await;
    assert_error(response, StatusCode::FORBIDDEN, "Tenant Administrator").await;
    let response = app.get(&icon_path(tenant.id), &tenant.token).await;
    assert_eq!(
        json_with_status(response, StatusCode::OK).await,
        json!(TINY_PNG)
    );
}

#[tokio::test]
async fn regions_list_this_installation() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;

    let body = json_with_status(
        app.get(&regions_path(tenant.id), &tenant.token).await,
        StatusCode::OK,
    )
    .await;
    let regions = body.as_array().expect("an array of regions");
    assert_eq!(regions.len(), 1, "{body}");
    assert_eq!(regions[0]["BaseAddress"], app.url.as_str());
    assert!(
        regions[0]["Id"].is_string() && regions[0]["Name"].is_string(),
        "{body}"
    );
}

#[tokio::test]
async fn tenant_changes_and_the_icon_survive_a_restart() {
    let app = spawn_app().await;
    let tenant = app.tenant("Contoso").await;
    let response = app
        .put_json(
            &tenant_path(tenant.id),
            &tenant.token,
            &json!({"CompanyName": "Contoso Ltd", "Alias": "contoso-ltd"}),
        )
        .await;
    let before = json_with_status(response, StatusCode::OK).await;
    json_with_status(
        app.put_json(&icon_path(tenant.id), &tenant.token, &json!(TINY_PNG))
            .await,
        StatusCode::OK,
    )
    .await;

    let app = app.restart().await;

    let token = app.token(tenant.client_id, &tenant.client_secret).await;
    let after = json_with_status(
        app.get(&tenant_path(tenant.id), &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["CompanyName"], "Contoso Ltd");
    assert_eq!(after, before);
    let icon = json_with_status(app.get(&icon_path(tenant.id), &token).await, StatusCode::OK).await;
    assert_eq!(icon, json!(TINY_PNG));
}
