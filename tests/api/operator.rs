//! Admin while it runs: operator commands reach the running server over
//! its socket in the data dir (0600, owner only), fall back to the file
//! when no server runs, and say what to do when neither works. Backups
//! are taken while the server runs and restore into a server that serves
//! them.

use crate::helpers::{json_with_status, spawn_app, spawn_app_with, TestApp};
use communityd::app::identity;
use communityd::domain::ids::TenantId;
use communityd::operator::{client, Request, SOCKET_NAME};
use communityd::store::Store;
use reqwest::StatusCode;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Runs an operator command the way the command line does (it blocks).
async fn operate(data_dir: PathBuf, request: Request) -> Result<Value, String> {
    tokio::task::spawn_blocking(move || client::run(&data_dir, request))
        .await
        .expect("task")
}

fn text(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .to_string()
}

async fn token_status(app: &TestApp, client_id: &str, secret: &str) -> StatusCode {
    app.token_response(client_id, secret).await.status()
}

#[tokio::test]
async fn every_admin_command_works_while_the_server_holds_the_database() {
    let app = spawn_app().await;
    let dir = app.data_dir();
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt};
        let meta = std::fs::metadata(dir.join(SOCKET_NAME)).expect("socket");
        assert!(meta.file_type().is_socket());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    if !crate::helpers::redb_only("the server holds the redb file: only the socket can answer") {
        assert!(Store::open(&dir).is_err());
    }

    let created = operate(
        dir.clone(),
        Request::TenantCreate {
            name: "Contoso".into(),
            admin_email: "admin@contoso.example".into(),
            admin_password: Some("first password".into()),
        },
    )
    .await
    .expect("tenant create");
    let tenant = TenantId::parse(&text(&created, "tenant_id")).expect("id");
    let listed = operate(dir.clone(), Request::TenantList)
        .await
        .expect("list");
    assert_eq!(listed["tenants"][0]["name"], "Contoso");

    let user = operate(
        dir.clone(),
        Request::UserCreate {
            tenant: "Contoso".into(),
            email: "member@contoso.example".into(),
            password: None,
            roles: vec!["Tenant Member".into()],
        },
    )
    .await
    .expect("user create");
    let generated = text(&user, "password");
    assert!(identity::login(
        &app.ctx,
        tenant,
        "member@contoso.example",
        &generated,
        crate::helpers::loopback()
    )
    .await
    .is_ok());

    let reset = operate(
        dir.clone(),
        Request::UserResetPassword {
            tenant: tenant.to_string(),
            email: "admin@contoso.example".into(),
            password: None,
        },
    )
    .await
    .expect("reset");
    let new_password = text(&reset, "password");
    assert!(
        identity::login(
            &app.ctx,
            tenant,
            "admin@contoso.example",
            "first password",
            crate::helpers::loopback()
        )
        .await
        .is_err(),
        "the old password still works"
    );
    assert!(identity::login(
        &app.ctx,
        tenant,
        "admin@contoso.example",
        &new_password,
        crate::helpers::loopback()
    )
    .await
    .is_ok());

    let created = operate(
        dir.clone(),
        Request::ClientCreate {
            tenant: "Contoso".into(),
            name: "scripts".into(),
            roles: vec!["Tenant Administrator".into()],
        },
    )
    .await
    .expect("client create");
    let client_id = text(&created, "client_id");
    let old_secret = text(&created, "client_secret");
    assert_eq!(token_status(&app, &client_id, &old_secret).await, 200);
    let old_token = app
        .token(
            communityd::domain::ids::ClientId::parse(&client_id).expect("id"),
            &old_secret,
        )
        .await;

    let rotated = operate(
        dir.clone(),
        Request::ClientRotateSecret {
            client: client_id.clone(),
        },
    )
    .await
    .expect("rotate");
    let new_secret = text(&rotated, "client_secret");
    assert_ne!(new_secret, old_secret);
    assert_eq!(token_status(&app, &client_id, &old_secret).await, 400);
    assert_eq!(token_status(&app, &client_id, &new_secret).await, 200);

    let tenant_path = format!("/api/v1/Tenants/{tenant}");
    assert_eq!(app.get(&tenant_path, &old_token).await.status(), 200);
    operate(
        dir.clone(),
        Request::ClientDelete {
            client: client_id.clone(),
        },
    )
    .await
    .expect("delete");
    assert_eq!(app.get(&tenant_path, &old_token).await.status(), 401);
    assert_eq!(token_status(&app, &client_id, &new_secret).await, 400);

    let deactivated = operate(
        dir.clone(),
        Request::TenantSetState {
            tenant: "Contoso".into(),
            state: "Deactivated".into(),
        },
    )
    .await
    .expect("set state");
    assert_eq!(deactivated["state"], "Deactivated");

    // Errors from the server come back as they are.
    let err = operate(
        dir.clone(),
        Request::ClientDelete {
            client: client_id.clone(),
        },
    )
    .await
    .unwrap_err();
    assert!(err.contains("does not exist"), "{err}");
}

