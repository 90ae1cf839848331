//! `communityd store copy` moves a deployment between redb and PostgreSQL
//! and back with every record and index intact: the upgrade fixture (a
//! data dir from an older release, with a few SDS streams, values and a
//! session added) goes redb -> PostgreSQL -> a new redb data dir, and the
//! last one answers every store function as the first did. A destination
//! that already holds a deployment is refused before anything is written.

use crate::helpers::{communities_path, communityd_binary, spawn_app_with};
use crate::upgrade::copy_fixture_to;
use communityd::config::DatabaseUrlSetting;
use communityd::domain::audit::{AuditEvent, AuditKind, Origin, Subject};
use communityd::domain::authorization_code_client::AuthorizationCodeClient;
use communityd::domain::custom_role::CustomRole;
use communityd::domain::identity_provider::{GroupRole, IdentityProvider, ProviderSecret};
use communityd::domain::ids::TenantId;
use communityd::domain::ids::{
    AuthorizationCodeClientId, ClientId, CustomRoleId, IdentityProviderId, PrincipalId,
};
use communityd::domain::sds::sds_type::SdsType;
use communityd::domain::sds::stream::SdsStream;
use communityd::domain::session::Session;
use communityd::domain::sign_in_policy::SignInPolicy;
use communityd::domain::tenant::{Tenant, TenantState};
use communityd::domain::trusted_domains::{EmailDomain, SetBy, TrustedDomains};
use communityd::domain::two_factor::TwoFactor;
use communityd::domain::usage::{UsageCounts, UsageKey};
use communityd::domain::webhook::WebhookEndpoint;
use communityd::domain::webhook_delivery::WebhookDelivery;
use communityd::store::audit_events;
use communityd::store::copy::{self, CopyError, SECRET_NAMES, VALUE_BATCH};
use communityd::store::pg::testing::fresh_database_url;
use communityd::store::profiles::{self, MemberProfile};
use communityd::store::sds_values::Direction;
use communityd::store::{
    authorization_code_clients, communities, custom_roles, grants, identities, identity_providers,
    invitations, memberships, outbox, sds_streams, sds_types, sds_values, secrets, sessions,
    shares, sign_in_policies, stream_defaults, tenants, trusted_domains, two_factor, usage,
    webhooks, ReadTx, Store, StoreError, FILE_NAME,
};
use reqwest::StatusCode;
use std::ops::Bound;
use std::path::Path;
use uuid::Uuid;

/// The fixture in a data dir of its own, opened once (so it is migrated
/// to this release) and given what the old release could not store:
/// SDS types, streams and more values than one copy batch, a session,
/// an icon, an external account, a community region, a member profile, a
/// custom role one user holds, a sign-in policy, that user's
/// authenticator, an authorization code client and a community's
/// trusted domains.
fn source(dir: &Path) -> Store {
    copy_fixture_to(dir);
    let store = Store::open(dir).expect("fixture opens");
    enrich(&store);
    store
}

/// Types and sessions beyond the fixture's: more than one page of each.
const MANY: usize = 520;

