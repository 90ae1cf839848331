//! A real OpenID provider on loopback for the sign-in tests: the
//! `oidc-provider-mock` package from PyPI, pinned in `tests/idp/requirements.txt`
//! and started through `tests/idp/provider.py`, in a venv made once under
//! the target dir.
//!
//! What the provider does, for a relying party's tests:
//! - any client id is accepted with any secret and any redirect URI, unless
//!   the client was registered (`register_client`): then its secret, its
//!   redirect URI and its one token endpoint auth method are checked;
//! - the issuer is `http://` + the Host the request came with, so use the
//!   URL `issuer()` gives everywhere (discovery answers in its terms);
//! - user claims (`set_user`) land in the ID token as given and win over the
//!   provider's own: `iss`, `aud`, `nonce` or `exp` among them make a token
//!   signed by the right key that a relying party must still refuse;
//! - `ProviderOptions::token_lifetime_seconds` below zero issues tokens
//!   that expired when they were made;
//! - key rotation (`rotate_key`), and a key the JWKS does not list
//!   (`rotate_to_unpublished_key`);
//! - it signs with RS256 only: a token with `alg` `none` cannot come from it.

#![allow(dead_code)]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const REQUIREMENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/idp/requirements.txt");
const LAUNCHER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/idp/provider.py");
const START_LIMIT: Duration = Duration::from_secs(60);

/// How a provider is started; `Default` is what a provider usually does.
#[derive(Clone, Debug)]
pub struct ProviderOptions {
    /// Lifetime of the ID and access tokens it issues; below zero they are
    /// expired when issued.
    pub token_lifetime_seconds: i64,
}

impl Default for ProviderOptions {
    fn default() -> Self {
        ProviderOptions {
            token_lifetime_seconds: 3600,
        }
    }
}

/// A client registered at the provider, which the provider then holds to
/// its secret, redirect URI and token endpoint auth method.
#[derive(Clone, Debug)]
pub struct RegisteredClient {
    pub client_id: String,
    pub client_secret: String,
}

/// A running provider; dropping it ends the process.
pub struct OidcProvider {
    process: Option<Process>,
    issuer: String,
    http: reqwest::Client,
    log_dir: TempDir,
}

struct Process {
    child: Child,
    // Held open: the launcher exits when it closes, so a test process that
    // dies without dropping the handle leaves no provider behind.
    _stdin: ChildStdin,
}

impl OidcProvider {
    pub async fn start() -> OidcProvider {
        OidcProvider::start_with(ProviderOptions::default()).await
    }

    /// Spawns the provider on a free loopback port and returns once its
    /// discovery document answers.
    pub async fn start_with(options: ProviderOptions) -> OidcProvider {
        let python = tokio::task::spawn_blocking(provider_python)
            .await
            .expect("provider install");
        let log_dir = tempfile::tempdir().expect("temp dir");
        let log = log_dir.path().join("provider.log");
        let (process, port) = tokio::task::spawn_blocking(move || spawn(&python, &options, &log))
            .await
            .expect("provider spawn");
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        let mut provider = OidcProvider {
            process: Some(process),
            issuer: String::new(),
            http,
            log_dir,
        };
        provider.issuer = provider
            .wait_for_discovery(&format!("http://127.0.0.1:{port}"))
            .await["issuer"]
            .as_str()
            .expect("discovery names its issuer")
            .to_owned();
        provider
    }

