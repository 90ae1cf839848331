//! Writes are fair between tenants: a tenant's many large writes take turns
//! with everyone else's instead of going in front of them, and no request
//! writes (or removes) more values than one turn allows.

use crate::helpers::{assert_error, json_with_status, spawn_app, TestApp};
use crate::sds_fixtures::{stream_path, wave};
use communityd::app::sds::data::WRITE_LIMIT;
use communityd::store::tables::SDS_VALUES;
use communityd::store::StoreError;
use redb::ReadableTableMetadata;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Large writes tenant A has in flight at once, each on its own
/// connection (within the server's connections per peer).
const BULK: usize = 48;

fn values(from: usize, count: usize) -> Value {
    json!((from..from + count)
        .map(|o| wave(o as i64))
        .collect::<Vec<_>>())
}

/// Waits until `n` writes are queued for the commit thread.
async fn until_queued(app: &TestApp, n: usize) {
    let store = &app.ctx.store;
    for _ in 0..6_000 {
        if store.queued_writes() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{n} writes never queued ({} are)", store.queued_writes());
}

/// Values stored in every stream, read from the database itself.
async fn values_stored(app: &TestApp) -> u64 {
    app.ctx
        .store
        .redb()
        .expect("redb's own tables")
        .read(|tx| {
            let values = tx.open_table(SDS_VALUES).map_err(StoreError::from)?;
            values.len().map_err(StoreError::from)
        })
        .await
        .expect("count")
}

/// Counted, not timed: the commit thread is held while tenant A's large
/// writes queue up and then B's small one; once it is let go, a fair queue
/// answers B before most of A's writes are even committed, while first
/// come, first served commits every one of them first.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_small_write_is_answered_before_most_of_another_tenants_queued_large_writes() {
    if crate::helpers::redb_only("redb's commit thread and its fair queue") {
        return;
    }
    let app = Arc::new(spawn_app().await);
    let a = Arc::new(app.tenant("Bulky").await);
    let b = app.tenant("Small").await;
    app.wave_stream(&a, "bulk", &[]).await;
    app.wave_stream(&b, "small", &[]).await;

    let (let_go, held) = std::sync::mpsc::channel::<()>();
    let store = app.ctx.store.clone();
    let hold = tokio::spawn(async move {
        store
            .write(move |_| {
                let _ = held.recv();
                Ok::<_, StoreError>(())
            })
            .await
    });
    let answered = Arc::new(AtomicUsize::new(0));
    let bulk: Vec<_> = (0..BULK)
        .map(|i| {
            let (app, a, answered) = (app.clone(), a.clone(), answered.clone());
            tokio::spawn(async move {
                let path = format!("{}/Data", stream_path(a.id, "bulk"));
                let body = values(i * WRITE_LIMIT, WRITE_LIMIT);
                let response = app.post_json(&path, &a.token, &body).await;
                assert_eq!(response.status(), StatusCode::NO_CONTENT, "A's write {i}");
                answered.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    until_queued(&app, BULK).await;
    let small = {
        let app = app.clone();
        tokio::spawn(async move {
            let path = format!("{}/Data", stream_path(b.id, "small"));
            let response = app.post_json(&path, &b.token, &values(0, 1)).await;
            assert_eq!(response.status(), StatusCode::NO_CONTENT);
            values_stored(&app).await - 1
        })
    };
    until_queued(&app, BULK + 1).await;
    let_go.send(()).expect("the held write waits");
    let a_stored = small.await.expect("B's writer") as usize;
    hold.await.expect("held write").expect("held write commits");
    for task in bulk {
        task.await.expect("A's writer");
    }
    let a_writes = a_stored.div_ceil(WRITE_LIMIT);
    assert!(
        a_writes <= BULK / 4,
        "B's write was answered once {a_writes} of the {BULK} large writes queued before it were committed"
    );
    assert_eq!(answered.load(Ordering::SeqCst), BULK);
    let all = format!(
        "{}/Data?startIndex=0&endIndex={}&count=1&continuationToken=",
        stream_path(a.id, "bulk"),
        BULK * WRITE_LIMIT
    );
    let page = json_with_status(app.get(&all, &a.token).await, StatusCode::OK).await;
    assert_eq!(page["Results"][0]["Order"], 0, "A's writes are stored");
    assert_eq!(values_stored(&app).await as usize, BULK * WRITE_LIMIT + 1);
}

#[tokio::test]
async fn a_write_of_more_values_than_the_limit_is_refused_whole_and_naming_the_body() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    app.wave_stream(&t, "s", &[]).await;
    let data = format!("{}/Data", stream_path(t.id, "s"));
    for (method, path) in [
        (reqwest::Method::POST, data.clone()),
        (reqwest::Method::PUT, data.clone()),
        (reqwest::Method::PUT, format!("{data}?allowCreate=false")),
    ] {
        let response = app
            .request(method.clone(), &path, &t.token)
            .json(&values(0, WRITE_LIMIT + 1))
            .send()
            .await
            .expect("request sent");
        let body = assert_error(response, StatusCode::BAD_REQUEST, "body").await;
        let reason = body["Reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains(&WRITE_LIMIT.to_string()),
            "{method} {reason}"
        );
    }
    let first = app.get(&format!("{data}/First"), &t.token).await;
    let first = json_with_status(first, StatusCode::OK).await;
    assert_eq!(first, Value::Null, "nothing of a refused write is stored");

    let at_limit = app
        .post_json(&data, &t.token, &values(0, WRITE_LIMIT))
        .await;
    assert_eq!(at_limit.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn removing_a_window_of_more_values_than_the_limit_is_refused_and_removes_nothing() {
    let app = spawn_app().await;
    let t = app.tenant("Contoso").await;
    app.wave_stream(&t, "s", &[]).await;
    let data = format!("{}/Data", stream_path(t.id, "s"));
    for from in [0, WRITE_LIMIT] {
        let stored = app
            .post_json(&data, &t.token, &values(from, WRITE_LIMIT))
            .await;
        assert_eq!(stored.status(), StatusCode::NO_CONTENT);
    }
    let everything = format!("{data}?startIndex=0&endIndex={}", 2 * WRITE_LIMIT);
    assert_error(
        app.delete(&everything, &t.token).await,
        StatusCode::BAD_REQUEST,
        "smaller windows",
    )
    .await;
    let last = json_with_status(
        app.get(&format!("{data}/Last"), &t.token).await,
        StatusCode::OK,
    );
    assert_eq!(last.await["Order"], 2 * WRITE_LIMIT - 1, "nothing removed");

    let half = format!("{data}?startIndex=0&endIndex={}", WRITE_LIMIT - 1);
    assert_eq!(
        app.delete(&half, &t.token).await.status(),
        StatusCode::NO_CONTENT
    );
    let first = json_with_status(
        app.get(&format!("{data}/First"), &t.token).await,
        StatusCode::OK,
    );
    assert_eq!(
        first.await["Order"],
        WRITE_LIMIT,
        "a window within the limit goes"
    );
}