fn enrich(store: &Store) {
    let all = store.read_blocking(|tx| tenants::all(tx)).expect("tenants");
    let community = store
        .read_blocking(|tx| communities::all(tx))
        .expect("communities")
        .into_iter()
        .next()
        .expect("the fixture has a community");
    let tenant = all[0].id;
    let now = chrono::Utc::now();
    let trusted = TrustedDomains {
        allowed: vec![EmailDomain::parse("partner.example").expect("a domain")],
        auto_confirm: true,
        set_by: Some(SetBy {
            principal: PrincipalId::Client(ClientId::generate()),
            name: "admin client".into(),
            at: now,
        }),
    };
    // More audit events than one page of the copy.
    let origin = Origin::new(None, now, None, "copy fixture".into());
    let events: Vec<AuditEvent> = (0..MANY)
        .map(|n| {
            let detail = serde_json::json!({ "N": n });
            let kind = AuditKind::SettingsChanged;
            AuditEvent::new(&origin, kind, Subject::tenant(tenant), &detail, &[tenant])
        })
        .collect();
    store
        .write_blocking(|tx| events.iter().try_for_each(|e| audit_events::append(tx, e)))
        .expect("audit events");
    // A webhook endpoint with more deliveries than one page of the copy,
    // one still to try.
    let endpoint = WebhookEndpoint::new(
        tenant,
        "https://hooks.example.com/in".into(),
        vec![AuditKind::ShareAdded],
        "ERP".into(),
        now,
    );
    let deliveries: Vec<WebhookDelivery> = (0..MANY)
        .map(|n| {
            let body = format!("{{\"n\":{n}}}");
            let mut d = WebhookDelivery::new(endpoint.id, tenant, AuditKind::ShareAdded, body, now);
            if n > 0 {
                d.claim(now);
                d.delivered(now, 204);
            }
            d
        })
        .collect();
    store
        .write_blocking(|tx| {
            webhooks::put(tx, &endpoint)?;
            deliveries
                .iter()
                .try_for_each(|d| webhooks::put_delivery(tx, d))
        })
        .expect("webhooks");
    let sds_type = SdsType {
        id: "Reading".into(),
        name: "Reading".into(),
        description: String::new(),
        code: 1,
        keys: Vec::new(),
        properties: "[]".into(),
        created: now,
        modified: now,
        acl: None,
        owner: None,
        modes: Default::default(),
    };
    let streams: Vec<SdsStream> = ["Pump-1", "pump-2"]
        .iter()
        .map(|id| SdsStream {
            storage: sds_streams::new_storage_id(),
            namespace: "default".into(),
            id: id.to_string(),
            name: id.to_string(),
            description: String::new(),
            type_id: "Reading".into(),
            keys: Vec::new(),
            tags: vec!["plant".into()],
            metadata: vec![("site".into(), "north".into())],
            indexes: "[]".into(),
            acl: Default::default(),
            owner: None,
            created: now,
            modified: now,
            last_write: Some(now),
            modes: Default::default(),
        })
        .collect();
    let values: Vec<(Vec<u8>, Vec<u8>)> = (0..(2 * VALUE_BATCH as u32 + 17))
        .map(|i| {
            (
                i.to_be_bytes().to_vec(),
                format!("{{\"v\":{i}}}").into_bytes(),
            )
        })
        .collect();
    let mut holder = store
        .read_blocking(|tx| identities::users_of_tenant(tx, tenant))
        .expect("users")[0]
        .clone();
    let user = holder.id;
    let steward = CustomRole {
        id: CustomRoleId::generate(),
        tenant,
        name: "Data Steward".into(),
        description: "Shares streams".into(),
        created: now,
    };
    holder.custom_roles = vec![steward.id];
    let provider = IdentityProvider {
        id: IdentityProviderId::generate(),
        tenant,
        name: "Contoso directory".into(),
        issuer: "https://login.contoso.example".into(),
        client_id: "communityd".into(),
        client_secret: ProviderSecret::new("provider secret".into()),
        domains: vec!["contoso.example".into()],
        create_unknown_users: true,
        groups_claim: Some("groups".into()),
        group_roles: vec![GroupRole {
            group: "stewards".into(),
            role: steward.id.0,
        }],
        created: now,
    };
    let authenticator = TwoFactor {
        user,
        tenant,
        secret: vec![9; 20],
        enrolled: now,
        last_step: 58_000_000,
        recovery: vec![vec![1; 32], vec![2; 32]],
    };
    let policy = SignInPolicy {
        passwords: true,
        totp_required: true,
    };
    let notebook = AuthorizationCodeClient {
        id: AuthorizationCodeClientId::generate(),
        tenant,
        name: "Notebook".into(),
        enabled: true,
        redirect_uris: vec!["http://localhost:5004/callback.html".into()],
        post_logout_redirect_uris: vec!["https://app.example/bye".into()],
        allowed_cors_origins: vec!["https://app.example".into()],
        created: now,
    };
    let session = Session {
        user,
        tenant,
        csrf: "csrf".into(),
        created: now,
        expires: now + chrono::Duration::days(1),
        invitation_links: Vec::new(),
        password_generation: 0,
    };
    store
        .write_blocking(|tx| {
            sds_types::put(tx, tenant, "default", &sds_type)?;
            sds_types::put(tx, tenant, "other", &sds_type)?;
            // More than one copy page (500) of types and of sessions.
            for i in 0..MANY {
                let namespace = if i % 2 == 0 { "default" } else { "other" };
                let mut t = sds_type.clone();
                t.id = format!("T{i:04}");
                sds_types::put(tx, tenant, namespace, &t)?;
                sessions::put(tx, &(i as u64).to_be_bytes(), &session)?;
            }
            for stream in &streams {
                sds_streams::put(tx, tenant, stream)?;
            }
            sds_values::put_each(
                tx,
                streams[0].storage,
                values.iter().map(|(k, v)| (k.as_slice(), v.as_slice())),
                |_, _| Ok::<_, StoreError>(()),
            )?;
            sds_values::put(tx, streams[1].storage, b"k", b"{\"one\":1}")?;
            sessions::put(tx, &[7u8; 32], &session)?;
            custom_roles::put(tx, &steward)?;
            identity_providers::put(tx, &provider)?;
            identities::put_user(tx, &holder)?;
            sign_in_policies::put(tx, tenant, &policy)?;
            stream_defaults::put(tx, tenant, "other", &streams[0].acl)?;
            two_factor::put(tx, &authenticator)?;
            authorization_code_clients::put(tx, &notebook)?;
            tenants::set_icon(tx, tenant, &[0x89, b'P', b'N', b'G'])?;
            profiles::set_external_account(tx, tenant, Some("aveva-account-1"))?;
            profiles::set_community_region(tx, community.id, Some("westeurope"))?;
            trusted_domains::put(tx, community.id, &trusted)?;
            // More than one copy page of usage rows, streams sorting
            // bytewise ("Pump-1" before "pump-2") on both backends.
            let usage_rows: Vec<_> = (0..MANY)
                .map(|i| {
                    (
                        UsageKey {
                            community: community.id,
                            day: 20_000 + (i / 2) as i64,
                            reader: community.owner,
                            owner: tenant,
                            namespace: "default".into(),
                            stream: if i % 2 == 0 { "Pump-1" } else { "pump-2" }.into(),
                        },
                        UsageCounts {
                            requests: i as u64 + 1,
                            values: 10 * i as u64,
                            refused: (i % 3) as u64,
                        },
                    )
                })
                .collect();
            usage::add(tx, &usage_rows)?;
            profiles::set_member(
                tx,
                community.id,
                community.owner,
                &MemberProfile {
                    contact_email: Some("ops@contoso.example".into()),
                    preferred_region_id: Some("eastus".into()),
                },
            )
        })
        .expect("enriched");
}

