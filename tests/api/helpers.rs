//! Starting the real application for a test, and fixtures built through
//! the same admin use cases the CLI runs.

#![allow(dead_code)]

use communityd::app::{admin, Context};
use communityd::clock::Clock;
use communityd::config::{DatabaseUrlSetting, Settings};
use communityd::domain::ids::{ClientId, TenantId, UserId};
use communityd::domain::role::Role;
use communityd::startup::Application;
use communityd::store::pg::testing::{fresh_database_url, TEST_DATABASE_URL};
use communityd::store::{Store, StoreError};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use tempfile::TempDir;

pub struct TestApp {
    pub url: String,
    pub ctx: Context,
    pub clock: Clock,
    pub http: reqwest::Client,
    pub dir: Arc<TempDir>,
    pub settings: Settings,
    handle: actix_web::dev::ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Whether this run of the suite is on PostgreSQL: CI runs it twice, once
/// on redb and once with `COMMUNITYD_TEST_DATABASE_URL` naming a server.
pub fn on_postgres() -> bool {
    std::env::var_os(TEST_DATABASE_URL).is_some()
}

/// For a test about redb itself (its file, its backups, its tables): true,
/// saying so, when the suite runs on PostgreSQL, and the test returns.
/// The one way a test is left out of the PostgreSQL run, so `grep
/// redb_only` lists them all.
pub fn redb_only(reason: &str) -> bool {
    let skipped = on_postgres();
    if skipped {
        eprintln!("redb only, not run on PostgreSQL: {reason}");
    }
    skipped
}

/// The database a data dir's server uses: "" (redb, in the data dir) or,
/// on PostgreSQL, a fresh database of its own, the same one each time the
/// same data dir asks (a restart, a seed before `serve`, an admin command).
pub fn database_url_for(data_dir: &Path) -> String {
    static BY_DIR: OnceLock<Mutex<HashMap<PathBuf, String>>> = OnceLock::new();
    if !on_postgres() {
        return String::new();
    }
    let mut by_dir = BY_DIR.get_or_init(Default::default).lock().expect("lock");
    by_dir
        .entry(data_dir.to_path_buf())
        .or_insert_with(|| fresh_database_url().expect("on PostgreSQL"))
        .clone()
}

/// The real binary, without the suite's own variable (which it would warn
/// about as an unknown setting); on redb in whatever data dir it is given.
pub fn communityd_binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_communityd"));
    command.env_remove(TEST_DATABASE_URL);
    command
}

/// The real binary for a test that runs it on `data_dir`: on the suite's
/// backend, given the data dir's database when that is PostgreSQL.
pub fn communityd(data_dir: &Path) -> Command {
    let mut command = communityd_binary();
    let url = database_url_for(data_dir);
    if !url.is_empty() {
        command.env("COMMUNITYD_DATABASE_URL", url);
    }
    command
}

/// The store of a data dir, on the suite's backend (no server may hold
/// a redb one).
pub fn open_store(data_dir: &Path) -> Result<Store, StoreError> {
    Store::open_configured(data_dir, &database_url_for(data_dir), 4)
}

