//! `Bulk/Streams/Data/Joins`: several streams' windows joined in each
//! mode, Interpolated too, with exact rows (SDS's own example), `count` and `filter`, the
//! rights of every stream checked first, through a community by header and
//! by route, and the 400s of its bounds.

use crate::helpers::*;
use crate::sds_fixtures::*;
use communityd::app::sds::data::MAX_JOINED_STREAMS;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// SDS's join example as wave values: Simple1 at orders 11, 13, 14, 16
/// and Simple2 at 12, 14, 15, 17, Radians the example's measurements.
async fn simple_streams(app: &TestApp, owner: &TestTenant) {
    for (stream, points) in [
        ("Simple1", [(11, 10.0), (13, 20.0), (14, 30.0), (16, 40.0)]),
        ("Simple2", [(12, 50.0), (14, 60.0), (15, 70.0), (17, 80.0)]),
    ] {
        app.wave_stream(owner, stream, &[]).await;
        let values: Vec<Value> = points
            .iter()
            .map(|(o, m)| json!({"Order": o, "Radians": m}))
            .collect();
        let r = app
            .post_json(
                &format!("{}/Data", stream_path(owner.id, stream)),
                &owner.token,
                &json!(values),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
}

fn v(order: i64, radians: f64) -> Value {
    json!({"Order": order, "Radians": radians})
}

fn joins(base: &str, query: &str) -> String {
    format!("{base}/Bulk/Streams/Data/Joins?{query}")
}

const BOTH: &str = "streams=Simple1,Simple2&startIndex=0&endIndex=100";

async fn joined(app: &TestApp, token: &str, path: &str) -> Value {
    json_with_status(app.get(path, token).await, StatusCode::OK).await
}

#[tokio::test]
async fn each_join_mode_answers_sds_example_rows() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    simple_streams(&app, &t).await;
    let base = ns(t.id);
    let outer = json!([
        [v(11, 10.0), null],
        [null, v(12, 50.0)],
        [v(13, 20.0), null],
        [v(14, 30.0), v(14, 60.0)],
        [null, v(15, 70.0)],
        [v(16, 40.0), null],
        [null, v(17, 80.0)]
    ]);
    for mode in ["outer", "Outer", "1"] {
        let got = joined(
            &app,
            &t.token,
            &joins(&base, &format!("{BOTH}&joinMode={mode}")),
        )
        .await;
        assert_eq!(got, outer, "{mode}");
    }
    // Outer is the default, as AVEVA's client assumes.
    assert_eq!(joined(&app, &t.token, &joins(&base, BOTH)).await, outer);
    let got = joined(
        &app,
        &t.token,
        &joins(&base, &format!("{BOTH}&joinMode=inner")),
    )
    .await;
    assert_eq!(got, json!([[v(14, 30.0), v(14, 60.0)]]));
    let got = joined(
        &app,
        &t.token,
        &joins(&base, &format!("{BOTH}&joinMode=MergeLeft")),
    )
    .await;
    assert_eq!(
        got,
        json!([
            v(11, 10.0),
            v(12, 50.0),
            v(13, 20.0),
            v(14, 30.0),
            v(15, 70.0),
            v(16, 40.0),
            v(17, 80.0)
        ])
    );
    let got = joined(&app, &t.token, &joins(&base, &format!("{BOTH}&joinMode=4"))).await;
    assert_eq!(
        got,
        json!([
            v(11, 10.0),
            v(12, 50.0),
            v(13, 20.0),
            v(14, 60.0),
            v(15, 70.0),
            v(16, 40.0),
            v(17, 80.0)
        ])
    );
    // Interpolated: each stream answers every index, between its values
    // and, before or after them, with its nearest (SDS's example).
    let interpolated = json!([
        [v(11, 10.0), v(11, 50.0)],
        [v(12, 15.0), v(12, 50.0)],
        [v(13, 20.0), v(13, 55.0)],
        [v(14, 30.0), v(14, 60.0)],
        [v(15, 35.0), v(15, 70.0)],
        [v(16, 40.0), v(16, 75.0)],
        [v(17, 40.0), v(17, 80.0)]
    ]);
    for mode in ["interpolated", "2"] {
        let got = joined(
            &app,
            &t.token,
            &joins(&base, &format!("{BOTH}&joinMode={mode}")),
        )
        .await;
        assert_eq!(got, interpolated, "{mode}");
    }
    // Neighbours outside the window count: 12 lies between 11 and 13.
    let got = joined(
        &app,
        &t.token,
        &joins(
            &base,
            "streams=Simple1,Simple2&startIndex=12&endIndex=12&joinMode=interpolated",
        ),
    )
    .await;
    assert_eq!(got, json!([[v(12, 15.0), v(12, 50.0)]]));
    // The stream order is the caller's.
    let got = joined(
        &app,
        &t.token,
        &joins(
            &base,
            "streams=Simple2,Simple1&startIndex=14&endIndex=14&joinMode=inner",
        ),
    )
    .await;
    assert_eq!(got, json!([[v(14, 60.0), v(14, 30.0)]]));
    // count caps the rows; a filter applies to every stream's values.
    let got = joined(
        &app,
        &t.token,
        &joins(&base, &format!("{BOTH}&joinMode=outer&count=3")),
    )
    .await;
    assert_eq!(
        got,
        json!([
            [v(11, 10.0), null],
            [null, v(12, 50.0)],
            [v(13, 20.0), null]
        ])
    );
    let got = joined(
        &app,
        &t.token,
        &joins(
            &base,
            &format!("{BOTH}&joinMode=outer&filter=Radians%20ge%2040"),
        ),
    )
    .await;
    assert_eq!(
        got,
        json!([
            [null, v(12, 50.0)],
            [null, v(14, 60.0)],
            [null, v(15, 70.0)],
            [v(16, 40.0), null],
            [null, v(17, 80.0)]
        ])
    );
    let got = joined(
        &app,
        &t.token,
        &joins(
            &base,
            "streams=Simple1,Simple2&startIndex=15&endIndex=16&joinMode=inner",
        ),
    )
    .await;
    assert_eq!(got, json!([]));
}

async fn refused(app: &TestApp, token: &str, path: &str, parameter: &str, needle: &str) {
    let body = assert_error(app.get(path, token).await, StatusCode::BAD_REQUEST, needle).await;
    assert_eq!(body["Parameter"], parameter, "{body}");
}

#[tokio::test]
async fn joins_refuse_what_they_cannot_answer_well() {
    let app = spawn_app().await;
    let t = app.tenant("Plant").await;
    simple_streams(&app, &t).await;
    let base = ns(t.id);
    let token = &t.token;
    refused(
        &app,
        token,
        &joins(&base, &format!("{BOTH}&joinMode=sideways")),
        "joinMode",
        "MergeLeft",
    )
    .await;
    refused(
        &app,
        token,
        &joins(&base, "startIndex=0&endIndex=1"),
        "streams",
        "required",
    )
    .await;
    refused(
        &app,
        token,
        &joins(&base, "streams=Simple1,,Simple2&startIndex=0&endIndex=1"),
        "streams",
        "required",
    )
    .await;
    let many = vec!["Simple1"; MAX_JOINED_STREAMS + 1].join(",");
    refused(
        &app,
        token,
        &joins(&base, &format!("streams={many}&startIndex=0&endIndex=1")),
        "streams",
        "more than 100",
    )
    .await;
    refused(
        &app,
        token,
        &joins(&base, "streams=Simple1&endIndex=1"),
        "startIndex",
        "required",
    )
    .await;
    refused(
        &app,
        token,
        &joins(&base, "streams=Simple1&startIndex=x&endIndex=1"),
        "startIndex",
        "not a valid",
    )
    .await;
    refused(
        &app,
        token,
        &joins(&base, &format!("{BOTH}&filter=Radians%20gt")),
        "filter",
        "found the end",
    )
    .await;
    refused(
        &app,
        token,
        &joins(&base, &format!("{BOTH}&count=0")),
        "count",
        "from 1",
    )
    .await;
    // As many streams as allowed is fine, the same one named each time.
    let most = vec!["Simple1"; MAX_JOINED_STREAMS].join(",");
    let got = joined(
        &app,
        token,
        &joins(
            &base,
            &format!("streams={most}&startIndex=11&endIndex=11&joinMode=inner"),
        ),
    )
    .await;
    assert_eq!(got[0].as_array().map(Vec::len), Some(MAX_JOINED_STREAMS));
}

#[tokio::test]
async fn every_stream_must_be_readable_before_any_is_read() {
    let app = spawn_app().await;
    let (a, b, community) = app.partners().await;
    simple_streams(&app, &a).await;
    app.share_ok(&a, &community, "Simple1").await;
    let base = ns(a.id);
    // Another tenant's namespace without a community: refused.
    assert_error(
        app.get(
            &joins(&base, "streams=Simple1&startIndex=0&endIndex=100"),
            &b.token,
        )
        .await,
        StatusCode::FORBIDDEN,
        "own tenant",
    )
    .await;
    let with_header = |query: &str| {
        app.request(
            Method::GET,
            &joins(
                &format!("/api/v1-preview/Tenants/{}/Namespaces/default", a.id),
                query,
            ),
            &b.token,
        )
        .header("community-id", &community)
        .send()
    };
    // Through the community the shared stream joins; one not shared is
    // hidden, and the whole join is refused.
    let got = json_with_status(
        with_header("streams=Simple1&startIndex=13&endIndex=14&joinMode=outer")
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(got, json!([[v(13, 20.0)], [v(14, 30.0)]]));
    assert_error(
        with_header("streams=Simple1,Simple2&startIndex=0&endIndex=100")
            .await
            .unwrap(),
        StatusCode::NOT_FOUND,
        "Simple2",
    )
    .await;
    app.share_ok(&a, &community, "Simple2").await;
    let mount = format!(
        "/api/v1-preview/Communities/{community}/Tenants/{}/Namespaces/default",
        a.id
    );
    let got = joined(
        &app,
        &b.token,
        &joins(&mount, &format!("{BOTH}&joinMode=inner")),
    )
    .await;
    assert_eq!(got, json!([[v(14, 30.0), v(14, 60.0)]]));
    let got = json_with_status(
        with_header(&format!("{BOTH}&joinMode=mergeright&count=2"))
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(got, json!([v(11, 10.0), v(12, 50.0)]));
}
