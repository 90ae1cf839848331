//! Random input at every operation of the API document and every portal
//! route, through the real server over HTTP: random JSON (and non-JSON) bodies, path parameters and
//! query strings, with or without a valid token. Whatever arrives, the
//! answer is never a 5xx and the server keeps serving. The number of cases
//! per operation is fixed, so the run is short and repeatable (a failure
//! prints the case and its seed).

use crate::authorization_matrix::documented_operations;
use crate::helpers::*;
use crate::portal_matrix::portal_routes;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::Method;
use serde_json::Value;

/// Cases per documented operation.
const CASES: u32 = 3;

/// Property names the API reads, so random objects hit real fields.
const FIELDS: &[&str] = &[
    "Name",
    "Description",
    "Alias",
    "CompanyName",
    "Id",
    "State",
    "Status",
    "Action",
    "InvitationRecipient",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        prop_oneof![
            Just("Active"),
            Just("Paused"),
            Just("Remove"),
            Just("None"),
            Just("AwaitingConfirmation"),
            Just("Accept"),
            Just("Decline"),
            Just("Confirm"),
            Just("Resend"),
            Just("someone@example.com"),
            Just("\u{202E}evil\u{0}"),
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(FIELDS).prop_map(str::to_string),
                        any::<String>()
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// A request body: random JSON, random bytes, or nothing.
#[derive(Clone, Debug)]
enum Body {
    None,
    Json(Value),
    Bytes(Vec<u8>),
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        1 => Just(Body::None),
        6 => json_value().prop_map(Body::Json),
        2 => prop::collection::vec(any::<u8>(), 0..200).prop_map(Body::Bytes),
    ]
}

/// What stands in for an id in the path: the real one, or anything else.
#[derive(Clone, Debug)]
enum Segment {
    Real,
    Text(String),
    Guid(u128),
}

fn segment() -> impl Strategy<Value = Segment> {
    prop_oneof![
        3 => Just(Segment::Real),
        2 => any::<String>().prop_map(Segment::Text),
        1 => "[a-z0-9%./-]{0,80}".prop_map(Segment::Text),
        1 => any::<u128>().prop_map(Segment::Guid),
    ]
}

fn query() -> impl Strategy<Value = Vec<(String, String)>> {
    let key = prop_oneof![
        Just("skip".to_string()),
        Just("count".to_string()),
        Just("Count".to_string()),
        any::<String>(),
    ];
    let value = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        Just("18446744073709551616".to_string()),
        any::<String>(),
    ];
    prop::collection::vec((key, value), 0..4)
}

#[derive(Clone, Debug)]
struct Case {
    segments: Vec<Segment>,
    query: Vec<(String, String)>,
    body: Body,
    /// 0: none, 1: the owner's administrator, 2: a member's administrator,
    /// 3: a token that is not ours.
    caller: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(segment(), PLACEHOLDERS),
        query(),
        body(),
        0..4usize,
    )
        .prop_map(|(segments, query, body, caller)| Case {
            segments,
            query,
            body,
            caller,
        })
}

struct World {
    app: TestApp,
    owner: TestTenant,
    member: TestTenant,
    community: String,
    invitation: String,
}

/// How many distinct placeholders the document's and the portal's paths use.
const PLACEHOLDERS: usize = 23;