#[tokio::test]
async fn without_a_server_commands_open_the_file_even_past_a_stale_socket() {
    if crate::helpers::redb_only("without a server, commands open the redb file in the data dir") {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    drop(Store::open(dir.path()).expect("store"));
    #[cfg(unix)]
    drop(std::os::unix::net::UnixListener::bind(dir.path().join(SOCKET_NAME)).expect("bind"));
    let created = operate(
        dir.path().to_path_buf(),
        Request::TenantCreate {
            name: "Fabrikam".into(),
            admin_email: "admin@fabrikam.example".into(),
            admin_password: None,
        },
    )
    .await
    .expect("create on the file");
    assert!(created["admin_password"].is_string());
    let listed = operate(dir.path().to_path_buf(), Request::TenantList)
        .await
        .expect("list");
    assert_eq!(listed["tenants"][0]["name"], "Fabrikam");
}

#[tokio::test]
async fn a_missing_data_dir_gives_one_line_naming_it() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("nowhere");
    let err = operate(missing.clone(), Request::TenantList)
        .await
        .unwrap_err();
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("--data-dir"), "{err}");
    assert!(!err.contains('\n'));
    assert!(!missing.exists(), "a read command created the data dir");
    let empty = operate(dir.path().to_path_buf(), Request::TenantList)
        .await
        .unwrap_err();
    assert!(empty.contains("holds no database"), "{empty}");
}

fn backup_to(data_dir: &Path, file: &Path) -> Result<Value, String> {
    client::backup(data_dir, file)
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_a_server_that_serves_it() {
    if crate::helpers::redb_only("backups and restores of the redb file") {
        return;
    }
    let app = spawn_app().await;
    let contoso = app.tenant("Contoso").await;
    let community = app.community(&contoso, "Plant data").await;
    let backups = tempfile::tempdir().expect("dir");
    let file = backups.path().join("communityd-backup.redb");
    let (dir, target) = (app.data_dir(), file.clone());
    let made = tokio::task::spawn_blocking(move || backup_to(&dir, &target))
        .await
        .expect("task")
        .expect("backup");
    assert_eq!(made["through"], "running server");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "a backup holds secrets");
    }
    let (dir, target) = (app.data_dir(), file.clone());
    let again = tokio::task::spawn_blocking(move || backup_to(&dir, &target))
        .await
        .expect("task")
        .unwrap_err();
    assert!(again.contains("already exists"), "{again}");

    // Written after the backup: gone once it is restored.
    let later = app.tenant("Fabrikam").await;
    let dir = app.data_dir();
    let source = file.clone();
    let refused = tokio::task::spawn_blocking(move || client::restore(&dir, &source))
        .await
        .expect("task")
        .unwrap_err();
    assert!(refused.contains("stop it first"), "{refused}");
    let kept_dir = app.stop().await;

    let source = file.clone();
    let dir = kept_dir.path().to_path_buf();
    let restored = tokio::task::spawn_blocking(move || client::restore(&dir, &source))
        .await
        .expect("task")
        .expect("restore");
    let previous = PathBuf::from(text(&restored, "previous_database_kept_as"));
    assert!(previous.exists(), "the replaced database was not kept");

    let copy_dir = kept_dir.path().to_path_buf();
    let app = spawn_app_with(move |s| {
        std::fs::copy(
            copy_dir.join(communityd::store::FILE_NAME),
            s.data_dir.join(communityd::store::FILE_NAME),
        )
        .expect("restored file");
    })
    .await;
    // The backup's keys and secrets: the old client secret still gets a token.
    let token = app.token(contoso.client_id, &contoso.client_secret).await;
    let response = app
        .get(
            &format!(
                "/api/v1-preview/tenants/{}/communities/{community}",
                contoso.id
            ),
            &token,
        )
        .await;
    let body = json_with_status(response, StatusCode::OK).await;
    assert_eq!(body["Name"], "Plant data");
    assert_eq!(
        token_status(&app, &later.client_id.to_string(), &later.client_secret).await,
        400,
        "a tenant created after the backup survived the restore"
    );
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_not_a_database() {
    let dir = tempfile::tempdir().expect("dir");
    let junk = dir.path().join("junk.redb");
    std::fs::write(&junk, b"not a database").expect("write");
    let target = dir.path().join("data");
    let err = client::restore(&target, &junk).unwrap_err();
    assert!(err.contains("cannot be restored"), "{err}");
    assert!(!target.join(communityd::store::FILE_NAME).exists());
}