/// Every answer the store gives about the deployment, written down: the
/// records and the indexes over them (by alias, by email, an invitation's
/// live address, a community's and a tenant's lists, the expiry sweep).
fn answers(store: &Store) -> Vec<String> {
    store.read_blocking(answers_in).expect("store answers")
}

fn answers_in(tx: &ReadTx) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let mut note = |what: String| out.push(what);
    for name in SECRET_NAMES {
        note(format!("secret {name}: {:?}", secrets::get(tx, name)?));
    }
    let all = tenants::all(tx)?;
    for t in &all {
        let id = t.id;
        note(format!("tenant {t:?}"));
        note(format!("by alias: {:?}", tenants::by_alias(tx, &t.alias)?));
        note(format!("icon: {:?}", tenants::icon(tx, id)?));
        note(format!(
            "external: {:?}",
            profiles::external_account(tx, id)?
        ));
        for u in identities::users_of_tenant(tx, id)? {
            note(format!("user {u:?}"));
            note(format!(
                "by email: {:?}",
                identities::user_by_email(tx, id, &u.email)?.map(|u| u.id)
            ));
        }
        note(format!(
            "clients {:?}",
            identities::clients_of_tenant(tx, id)?
        ));
        note(format!(
            "custom roles {:?}",
            custom_roles::of_tenant(tx, id)?
        ));
        for p in identity_providers::of_tenant(tx, id)? {
            // Debug hides the secret; the copy must carry it all the same.
            note(format!(
                "identity provider {p:?} {}",
                p.client_secret.expose()
            ));
        }
        note(format!(
            "sign-in policy {:?}",
            sign_in_policies::stored(tx, id)?
        ));
        note(format!("two-factor {:?}", two_factor::of_tenant(tx, id)?));
        note(format!(
            "default stream lists {:?}",
            stream_defaults::of_tenant(tx, id)?
        ));
        for w in webhooks::of_tenant(tx, id)? {
            note(format!("webhook endpoint {w:?}"));
            let log = webhooks::log_of(tx, w.id, None, 100_000)?;
            note(format!("webhook log {log:?}"));
        }
        for c in authorization_code_clients::of_tenant(tx, id)? {
            note(format!("authorization code client {c:?}"));
            note(format!(
                "by id: {:?}",
                authorization_code_clients::get(tx, c.id)?.map(|c| c.tenant)
            ));
        }
        let accepted: Vec<_> = invitations::accepted_by_tenant(tx, id)?
            .into_iter()
            .map(|i| i.id)
            .collect();
        note(format!("accepted {accepted:?}"));
        note(format!(
            "types {:?}",
            sds_types::page_of_tenant(tx, id, None, 1000)?
        ));
        for s in sds_streams::page_of_tenant(tx, id, None, 1000)? {
            note(format!("stream {s:?}"));
            let mut values = Vec::new();
            sds_values::each_in_range(
                tx,
                s.storage,
                (Bound::Unbounded, Bound::Unbounded),
                Direction::Forward,
                0,
                usize::MAX,
                |k, v| {
                    values.push((k.to_vec(), v.to_vec()));
                    true
                },
            )?;
            note(format!("{} values: {values:?}", values.len()));
        }
    }
    for c in communities::all(tx)? {
        let id = c.id;
        note(format!("community {c:?}"));
        note(format!("region {:?}", profiles::community_region(tx, id)?));
        note(format!("trusted {:?}", trusted_domains::stored(tx, id)?));
        for m in memberships::of_community(tx, id)? {
            note(format!("membership {m:?}"));
            note(format!("profile {:?}", profiles::member(tx, id, m.tenant)?));
            note(format!("roles {:?}", grants::of_tenant(tx, id, m.tenant)?));
        }
        note(format!("grants {:?}", grants::of_community(tx, id)?));
        note(format!("shares {:?}", shares::of_community(tx, id)?));
        note(format!("quota {:?}", invitations::quota_rows(tx, id)?));
        note(format!(
            "usage {:?}",
            usage::page_of_community(tx, id, None, 100_000)?
        ));
        let listed: Vec<_> = invitations::of_community(tx, id)?
            .into_iter()
            .map(|i| i.id)
            .collect();
        note(format!("invitations listed {listed:?}"));
    }
    for inv in invitations::all(tx)? {
        note(format!("invitation {inv:?}"));
        note(format!(
            "live for its address: {:?}",
            invitations::live_for(tx, inv.community, &inv.recipient)?.map(|i| i.id)
        ));
    }
    let far = chrono::Utc::now() + chrono::Duration::days(10_000);
    note(format!(
        "expiry sweep {:?}",
        invitations::due_for_expiry(tx, far, 100_000)?
    ));
    for e in outbox::page_after(tx, None, 100_000)? {
        note(format!("email {e:?}"));
    }
    note(format!("next due {:?}", outbox::next_due(tx)?));
    note(format!("webhook next due {:?}", webhooks::next_due(tx)?));
    note(format!(
        "sessions {:?}",
        sessions::page_after(tx, None, 100_000)?
    ));
    Ok(out)
}