/// Settings for a test: port 0, a temp data dir (and on PostgreSQL a fresh
/// database), the file mail transport.
pub fn test_settings(dir: &TempDir) -> Settings {
    let mut s = Settings::defaults();
    s.data_dir = dir.path().to_path_buf();
    s.database_url = DatabaseUrlSetting(database_url_for(dir.path()));
    s.bind = "127.0.0.1:0".into();
    s.auth_attempts_per_minute = 1000;
    s.mail_retry_base = std::time::Duration::from_millis(100);
    // The webhook receivers of the tests listen on loopback.
    s.webhook_allow_private_networks = true;
    s
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(change: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
    let mut settings = test_settings(&dir);
    change(&mut settings);
    start(settings, dir, Clock::default()).await
}

async fn start(settings: Settings, dir: Arc<TempDir>, clock: Clock) -> TestApp {
    let app = Application::build(settings.clone(), clock.clone())
        .await
        .expect("application builds");
    let url = app.url();
    let ctx = app.ctx.clone();
    let handle = app.handle();
    let task = tokio::spawn(app.run_until_stopped());
    TestApp {
        url,
        ctx,
        clock,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Below the server's 5 s keep-alive: a connection the server
            // is closing at that moment is never reused (it would answer
            // "connection reset" to a request sent into the close).
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .expect("http client"),
        dir,
        settings,
        handle,
        task,
    }
}

impl TestApp {
    /// Stops the server gracefully and starts a new one on the same data dir
    /// and database (a new port), as an operator's restart would.
    pub async fn restart(self) -> TestApp {
        let TestApp {
            dir,
            settings,
            clock,
            handle,
            task,
            ctx,
            ..
        } = self;
        drop(ctx);
        handle.stop(true).await;
        task.await
            .expect("server task")
            .expect("server stopped cleanly");
        start(settings, dir, clock).await
    }

    /// Stops the server gracefully; the data dir stays until the returned
    /// handle is dropped.
    pub async fn stop(self) -> Arc<TempDir> {
        let TestApp {
            dir,
            handle,
            task,
            ctx,
            ..
        } = self;
        drop(ctx);
        handle.stop(true).await;
        task.await
            .expect("server task")
            .expect("server stopped cleanly");
        dir
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub fn request(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.url, path))
            .bearer_auth(token)
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, token)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, token)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn put_json(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::PUT, path, token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: &'static str,
    ) -> Response {
        self.request(method, path, token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request sent")
    }

    /// POST /identity/connect/token with client credentials.
    pub async fn token_response(&self, client_id: &str, secret: &str) -> Response {
        self.http
            .post(format!("{}/identity/connect/token", self.url))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", client_id),
                ("client_secret", secret),
            ])
            .send()
            .await
            .expect("request sent")
    }

    pub async fn token(&self, client_id: ClientId, secret: &str) -> String {
        let response = self.token_response(&client_id.to_string(), secret).await;
        assert_eq!(response.status(), StatusCode::OK, "token request failed");
        let body: Value = response.json().await.expect("token json");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// A tenant with an administrator user and an administrator client (with a token).
    pub async fn tenant(&self, name: &str) -> TestTenant {
        let store = self.ctx.store.clone();
        let name_owned = name.to_string();
        let email = format!("admin@{}.example", name.to_lowercase().replace(' ', "-"));
        let password = "correct horse battery".to_string();
        let (created, client) = {
            let email = email.clone();
            let password = password.clone();
            tokio::task::spawn_blocking(move || {
                let now = chrono::Utc::now();
                let t = admin::create_tenant(&store, &name_owned, &email, Some(password), now)
                    .expect("tenant");
                let c = admin::create_client(
                    &store,
                    t.tenant_id,
                    "admin client",
                    &[Role::TenantAdministrator],
                    now,
                )
                .expect("client");
                (t, c)
            })
            .await
            .expect("fixture task")
        };
        let token = self.token(client.client_id, &client.client_secret).await;
        TestTenant {
            id: created.tenant_id,
            name: name.to_string(),
            admin_user: created.admin_user_id,
            admin_email: email,
            admin_password: password,
            client_id: client.client_id,
            client_secret: client.client_secret,
            token,
        }
    }

    /// Another client of a tenant with the given tenant roles, and its token.
    pub async fn client(&self, tenant: TenantId, roles: &[Role]) -> (ClientId, String) {
        let store = self.ctx.store.clone();
        let roles = roles.to_vec();
        let created = tokio::task::spawn_blocking(move || {
            admin::create_client(&store, tenant, "extra client", &roles, chrono::Utc::now())
                .expect("client")
        })
        .await
        .expect("fixture task");
        let token = self.token(created.client_id, &created.client_secret).await;
        (created.client_id, token)
    }

    /// Another user of a tenant; returns its id.
    pub async fn user(&self, tenant: TenantId, email: &str, roles: &[Role]) -> UserId {
        let store = self.ctx.store.clone();
        let roles = roles.to_vec();
        let email = email.to_string();
        tokio::task::spawn_blocking(move || {
            admin::create_user(
                &store,
                tenant,
                &email,
                Some("correct horse battery".into()),
                &roles,
                chrono::Utc::now(),
            )
            .expect("user")
            .user_id
        })
        .await
        .expect("fixture task")
    }
}

pub struct TestTenant {
    pub id: TenantId,
    pub name: String,
    pub admin_user: UserId,
    pub admin_email: String,
    pub admin_password: String,
    pub client_id: ClientId,
    pub client_secret: String,
    /// Token of the tenant's administrator client.
    pub token: String,
}

