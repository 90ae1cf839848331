//! What the benchmarks share: the real server on a temporary data dir, and
//! tenants with an administrator client and its access token. Each
//! benchmark is its own crate and takes this in with
//! `#[path = "support/mod.rs"] mod support;`.
#![allow(dead_code)] // each benchmark uses its own part of it

use actix_web::dev::ServerHandle;
use communityd::app::admin::{self, CreatedClient};
use communityd::clock::Clock;
use communityd::config::Settings;
use communityd::domain::role::Role;
use communityd::startup::Application;
use communityd::store::Store;
use std::net::SocketAddr;

/// A running server; dropping it leaves the server running until `stop`.
pub struct Served {
    pub url: String,
    pub address: SocketAddr,
    pub store: Store,
    pub handle: ServerHandle,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    data_dir: tempfile::TempDir,
}

/// A tenant with a Tenant Administrator client, signed in.
pub struct BenchTenant {
    pub client: CreatedClient,
    pub token: String,
    /// The tenant's `default` namespace, as an absolute URL.
    pub ns: String,
}

/// Starts the server with its defaults on a loopback port, after `configure`
/// has changed what the benchmark needs.
pub async fn serve(configure: impl FnOnce(&mut Settings)) -> Served {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::defaults();
    settings.data_dir = data_dir.path().to_path_buf();
    settings.bind = "127.0.0.1:0".into();
    configure(&mut settings);
    let app = Application::build(settings, Clock::default())
        .await
        .expect("application");
    Served {
        url: app.url(),
        address: app.address,
        store: app.ctx.store.clone(),
        handle: app.handle(),
        server: tokio::spawn(app.run_until_stopped()),
        data_dir,
    }
}

impl Served {
    /// A new tenant named `name` with a client named `client`, and its token.
    pub async fn tenant(&self, name: &str, client: &str) -> BenchTenant {
        let (store, name, client_name) = (self.store.clone(), name.to_string(), client.to_string());
        let client = tokio::task::spawn_blocking(move || {
            let now = chrono::Utc::now();
            let email = format!("admin@{}.example", name.to_lowercase());
            let t = admin::create_tenant(&store, &name, &email, None, now).expect("tenant");
            admin::create_client(
                &store,
                t.tenant_id,
                &client_name,
                &[Role::TenantAdministrator],
                now,
            )
            .expect("client")
        })
        .await
        .expect("fixture");
        let token = token(&reqwest::Client::new(), &self.url, &client).await;
        let ns = format!(
            "{}/api/v1/Tenants/{}/Namespaces/default",
            self.url, client.tenant_id
        );
        BenchTenant { client, token, ns }
    }

    /// The server's data dir, removed when this is dropped.
    pub fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.server.await;
    }
}

/// A client-credentials access token for `client`.
pub async fn token(http: &reqwest::Client, url: &str, client: &CreatedClient) -> String {
    let answer: serde_json::Value = http
        .post(format!("{url}/identity/connect/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client.client_id.to_string()),
            ("client_secret", &client.client_secret),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token body");
    answer["access_token"]
        .as_str()
        .expect("access token")
        .to_string()
}