    /// The issuer exactly as discovery gives it (no trailing slash).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    pub async fn discovery(&self) -> Value {
        let response = self
            .http
            .get(self.discovery_url())
            .send()
            .await
            .expect("provider answers");
        let body = self
            .expect_status(response, StatusCode::OK, "discovery")
            .await;
        serde_json::from_str(&body).expect("discovery is JSON")
    }

    /// Ends the process but keeps the URL: a provider that does not answer.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.child.kill();
            let _ = process.child.wait();
        }
    }

    /// What the provider wrote to stderr: its request log and warnings
    /// (a refused token request says why here).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_dir.path().join("provider.log")).unwrap_or_default()
    }

    /// Sets the claims the provider vouches for about `sub`, replacing any
    /// earlier ones: `{"email": ..., "email_verified": true, "groups": [...]}`.
    /// A `sub` signed in without claims set gets `{"email": sub}`; a `sub`
    /// may not hold `/` (the provider routes on it).
    pub async fn set_user(&self, sub: &str, claims: &Value) {
        let mut url = reqwest::Url::parse(&self.issuer).expect("issuer URL");
        url.path_segments_mut()
            .expect("issuer URL has a path")
            .extend(["users", sub]);
        let response = self
            .http
            .put(url)
            .json(claims)
            .send()
            .await
            .expect("provider answers");
        self.expect_status(response, StatusCode::NO_CONTENT, "set user")
            .await;
    }

    /// Registers a client for `redirect_uri`, authenticating at the token
    /// endpoint with `auth_method` (`client_secret_basic`,
    /// `client_secret_post` or `none`).
    pub async fn register_client(&self, redirect_uri: &str, auth_method: &str) -> RegisteredClient {
        let response = self
            .http
            .post(format!("{}/oauth2/clients", self.issuer))
            .json(&json!({
                "redirect_uris": [redirect_uri],
                "token_endpoint_auth_method": auth_method,
            }))
            .send()
            .await
            .expect("provider answers");
        let body = self
            .expect_status(response, StatusCode::CREATED, "register client")
            .await;
        let body: Value = serde_json::from_str(&body).expect("registration is JSON");
        RegisteredClient {
            client_id: body["client_id"].as_str().expect("client_id").to_owned(),
            client_secret: body["client_secret"]
                .as_str()
                .expect("client_secret")
                .to_owned(),
        }
    }

    /// Signs from now on with a new key, which the JWKS lists beside the
    /// earlier ones. Returns its `kid`.
    pub async fn rotate_key(&self) -> String {
        self.rotate(true).await
    }

    /// Signs from now on with a new key that the JWKS does not list: tokens
    /// whose `kid` a relying party cannot find. Returns that `kid`.
    pub async fn rotate_to_unpublished_key(&self) -> String {
        self.rotate(false).await
    }

    async fn rotate(&self, publish: bool) -> String {
        let response = self
            .http
            .post(format!("{}/keys/rotate", self.issuer))
            .json(&json!({ "publish": publish }))
            .send()
            .await
            .expect("provider answers");
        let body = self
            .expect_status(response, StatusCode::OK, "rotate key")
            .await;
        let body: Value = serde_json::from_str(&body).expect("rotation is JSON");
        body["kid"].as_str().expect("kid").to_owned()
    }

    async fn wait_for_discovery(&self, base: &str) -> Value {
        let url = format!("{base}/.well-known/openid-configuration");
        let deadline = Instant::now() + START_LIMIT;
        loop {
            match self.http.get(&url).send().await {
                Ok(response) if response.status() == StatusCode::OK => {
                    return response.json().await.expect("discovery is JSON");
                }
                answer if Instant::now() > deadline => {
                    panic!("no discovery at {url}: {answer:?}\n{}", self.log())
                }
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    async fn expect_status(
        &self,
        response: reqwest::Response,
        status: StatusCode,
        what: &str,
    ) -> String {
        let answered = response.status();
        let body = response.text().await.unwrap_or_default();
        assert_eq!(
            answered,
            status,
            "{what} at the provider: {body}\n{}",
            self.log()
        );
        body
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Plays the person at the provider: opens `authorization_url` (which the
/// relying party built), signs in as `sub` on the provider's form and
/// returns where the provider sends the browser (the relying party's
/// callback with `code` and `state`), without going there. `http` must not
/// follow redirects.
pub async fn authorize(http: &reqwest::Client, authorization_url: &str, sub: &str) -> String {
    answer_authorization_form(http, authorization_url, &[("sub", sub)]).await
}

/// Plays the person pressing Deny at the provider: returns the redirect to
/// the relying party's callback with `error=access_denied`. The provider
/// leaves `state` out of that redirect.
pub async fn deny(http: &reqwest::Client, authorization_url: &str) -> String {
    answer_authorization_form(http, authorization_url, &[("action", "deny")]).await
}

async fn answer_authorization_form(
    http: &reqwest::Client,
    authorization_url: &str,
    form: &[(&str, &str)],
) -> String {
    let page = http
        .get(authorization_url)
        .send()
        .await
        .expect("provider answers");
    let status = page.status();
    let page = page.text().await.unwrap_or_default();
    assert!(
        status == StatusCode::OK && page.contains(r#"name="sub""#),
        "no authorization form at {authorization_url}: {status}\n{page}"
    );
    // The form has no action: it posts back to the authorization URL.
    let answer = http
        .post(authorization_url)
        .form(form)
        .send()
        .await
        .expect("provider answers");
    let status = answer.status();
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    match location {
        Some(location) if status == StatusCode::FOUND => location,
        _ => panic!(
            "the provider did not redirect ({status}; does the client follow redirects?): {}",
            answer.text().await.unwrap_or_default()
        ),
    }
}

/// Starts the launcher and reads the port it prints once it listens.
fn spawn(python: &Path, options: &ProviderOptions, log: &Path) -> (Process, u16) {
    let log_file = std::fs::File::create(log).expect("provider log");
    let mut command = Command::new(python);
    command
        .arg(LAUNCHER)
        .arg("--token-max-age")
        .arg(options.token_lifetime_seconds.to_string());
    let mut child = command
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .expect("the provider starts");
    let stdin = child.stdin.take().expect("stdin");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("provider stdout");
    let Ok(port) = line.trim().parse() else {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "the provider printed no port ({line:?}):\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
    };
    (
        Process {
            child,
            _stdin: stdin,
        },
        port,
    )
}

/// The venv's python, the pinned provider installed in it: made on first
/// use, remade when `requirements.txt` changes, once per process.
fn provider_python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(install).clone()
}

/// The venv sits beside the build profiles, so `cargo clean` removes it.
fn venv_dir() -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_communityd"));
    let profile = binary.parent().expect("profile dir");
    profile.parent().expect("target dir").join("idp-venv")
}

/// Installs under a lock on a file beside the venv: tests run in parallel
/// threads, and test binaries in parallel processes.
fn install() -> PathBuf {
    let venv = venv_dir();
    let _lock = FileLock::acquire(&venv.with_extension("lock"));
    let python = venv.join("bin/python");
    let stamp = venv.join("requirements.sha256");
    let wanted = requirements_hash();
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return python;
    }
    let _ = std::fs::remove_dir_all(&venv);
    run(
        Command::new("python3").arg("-m").arg("venv").arg(&venv),
        "python3 -m venv",
    );
    run(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(REQUIREMENTS),
        "pip install -r tests/idp/requirements.txt",
    );
    // Written last: a stamp means a complete install.
    std::fs::write(&stamp, wanted).expect("venv stamp");
    python
}

fn requirements_hash() -> String {
    let requirements = std::fs::read(REQUIREMENTS).expect("tests/idp/requirements.txt");
    Sha256::digest(requirements)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn run(command: &mut Command, what: &str) {
    let output = match command.output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "{what}: python3 is not installed. The sign-in tests run an OpenID provider \
             written in Python: install python3 and its venv module \
             (Debian, Ubuntu: apt-get install python3 python3-venv)"
        ),
        Err(e) => panic!("{what}: {e}"),
    };
    assert!(
        output.status.success(),
        "{what} failed ({}). The sign-in tests need python3 with its venv module \
         (Debian, Ubuntu: apt-get install python3 python3-venv) and PyPI within reach.\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
}

/// An exclusive `flock` held until dropped (closing the file releases it,
/// also when the process dies).
pub struct FileLock(std::fs::File);

impl FileLock {
    pub fn acquire(path: &Path) -> FileLock {
        std::fs::create_dir_all(path.parent().expect("lock dir")).expect("lock dir");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .expect("lock file");
        // SAFETY: flock on a descriptor this function owns; no memory involved.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        assert_eq!(locked, 0, "flock {}", path.display());
        FileLock(file)
    }
}

// ---------------------------------------------------------------------------
// The harness's own tests: what the provider does is what the sign-in tests
// will lean on.

const CALLBACK: &str = "http://127.0.0.1:9/signin/callback";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

struct Pkce {
    verifier: String,
    challenge: String,
}

fn new_pkce() -> Pkce {
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

/// The authorization URL a relying party builds.
fn authorization_url(discovery: &Value, client_id: &str, pkce: &Pkce, nonce: &str) -> String {
    let endpoint = discovery["authorization_endpoint"]
        .as_str()
        .expect("endpoint");
    let mut url = reqwest::Url::parse(endpoint).expect("endpoint URL");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("scope", "openid email profile")
        .append_pair("state", "the-state")
        .append_pair("nonce", nonce)
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256");
    url.into()
}

fn query_value(url: &str, name: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).expect("redirect URL");
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// A code for `sub`, through the form, and the verifier that goes with it.
async fn code_for(
    provider: &OidcProvider,
    client_id: &str,
    sub: &str,
    nonce: &str,
) -> (String, Pkce) {
    let pkce = new_pkce();
    let url = authorization_url(&provider.discovery().await, client_id, &pkce, nonce);
    let callback = authorize(&no_redirects(), &url, sub).await;
    assert!(callback.starts_with(CALLBACK), "{callback}");
    assert_eq!(
        query_value(&callback, "state").as_deref(),
        Some("the-state")
    );
    let code = query_value(&callback, "code").expect("code in the callback");
    (code, pkce)
}

/// The token request with client_secret_basic.
async fn exchange(
    provider: &OidcProvider,
    client: &RegisteredClient,
    code: &str,
    verifier: &str,
) -> reqwest::Response {
    let discovery = provider.discovery().await;
    no_redirects()
        .post(
            discovery["token_endpoint"]
                .as_str()
                .expect("token endpoint"),
        )
        .basic_auth(&client.client_id, Some(&client.client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .expect("token endpoint answers")
}

fn jwt_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

async fn id_token(response: reqwest::Response) -> (Value, Value) {
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("token JSON");
    let token = body["id_token"].as_str().expect("id_token");
    (jwt_part(token, 0), jwt_part(token, 1))
}

async fn published_kids(provider: &OidcProvider) -> Vec<String> {
    let jwks_uri = provider.discovery().await["jwks_uri"]
        .as_str()
        .expect("jwks_uri")
        .to_owned();
    let jwks: Value = no_redirects()
        .get(jwks_uri)
        .send()
        .await
        .expect("jwks answers")
        .json()
        .await
        .expect("jwks JSON");
    jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| key["kid"].as_str().expect("kid").to_owned())
        .collect()
}

#[tokio::test]
async fn the_provider_answers_discovery_for_its_issuer() {
    let started = Instant::now();
    let provider = OidcProvider::start().await;
    eprintln!("provider started in {:?}", started.elapsed());
    let discovery = provider.discovery().await;
    let issuer = provider.issuer();
    assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
    assert_eq!(discovery["issuer"], issuer);
    for (field, path) in [
        ("authorization_endpoint", "/oauth2/authorize"),
        ("token_endpoint", "/oauth2/token"),
        ("jwks_uri", "/jwks"),
    ] {
        assert_eq!(discovery[field], format!("{issuer}{path}"), "{field}");
    }
    let methods = discovery["code_challenge_methods_supported"]
        .as_array()
        .expect("PKCE methods advertised");
    assert!(methods.contains(&json!("S256")), "{methods:?}");
    assert_eq!(
        discovery["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
}

#[tokio::test]
async fn a_code_flow_with_pkce_gives_an_id_token_with_the_users_claims() {
    let provider = OidcProvider::start().await;
    let client = provider
        .register_client(CALLBACK, "client_secret_basic")
        .await;
    let claims = json!({
        "email": "ada@contoso.example",
        "email_verified": true,
        "name": "Ada Lovelace",
        "groups": ["data-readers", "admins"],
    });
    provider.set_user("ada", &claims).await;
    let (code, pkce) = code_for(&provider, &client.client_id, "ada", "the-nonce").await;

    let (header, payload) =
        id_token(exchange(&provider, &client, &code, &pkce.verifier).await).await;

    assert_eq!(header["alg"], "RS256");
    let kid = header["kid"].as_str().expect("kid in the header");
    assert_eq!(published_kids(&provider).await, vec![kid.to_owned()]);
    assert_eq!(payload["iss"], provider.issuer());
    assert_eq!(payload["aud"], json!([client.client_id]));
    assert_eq!(payload["sub"], "ada");
    assert_eq!(payload["nonce"], "the-nonce");
    assert_eq!(payload["email"], "ada@contoso.example");
    assert_eq!(payload["email_verified"], true);
    assert_eq!(payload["name"], "Ada Lovelace");
    assert_eq!(payload["groups"], json!(["data-readers", "admins"]));
    let lifetime = payload["exp"].as_i64().expect("exp") - payload["iat"].as_i64().expect("iat");
    assert_eq!(lifetime, 3600);
}

#[tokio::test]
async fn a_code_is_refused_with_the_wrong_verifier_and_taken_with_the_right_one() {
    let provider = OidcProvider::start().await;
    let client = provider
        .register_client(CALLBACK, "client_secret_basic")
        .await;
    let (code, pkce) = code_for(&provider, &client.client_id, "ada", "n").await;

    let wrong = exchange(&provider, &client, &code, &new_pkce().verifier).await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let body: Value = wrong.json().await.expect("error JSON");
    assert_eq!(body["error"], "invalid_grant", "{body}");

    // Refused for the verifier alone: the right one still gets the token.
    let (_, payload) = id_token(exchange(&provider, &client, &code, &pkce.verifier).await).await;
    assert_eq!(payload["sub"], "ada");
}

#[tokio::test]
async fn a_registered_client_is_held_to_its_secret_and_its_auth_method() {
    let provider = OidcProvider::start().await;
    let basic = provider
        .register_client(CALLBACK, "client_secret_basic")
        .await;
    let (code, pkce) = code_for(&provider, &basic.client_id, "ada", "n").await;
    let wrong_secret = RegisteredClient {
        client_secret: "not-the-secret".into(),
        ..basic.clone()
    };
    let refused = exchange(&provider, &wrong_secret, &code, &pkce.verifier).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let post = provider
        .register_client(CALLBACK, "client_secret_post")
        .await;
    let (code, pkce) = code_for(&provider, &post.client_id, "ada", "n").await;
    let token_endpoint = provider.discovery().await["token_endpoint"]
        .as_str()
        .expect("token endpoint")
        .to_owned();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", pkce.verifier.as_str()),
        ("client_id", post.client_id.as_str()),
        ("client_secret", post.client_secret.as_str()),
    ];
    let accepted = no_redirects()
        .post(&token_endpoint)
        .form(&form)
        .send()
        .await
        .expect("token endpoint answers");
    let (_, payload) = id_token(accepted).await;
    assert_eq!(payload["aud"], json!([post.client_id]));
}

#[tokio::test]
async fn denying_at_the_provider_redirects_with_access_denied() {
    let provider = OidcProvider::start().await;
    let url = authorization_url(&provider.discovery().await, "any-client", &new_pkce(), "n");
    let callback = deny(&no_redirects(), &url).await;
    assert!(callback.starts_with(CALLBACK), "{callback}");
    assert_eq!(
        query_value(&callback, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_value(&callback, "code"), None);
    // The provider drops `state` from its error redirect (see `deny`).
    assert_eq!(query_value(&callback, "state"), None);
}

#[tokio::test]
async fn rotation_signs_with_a_new_kid_published_or_not() {
    let provider = OidcProvider::start().await;
    let client = provider
        .register_client(CALLBACK, "client_secret_basic")
        .await;
    let first = published_kids(&provider).await;

    let rotated = provider.rotate_key().await;
    let (code, pkce) = code_for(&provider, &client.client_id, "ada", "n").await;
    let (header, _) = id_token(exchange(&provider, &client, &code, &pkce.verifier).await).await;
    assert_eq!(header["kid"], rotated.as_str());
    assert_eq!(
        published_kids(&provider).await,
        [vec![rotated.clone()], first].concat()
    );

    let unpublished = provider.rotate_to_unpublished_key().await;
    let (code, pkce) = code_for(&provider, &client.client_id, "ada", "n").await;
    let (header, _) = id_token(exchange(&provider, &client, &code, &pkce.verifier).await).await;
    assert_eq!(header["kid"], unpublished.as_str());
    assert!(!published_kids(&provider).await.contains(&unpublished));
}

#[tokio::test]
async fn user_claims_can_carry_a_wrong_issuer_audience_nonce_and_expiry() {
    let provider = OidcProvider::start().await;
    let client = provider
        .register_client(CALLBACK, "client_secret_basic")
        .await;
    provider
        .set_user(
            "mallory@fabrikam.example",
            &json!({
                "iss": "http://127.0.0.1:9",
                "aud": "someone-else",
                "nonce": "replayed",
                "exp": 1_000_000_000,
            }),
        )
        .await;
    let (code, pkce) = code_for(
        &provider,
        &client.client_id,
        "mallory@fabrikam.example",
        "n",
    )
    .await;
    let (_, payload) = id_token(exchange(&provider, &client, &code, &pkce.verifier).await).await;
    assert_eq!(payload["iss"], "http://127.0.0.1:9");
    assert_eq!(payload["aud"], "someone-else");
    assert_eq!(payload["nonce"], "replayed");
    assert_eq!(payload["exp"], 1_000_000_000);
}

#[tokio::test]
async fn a_negative_lifetime_issues_tokens_already_expired() {
    let provider = OidcProvider::start_with(ProviderOptions {
        token_lifetime_seconds: -600,
    })
    .await;
    let client = provider
        .register_client(CALLBACK, "client_secret_basic")
        .await;
    let (code, pkce) = code_for(&provider, &client.client_id, "ada", "n").await;
    let (_, payload) = id_token(exchange(&provider, &client, &code, &pkce.verifier).await).await;
    let now = chrono::Utc::now().timestamp();
    let exp = payload["exp"].as_i64().expect("exp");
    assert!(exp <= now - 590, "exp {exp}, now {now}");
}

#[tokio::test]
async fn a_stopped_provider_keeps_its_url_and_does_not_answer() {
    let mut provider = OidcProvider::start().await;
    let issuer = provider.issuer().to_owned();
    provider.stop();
    assert_eq!(provider.issuer(), issuer);
    let answer = no_redirects().get(provider.discovery_url()).send().await;
    assert!(
        answer.is_err_and(|e| e.is_connect()),
        "the stopped provider answered"
    );
}