/// What the fixture holds of each kind, so a copy that drops one shows.
fn assert_substantial(answers: &[String]) {
    let count = |prefix: &str| answers.iter().filter(|a| a.starts_with(prefix)).count();
    assert_eq!(count("tenant "), 4, "{answers:#?}");
    assert!(count("community ") >= 1);
    assert!(count("invitation ") >= 2);
    assert!(count("email ") >= 1);
    assert!(count("stream ") == 2);
    assert!(
        answers
            .iter()
            .any(|a| a.starts_with("default stream lists [(\"other\"")),
        "the fixture has a namespace's default stream list"
    );
    assert!(
        answers.iter().any(|a| a.starts_with("usage [(UsageKey")),
        "the fixture has usage counts"
    );
    assert!(answers
        .iter()
        .any(|a| a.starts_with(&format!("{} values", 2 * VALUE_BATCH + 17))));
    for name in SECRET_NAMES {
        assert!(
            answers
                .iter()
                .any(|a| a.starts_with(&format!("secret {name}: Some("))),
            "the fixture has its {name}"
        );
    }
    assert!(
        answers
            .iter()
            .any(|a| a.starts_with("grants [(") && a.contains("RoleSet")),
        "the fixture has community roles"
    );
    assert!(
        answers.iter().any(|a| a.starts_with("next due Some(")),
        "the fixture has emails still to send"
    );
    assert_eq!(count("webhook endpoint "), 1, "the fixture has a webhook");
    assert!(
        answers
            .iter()
            .any(|a| a.starts_with("webhook log [") && a.contains("Delivered")),
        "the fixture has a webhook's deliveries"
    );
    assert!(
        answers
            .iter()
            .any(|a| a.starts_with("webhook next due Some(")),
        "the fixture has a webhook delivery still to try"
    );
}

