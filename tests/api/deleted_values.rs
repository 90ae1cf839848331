//! Deleting a large stream takes its turn like a write: its values go a
//! batch per transaction after the stream itself is gone, and none of them
//! is ever seen again.

use crate::helpers::spawn_app;
use crate::sds_fixtures::{stream_path, wave};
use communityd::app::sds::streams::PURGE_BATCH;
use communityd::store::{tables, StoreError};
use redb::ReadableTableMetadata;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

/// Values stored, in every stream, and deleted streams still being purged.
async fn stored(app: &crate::helpers::TestApp) -> (u64, u64) {
    app.ctx
        .store
        .redb()
        .expect("redb's own tables")
        .read(|tx| {
            let values = tx.open_table(tables::SDS_VALUES)?.len()?;
            let purges = match tx.open_table(tables::SDS_VALUE_PURGES) {
                Ok(table) => table.len()?,
                Err(redb::TableError::TableDoesNotExist(_)) => 0,
                Err(e) => return Err(StoreError::from(e)),
            };
            Ok::<_, StoreError>((values, purges))
        })
        .await
        .expect("read")
}

#[tokio::test]
async fn a_large_streams_values_go_in_batches_after_it_and_never_come_back() {
    if crate::helpers::redb_only("counts the values and purges in redb's tables") {
        return;
    }
    let app = spawn_app().await;
    let owner = app.tenant("Purger").await;
    let orders: Vec<i64> = (0..(PURGE_BATCH as i64 * 5 / 2)).collect();
    app.wave_stream(&owner, "big", &orders).await;
    assert_eq!(stored(&app).await, (orders.len() as u64, 0));

    let path = stream_path(owner.id, "big");
    let deleted = app.delete(&path, &owner.token).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&path, &owner.token).await.status(),
        StatusCode::NOT_FOUND
    );

    // Made again under the same id, the stream is empty: none of the old
    // values, purged or not, belongs to it.
    app.wave_stream(&owner, "big", &[]).await;
    let data = app.get(&format!("{path}/Data/Last"), &owner.token).await;
    assert_eq!(data.status(), StatusCode::OK);
    assert_eq!(data.json::<serde_json::Value>().await.unwrap(), json!(null));
    let written = app
        .post_json(&format!("{path}/Data"), &owner.token, &json!([wave(7)]))
        .await;
    assert_eq!(written.status(), StatusCode::NO_CONTENT);

    let deadline = Instant::now() + Duration::from_secs(30);
    while stored(&app).await != (1, 0) {
        assert!(Instant::now() < deadline, "left: {:?}", stored(&app).await);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