/// Reads a JSON body, asserting the status first.
pub async fn json_with_status(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Asserts an ErrorResponse with the status, whose Reason mentions `needle`.
pub async fn assert_error(response: Response, status: StatusCode, needle: &str) -> Value {
    let header = response
        .headers()
        .get("operation-id")
        .map(|v| v.to_str().unwrap_or_default().to_string());
    let body = json_with_status(response, status).await;
    for key in ["OperationId", "Error", "Reason", "Resolution"] {
        assert!(body[key].is_string(), "ErrorResponse lacks {key}: {body}");
    }
    assert_eq!(
        header.as_deref(),
        body["OperationId"].as_str(),
        "OperationId header and body differ"
    );
    let reason = body["Reason"].as_str().unwrap_or_default();
    assert!(
        reason.to_lowercase().contains(&needle.to_lowercase()),
        "Reason '{reason}' does not mention '{needle}'"
    );
    body
}

/// Paths of the community routes a test calls often.
pub fn communities_path(tenant: TenantId) -> String {
    format!("/api/v1-preview/tenants/{tenant}/communities")
}

pub fn invitations_path(tenant: TenantId, community: &str) -> String {
    format!("/api/v1-preview/tenants/{tenant}/communities/{community}/invitations")
}

impl TestApp {
    /// Creates a community owned by `owner`; returns its id.
    pub async fn community(&self, owner: &TestTenant, name: &str) -> String {
        let response = self
            .post_json(
                &communities_path(owner.id),
                &owner.token,
                &serde_json::json!({ "Name": name, "Description": "test" }),
            )
            .await;
        let body = json_with_status(response, StatusCode::CREATED).await;
        body["Id"].as_str().expect("community Id").to_string()
    }

    /// Invites `recipient` on behalf of `inviter`; returns the invitation.
    pub async fn invite(&self, inviter: &TestTenant, community: &str, recipient: &str) -> Value {
        let response = self
            .post_json(
                &invitations_path(inviter.id, community),
                &inviter.token,
                &serde_json::json!({ "InvitationRecipient": recipient }),
            )
            .await;
        json_with_status(response, StatusCode::CREATED).await
    }

    /// Invites `recipient`; returns only the invitation's id.
    pub async fn invite_id(
        &self,
        inviter: &TestTenant,
        community: &str,
        recipient: &str,
    ) -> String {
        let invitation = self.invite(inviter, community, recipient).await;
        invitation["Id"]
            .as_str()
            .expect("invitation Id")
            .to_string()
    }

    /// Accepts an invitation with `token`, asserting 200.
    pub async fn accept(&self, token: &str, invitation: &str) -> Value {
        json_with_status(self.act(token, invitation, "Accept").await, StatusCode::OK).await
    }

    /// PUT /communityinvitations/{id} with an Action.
    pub async fn act(&self, token: &str, invitation: &str, action: &str) -> Response {
        self.put_json(
            &format!("/api/v1-preview/communityinvitations/{invitation}"),
            token,
            &serde_json::json!({ "Action": action }),
        )
        .await
    }

    /// Alpha, and Beta an Active member of Alpha's community "Plant data":
    /// the two partners most sharing tests start from.
    pub async fn partners(&self) -> (TestTenant, TestTenant, String) {
        let a = self.tenant("Alpha").await;
        let b = self.tenant("Beta").await;
        let community = self.community(&a, "Plant data").await;
        self.join(&a, &community, &b).await;
        (a, b, community)
    }

    /// Invite, accept and confirm: `member` ends Active in `owner`'s community.
    pub async fn join(&self, owner: &TestTenant, community: &str, member: &TestTenant) {
        let id = self.invite_id(owner, community, &member.admin_email).await;
        self.accept(&member.token, &id).await;
        json_with_status(self.act(&owner.token, &id, "Confirm").await, StatusCode::OK).await;
    }

    /// The member tenants of a community as `viewer` sees them: (name, Status).
    pub async fn member_statuses(
        &self,
        viewer: &TestTenant,
        community: &str,
    ) -> Vec<(String, String)> {
        let response = self
            .get(
                &format!(
                    "{}/{community}/communitytenants",
                    communities_path(viewer.id)
                ),
                &viewer.token,
            )
            .await;
        let body = json_with_status(response, StatusCode::OK).await;
        body.as_array()
            .expect("array")
            .iter()
            .map(|t| {
                (
                    t["Name"].as_str().unwrap_or_default().to_string(),
                    t["Status"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }
}

/// The source address of a login made straight through the use case, as a
/// test's own loopback client would have.
pub fn loopback() -> communityd::auth::source::Source {
    communityd::auth::source::Source::of([127, 0, 0, 1].into())
}