impl World {
    fn url(&self, path: &str, case: &Case) -> String {
        let real = [
            ("{tenantId}", self.owner.id.to_string()),
            ("{communityId}", self.community.clone()),
            ("{memberTenantId}", self.member.id.to_string()),
            ("{userId}", self.owner.admin_user.to_string()),
            ("{clientId}", self.owner.client_id.to_string()),
            ("{invitationId}", self.invitation.clone()),
            ("{roleId}", String::new()),
            ("{namespaceId}", "default".to_string()),
            ("{typeId}", "WaveData_SampleType".to_string()),
            ("{streamId}", "fuzz".to_string()),
            ("{key}", "site".to_string()),
            // The portal's.
            ("{id}", self.community.clone()),
            ("{kind}", "users".to_string()),
            ("{principal}", self.owner.admin_user.to_string()),
            ("{inv}", self.invitation.clone()),
            ("{verb}", "remove".to_string()),
            ("{tenant}", self.member.id.to_string()),
            ("{namespace}", "default".to_string()),
            ("{stream}", "fuzz".to_string()),
            ("{token}", "not-a-link-token".to_string()),
            ("{secretId}", "1".to_string()),
            ("{client}", self.owner.client_id.to_string()),
            ("{secret}", "1".to_string()),
        ];
        let mut path = path.to_string();
        for ((name, value), segment) in real.iter().zip(&case.segments) {
            let text = match segment {
                Segment::Real => value.clone(),
                Segment::Text(t) => url::form_urlencoded::byte_serialize(t.as_bytes()).collect(),
                Segment::Guid(n) => uuid::Uuid::from_u128(*n).to_string(),
            };
            path = path.replace(name, &text);
        }
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&case.query)
            .finish();
        format!("{}{path}?{query}", self.app.url)
    }

    async fn send(&self, method: &str, path: &str, case: &Case) -> (u16, String) {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.app.http.request(method, self.url(path, case));
        request = match case.caller {
            1 => request.bearer_auth(&self.owner.token),
            2 => request.bearer_auth(&self.member.token),
            3 => request.bearer_auth("eyJhbGciOiJIUzI1NiJ9.e30.not-ours"),
            _ => request,
        };
        request = match &case.body {
            Body::None => request,
            Body::Json(v) => request
                .header("content-type", "application/json")
                .body(v.to_string()),
            Body::Bytes(b) => request.body(b.clone()),
        };
        match request.send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.text().await.unwrap_or_default())
            }
            // A URL the client itself refuses to send is no server fault.
            Err(e) if e.is_builder() => (0, String::new()),
            Err(e) => (599, format!("no answer: {e}")),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_bodies_paths_and_queries_never_get_a_server_error() {
    let app = spawn_app().await;
    let owner = app.tenant("Contoso").await;
    let member = app.tenant("Fabrikam").await;
    let community = app.community(&owner, "Plant data").await;
    app.join(&owner, &community, &member).await;
    let invitation = app
        .invite_id(&owner, &community, "pending@elsewhere.example")
        .await;
    app.wave_stream(&owner, "fuzz", &[1, 2, 3]).await;
    let world = std::sync::Arc::new(World {
        app,
        owner,
        member,
        community,
        invitation,
    });

    let runtime = tokio::runtime::Handle::current();
    let w = world.clone();
    let documented = documented_operations();
    let portal = portal_routes();
    let (api_count, portal_count) = (documented.len(), portal.len());
    let operations: Vec<(String, String)> = documented.into_iter().chain(portal).collect();
    let count = operations.len();
    let outcome = tokio::task::spawn_blocking(move || {
        let config = Config {
            cases: CASES,
            failure_persistence: None,
            max_shrink_iters: 200,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(
            config,
            proptest::test_runner::TestRng::deterministic_rng(
                proptest::test_runner::RngAlgorithm::ChaCha,
            ),
        );
        let mut covered = 0;
        for (method, path) in &operations {
            covered += 1;
            runner.run(&case(), |case| {
                let (status, body) = runtime.block_on(w.send(method, path, &case));
                if (500..600).contains(&status) {
                    return Err(TestCaseError::fail(format!(
                        "{method} {} answered {status}: {body}",
                        w.url(path, &case)
                    )));
                }
                Ok(())
            })?;
        }
        Ok::<_, proptest::test_runner::TestError<Case>>(covered)
    })
    .await
    .expect("the property runner finished");
    let covered = outcome.unwrap_or_else(|e| panic!("{e}"));
    println!(
        "fuzz: {covered} of {count} routes ({api_count} documented operations, \
         {portal_count} portal routes), {CASES} cases each"
    );
    assert_eq!(covered, count);
    // Still serving.
    let r = world
        .app
        .http
        .get(format!(
            "{}/identity/.well-known/openid-configuration",
            world.app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
