//! Names that impersonate: a tenant's CompanyName and a community's name are
//! what emails and the Join and Confirm pages show as proof of who is who.

use crate::helpers::*;
use communityd::app::{admin, AppError};
use reqwest::StatusCode;
use serde_json::json;

const DECEPTIVE: [&str; 8] = [
    "Contoso\u{202E}dtL",
    "\u{202D}Contoso",
    "\u{2066}Contoso\u{2069}",
    "Contoso\u{200F}",
    "Contoso\u{200E}",
    "Con\u{0}toso",
    "Con\u{1b}[31mtoso",
    "Contoso\r\nBcc: x@example.com",
];

#[tokio::test]
async fn company_names_with_controls_or_bidi_overrides_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    for name in DECEPTIVE {
        let r = app
            .put_json(
                &format!("/api/v1/Tenants/{}", contoso.id),
                &contoso.token,
                &json!({ "CompanyName": name }),
            )
            .await;
        let body = assert_error(r, StatusCode::BAD_REQUEST, "CompanyName").await;
        assert!(body["Reason"].as_str().unwrap().contains("bidirectional"));
    }
    let store = app.ctx.store.clone();
    let refused = tokio::task::spawn_blocking(move || {
        DECEPTIVE.map(|name| {
            admin::create_tenant(&store, name, "a@x.example", None, chrono::Utc::now()).is_err()
        })
    })
    .await
    .unwrap();
    assert!(refused.iter().all(|r| *r), "the CLI created {refused:?}");
}

#[tokio::test]
async fn community_names_and_aliases_with_controls_or_bidi_overrides_are_refused() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    for name in DECEPTIVE {
        let r = app
            .post_json(
                &communities_path(contoso.id),
                &contoso.token,
                &json!({ "Name": name }),
            )
            .await;
        assert_error(r, StatusCode::BAD_REQUEST, "Name").await;
        for field in ["Name", "Alias"] {
            let r = app
                .put_json(
                    &format!("{}/{community}", communities_path(contoso.id)),
                    &contoso.token,
                    &json!({ field: name }),
                )
                .await;
            assert_error(r, StatusCode::BAD_REQUEST, field).await;
        }
    }
}

#[tokio::test]
async fn company_names_are_unique_whatever_the_case() {
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    for clash in ["contoso", "CONTOSO", "  Contoso  "] {
        let r = app
            .put_json(
                &format!("/api/v1/Tenants/{}", fabrikam.id),
                &fabrikam.token,
                &json!({ "CompanyName": clash }),
            )
            .await;
        assert_error(r, StatusCode::CONFLICT, "CompanyName").await;
    }
    // A tenant may change the case of its own name.
    let r = app
        .put_json(
            &format!("/api/v1/Tenants/{}", contoso.id),
            &contoso.token,
            &json!({ "CompanyName": "CONTOSO" }),
        )
        .await;
    json_with_status(r, StatusCode::OK).await;
    // Fabrikam renames itself; the CLI cannot then create that name again,
    // in any case, even though no alias holds it.
    let r = app
        .put_json(
            &format!("/api/v1/Tenants/{}", fabrikam.id),
            &fabrikam.token,
            &json!({ "CompanyName": "Northwind Traders" }),
        )
        .await;
    json_with_status(r, StatusCode::OK).await;
    let store = app.ctx.store.clone();
    let results = tokio::task::spawn_blocking(move || {
        ["northwind traders", "contoso", "Fabrikam2"]
            .map(|name| admin::create_tenant(&store, name, "a@x.example", None, chrono::Utc::now()))
    })
    .await
    .unwrap();
    assert!(
        matches!(&results[0], Err(AppError::Conflict(_))),
        "{:?}",
        results[0]
    );
    assert!(
        matches!(&results[1], Err(AppError::Conflict(_))),
        "{:?}",
        results[1]
    );
    assert!(results[2].is_ok());
}

#[tokio::test]
async fn tenants_stored_before_the_name_index_are_indexed_on_open() {
    if crate::helpers::redb_only(
        "empties redb's name index, as a database of the previous release has none",
    ) {
        return;
    }
    let app = spawn_app().await;
    app.tenant("Contoso").await;
    let fabrikam = app.tenant("Fabrikam").await;
    // Forget the index, as a database from the previous release has none.
    app.ctx
        .store
        .redb()
        .expect("redb's own tables")
        .write(|tx| {
            let mut names = tx.open_table(communityd::store::tables::TENANT_BY_NAME)?;
            names.retain(|_, _| false)?;
            Ok::<_, communityd::store::StoreError>(())
        })
        .await
        .unwrap();
    let app = app.restart().await;
    // A new port, so a new issuer: a new token.
    let token = app.token(fabrikam.client_id, &fabrikam.client_secret).await;
    // Only the name index can refuse this: Contoso's alias is not touched.
    let r = app
        .put_json(
            &format!("/api/v1/Tenants/{}", fabrikam.id),
            &token,
            &json!({ "CompanyName": "contoso" }),
        )
        .await;
    assert_error(r, StatusCode::CONFLICT, "CompanyName").await;
}