fn counts_of(counts: &copy::Counts, kind: &str) -> u64 {
    counts.get(kind).copied().unwrap_or(0)
}

#[test]
fn a_deployment_copied_redb_to_redb_answers_alike() {
    let dir = tempfile::tempdir().expect("dir");
    let from = source(&dir.path().join("from"));
    let before = answers(&from);
    assert_substantial(&before);
    let to = Store::open(&dir.path().join("to")).expect("new data dir");
    let counts = copy::copy(&from, &to).expect("copied");
    assert_eq!(answers(&to), before);
    assert_eq!(counts_of(&counts, "tenant"), 4);
    assert_eq!(counts_of(&counts, "secret"), 2);
    assert_eq!(counts_of(&counts, "sds stream"), 2);
    assert_eq!(counts_of(&counts, "sign-in policy"), 1);
    assert_eq!(counts_of(&counts, "two-factor"), 1);
    assert_eq!(
        counts_of(&counts, "stream value"),
        2 * VALUE_BATCH as u64 + 18
    );
    assert_eq!(counts_of(&counts, "session"), MANY as u64 + 1);
    assert_eq!(counts_of(&counts, "audit event"), MANY as u64);
    assert_eq!(counts_of(&counts, "webhook"), 1);
    assert_eq!(counts_of(&counts, "webhook delivery"), MANY as u64);
    assert_eq!(counts_of(&counts, "sds type"), MANY as u64 + 2);
    assert_eq!(counts_of(&counts, "usage"), MANY as u64);
    assert!(counts_of(&counts, "invitation") >= 2);
    assert!(counts_of(&counts, "grant") >= 1);
}

/// Verification compares every record: a role changed in the destination
/// after the copy is named by kind and id.
#[test]
fn a_record_that_differs_is_named() {
    let dir = tempfile::tempdir().expect("dir");
    let from = source(&dir.path().join("from"));
    let to = Store::open(&dir.path().join("to")).expect("new data dir");
    copy::copy(&from, &to).expect("copied");
    copy::verify(&from, &to).expect("verified again");
    let community = to.read_blocking(|tx| communities::all(tx)).expect("all")[0].id;
    let (tenant, who, _) = to
        .read_blocking(|tx| grants::of_community(tx, community))
        .expect("grants")[0];
    to.write_blocking(|tx| grants::set(tx, community, tenant, who, Default::default()))
        .expect("role removed");
    let found = copy::verify(&from, &to).expect_err("a difference");
    let CopyError::Mismatch { kind, id, .. } = &found else {
        panic!("{found:?}")
    };
    assert_eq!(*kind, "grant");
    assert_eq!(*id, format!("{community}/{tenant}/{}", who.as_uuid()));
    assert!(
        found.to_string().contains("missing from the destination"),
        "{found}"
    );
}

#[test]
fn a_deployment_goes_to_postgres_and_back_intact() {
    let Some(url) = fresh_database_url() else {
        eprintln!("skipped: COMMUNITYD_TEST_DATABASE_URL is unset (needs PostgreSQL)");
        return;
    };
    let dir = tempfile::tempdir().expect("dir");
    let from = source(&dir.path().join("from"));
    let before = answers(&from);
    assert_substantial(&before);
    let pg = Store::open_configured(&dir.path().join("pg"), &url, 4).expect("PostgreSQL");
    let there = copy::copy(&from, &pg).expect("copied to PostgreSQL");
    assert_eq!(answers(&pg), before, "PostgreSQL answers as the source");
    drop(from);
    let back = Store::open(&dir.path().join("back")).expect("new data dir");
    let again = copy::copy(&pg, &back).expect("copied back to redb");
    assert_eq!(again, there, "the same records each way");
    assert_eq!(answers(&back), before, "back on redb, everything intact");
}