/// A connection that never sends its request is closed after the idle
/// timeout, and the socket serves other connections meanwhile.
#[cfg(unix)]
#[tokio::test]
async fn an_idle_operator_connection_is_closed_and_others_are_served() {
    use tokio::io::AsyncReadExt;
    let app =
        spawn_app_with(|s| s.operator_idle_timeout = std::time::Duration::from_millis(300)).await;
    let dir = app.data_dir();
    let mut idle = tokio::net::UnixStream::connect(dir.join(SOCKET_NAME))
        .await
        .expect("connected");
    let mut silent = Vec::new();
    for _ in 0..20 {
        silent.push(
            tokio::net::UnixStream::connect(dir.join(SOCKET_NAME))
                .await
                .expect("connected"),
        );
    }
    let listed = operate(dir.clone(), Request::TenantList).await;
    assert!(listed.is_ok(), "{listed:?}");

    let started = std::time::Instant::now();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), idle.read(&mut buf)).await;
    assert!(
        matches!(read, Ok(Ok(0))),
        "the idle connection is still open after {:?}: {read:?}",
        started.elapsed()
    );
    for mut stream in silent {
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(1), stream.read(&mut buf)).await;
        assert!(matches!(read, Ok(Ok(0))), "{read:?}");
    }
    let listed = operate(dir, Request::TenantList).await;
    assert!(listed.is_ok(), "still serving: {listed:?}");
}

/// A `postgres://` URL on a port where nothing listens.
fn unreachable_database() -> String {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    format!("postgres://communityd:Pa55-never-shown@127.0.0.1:{port}/communityd")
}

#[test]
fn on_postgres_an_admin_command_goes_to_the_database_not_the_data_dir() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("nowhere");
    let url = unreachable_database();
    let (ok, stderr) = crate::startup::run(
        &[
            "--data-dir",
            missing.to_str().expect("path"),
            "tenant",
            "list",
        ],
        &[("COMMUNITYD_DATABASE_URL", &url)],
    );
    assert!(!ok);
    crate::startup::assert_one_line(
        &stderr,
        &[
            "cannot reach the PostgreSQL database",
            "COMMUNITYD_DATABASE_URL",
        ],
    );
    assert!(!stderr.contains("Pa55-never-shown"), "{stderr}");
    assert!(!missing.exists(), "a command on PostgreSQL made a data dir");
}

#[test]
fn on_postgres_backup_and_restore_refuse_before_any_work() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let file = dir.path().join("copy.backup");
    let url = unreachable_database();
    for command in ["backup", "restore"] {
        let (ok, stderr) = crate::startup::run(
            &[
                "--data-dir",
                data.to_str().expect("path"),
                command,
                file.to_str().expect("path"),
            ],
            &[("COMMUNITYD_DATABASE_URL", &url)],
        );
        assert!(!ok, "{command} ran on PostgreSQL");
        crate::startup::assert_one_line(&stderr, &[command, "PostgreSQL", "pg_dump", "replica"]);
        assert!(!file.exists() && !data.exists(), "{command} did work first");
    }
}

/// The binary's admin command on the database `url`; its JSON answer.
async fn command_on(url: &str, args: &[&str]) -> Value {
    let mut all = vec!["--data-dir".to_string(), "/nonexistent/communityd".into()];
    all.extend(args.iter().map(|a| a.to_string()));
    let url = url.to_string();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(crate::startup::BIN)
            .args(all)
            .env("COMMUNITYD_DATABASE_URL", url)
            .output()
    })
    .await
    .expect("task")
    .expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[tokio::test]
async fn on_postgres_admin_commands_run_beside_a_running_server() {
    let Some(url) = communityd::store::pg::testing::fresh_database_url() else {
        eprintln!("skipped: COMMUNITYD_TEST_DATABASE_URL is unset");
        return;
    };
    let served = url.clone();
    let app = spawn_app_with(move |s| s.database_url.0 = served).await;
    let created = command_on(
        &url,
        &[
            "tenant",
            "create",
            "--name",
            "Contoso",
            "--admin-email",
            "admin@contoso.example",
            "--admin-password",
            "contoso-password-1",
        ],
    )
    .await;
    let listed = command_on(&url, &["tenant", "list"]).await;
    assert_eq!(listed["tenants"][0]["name"], "Contoso", "{listed}");
    assert_eq!(
        listed["tenants"][0]["id"], created["tenant_id"],
        "{created}"
    );
    // The server reads what another process wrote, with no restart.
    let tenant = TenantId::parse(&text(&created, "tenant_id")).expect("an id");
    let seen = app
        .ctx
        .store
        .read(move |tx| communityd::store::tenants::get(tx, tenant))
        .await
        .expect("read");
    assert!(seen.is_some(), "the server does not see the new tenant");
}
