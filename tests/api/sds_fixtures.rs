//! Building SDS data for a test: the SDK's WaveData type, streams and values,
//! through the same routes AVEVA's client calls.

use crate::helpers::*;
use communityd::app::sds::data::WRITE_LIMIT;
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

pub fn ns(tenant: impl std::fmt::Display) -> String {
    format!("/api/v1/Tenants/{tenant}/Namespaces/default")
}

pub fn stream_path(tenant: impl std::fmt::Display, stream: &str) -> String {
    format!("{}/Streams/{stream}", ns(tenant))
}

/// The type AVEVA's sample sends (property types nested, codes by name).
pub fn wave_type() -> Value {
    json!({
        "Id": "WaveData_SampleType", "SdsTypeCode": "Object", "Name": "WaveDataSample",
        "Description": "WaveData events",
        "Properties": [
            {"Id": "Order", "IsKey": true, "SdsType": {"Id": "intType", "SdsTypeCode": "Int32", "Properties": []}},
            {"Id": "Radians", "IsKey": false, "SdsType": {"Id": "doubleType", "SdsTypeCode": "Double", "Properties": []}}
        ]
    })
}

pub fn wave(order: i64) -> Value {
    json!({"Order": order, "Radians": order as f64 / 10.0})
}

pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    let mut request = app.request(method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request sent")
}

impl TestApp {
    /// Creates the wave type (if needed) and a stream of it with values at `orders`.
    pub async fn wave_stream(&self, owner: &TestTenant, stream: &str, orders: &[i64]) {
        let created = self
            .post_json(
                &format!("{}/Types/WaveData_SampleType", ns(owner.id)),
                &owner.token,
                &wave_type(),
            )
            .await;
        assert!(created.status().is_success(), "type: {}", created.status());
        let body = json!({"Id": stream, "TypeId": "WaveData_SampleType", "Name": stream, "Description": "waves"});
        json_with_status(
            self.post_json(&stream_path(owner.id, stream), &owner.token, &body)
                .await,
            StatusCode::CREATED,
        )
        .await;
        // In requests of the per-request cap, as a client writing that many must.
        for chunk in orders.chunks(WRITE_LIMIT) {
            let values: Vec<Value> = chunk.iter().map(|o| wave(*o)).collect();
            let response = self
                .post_json(
                    &format!("{}/Data", stream_path(owner.id, stream)),
                    &owner.token,
                    &json!(values),
                )
                .await;
            assert_eq!(response.status(), StatusCode::NO_CONTENT);
        }
    }

    /// The Community Member role id of a community, from the Community itself.
    pub async fn member_role(&self, viewer: &TestTenant, community: &str) -> String {
        let body = json_with_status(
            self.get(
                &format!("{}/{community}", communities_path(viewer.id)),
                &viewer.token,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        body["MemberRoleId"]
            .as_str()
            .expect("MemberRoleId")
            .to_string()
    }

    /// The SDK's share: a JSON Patch adding the member role with Read.
    pub async fn share(
        &self,
        owner: &TestTenant,
        token: &str,
        stream: &str,
        role: &str,
    ) -> Response {
        let patch = json!([{
            "op": "add", "path": "/RoleTrusteeAccessControlEntries/-",
            "value": {"AccessRights": 1, "AccessType": 0, "Trustee": {"ObjectId": role, "TenantId": null, "Type": "Role"}}
        }]);
        send(
            self,
            Method::PATCH,
            &format!("{}/AccessControl", stream_path(owner.id, stream)),
            token,
            Some(patch),
        )
        .await
    }

    /// Shares, asserting 204.
    pub async fn share_ok(&self, owner: &TestTenant, community: &str, stream: &str) {
        let role = self.member_role(owner, community).await;
        let response = self.share(owner, &owner.token, stream, &role).await;
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "{}",
            response.text().await.unwrap_or_default()
        );
    }

    /// Stream ids a community search returns to `viewer`.
    pub async fn search_ids(
        &self,
        viewer: &TestTenant,
        community: &str,
        query: &str,
    ) -> Vec<String> {
        let body = json_with_status(
            self.get(
                &format!("/api/v1-preview/Search/Communities/{community}/Streams?query={query}"),
                &viewer.token,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        body.as_array()
            .expect("array")
            .iter()
            .map(|s| s["Id"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}