#[test]
fn a_destination_holding_a_deployment_is_refused_before_any_write() {
    let dir = tempfile::tempdir().expect("dir");
    let from = source(&dir.path().join("from"));
    // A tenant of its own.
    let to = Store::open(&dir.path().join("to")).expect("to");
    let now = chrono::Utc::now();
    let own = Tenant {
        id: TenantId(Uuid::now_v7()),
        company_name: "Elsewhere".into(),
        alias: "elsewhere".into(),
        state: TenantState::Active,
        created: now,
        last_updated: now,
    };
    to.write_blocking(|tx| tenants::put(tx, &own).map(drop))
        .expect("own tenant");
    let held = answers(&to);
    let refused = copy::copy(&from, &to).expect_err("refused");
    assert!(matches!(refused, CopyError::NotEmpty(_)), "{refused:?}");
    assert!(refused.to_string().contains("not empty"), "{refused}");
    assert_eq!(answers(&to), held, "nothing written");
    // Only a signing key (a server started on it once).
    let keyed = Store::open(&dir.path().join("keyed")).expect("keyed");
    keyed
        .write_blocking(|tx| secrets::get_or_create(tx, "access_token_key"))
        .expect("key");
    let held = answers(&keyed);
    let refused = copy::copy(&from, &keyed).expect_err("refused");
    assert!(
        refused.to_string().contains("access_token_key"),
        "{refused}"
    );
    assert_eq!(answers(&keyed), held, "nothing written");
}

/// The command itself, through the real binary: to PostgreSQL when the
/// suite has a server, else to a new data dir; a second run into the same
/// destination is refused in one line.
#[test]
fn the_command_copies_verifies_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("dir");
    let from_dir = dir.path().join("from");
    drop(source(&from_dir));
    let to = fresh_database_url().unwrap_or_else(|| dir.path().join("to").display().to_string());
    let run = || {
        communityd_binary()
            .args(["store", "copy", "--from"])
            .arg(&from_dir)
            .args(["--to", &to])
            .output()
            .expect("binary runs")
    };
    let out = run();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["counts"]["tenant"], 4, "{report}");
    assert_eq!(report["counts"]["secret"], 2, "{report}");
    assert!(!report["copied"]["to"]
        .as_str()
        .unwrap()
        .contains("password"));
    if !to.starts_with("postgres") {
        assert!(Path::new(&to).join(FILE_NAME).exists());
    }

    let again = run();
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    crate::startup::assert_one_line(&stderr, &["not empty", "4 tenants"]);

    let missing = communityd_binary()
        .args(["store", "copy", "--from"])
        .arg(dir.path().join("nothing"))
        .args(["--to", &dir.path().join("else").display().to_string()])
        .output()
        .expect("binary runs");
    assert!(!missing.status.success());
    crate::startup::assert_one_line(
        &String::from_utf8_lossy(&missing.stderr),
        &["holds no communityd.redb"],
    );
}

/// The signing keys travel: a token a server on the source signed is
/// accepted by a server started on the copy (by way of PostgreSQL when
/// the suite has a server, else redb to redb).
#[tokio::test]
async fn a_token_signed_before_the_copy_is_accepted_after_it() {
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/db-2bb523e/manifest.json"
        ))
        .expect("manifest"),
    )
    .expect("manifest json");
    let client = &manifest["clients"][0];
    let text = |v: &serde_json::Value| v.as_str().expect("text").to_string();
    let client_id = ClientId::parse(&text(&client["client_id"])).expect("client id");
    let tenant = TenantId::parse(&text(&client["tenant_id"])).expect("tenant id");
    // Both servers on redb, under one public address (the token's issuer).
    let on_redb = |s: &mut communityd::config::Settings| {
        s.database_url = DatabaseUrlSetting(String::new());
        s.public_url = "http://communities.test".into();
    };
    let before = spawn_app_with(|s| {
        on_redb(s);
        copy_fixture_to(&s.data_dir);
    })
    .await;
    let token = before
        .token(client_id, &text(&client["client_secret"]))
        .await;
    let source_dir = before.stop().await;

    let copies = tempfile::tempdir().expect("dir");
    let final_dir = copies.path().join("final");
    let (from, pg) = (source_dir.path().to_path_buf(), fresh_database_url());
    let to = final_dir.clone();
    tokio::task::spawn_blocking(move || {
        let from = Store::open(&from).expect("source");
        let to = Store::open(&to).expect("destination");
        match pg {
            Some(url) => {
                let pg = Store::open_configured(Path::new(""), &url, 2).expect("PostgreSQL");
                copy::copy(&from, &pg).expect("to PostgreSQL");
                copy::copy(&pg, &to).expect("back to redb");
            }
            None => {
                copy::copy(&from, &to).expect("copied");
            }
        }
    })
    .await
    .expect("copy task");

    let after = spawn_app_with(|s| {
        on_redb(s);
        s.data_dir = final_dir;
    })
    .await;
    let response = after.get(&communities_path(tenant), &token).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the old token still signs in"
    );
    let forged = format!("{token}x");
    let response = after.get(&communities_path(tenant), &forged).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
