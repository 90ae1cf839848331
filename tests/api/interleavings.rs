//! Every ordering of the handshake's events, with the clock under the
//! test's control: expiry, the sweep, Resend, delete, accept, confirm (and,
//! in a second family, a new invitation to the same address). After each
//! event the invariants must hold:
//! - at most one live invitation per (community, address);
//! - no tenant shown AwaitingConfirmation without a live accepted
//!   invitation, and none stored so once the sweep or the inviter's action
//!   has run;
//! - every link of an earlier generation is dead.
//!
//! And at the end the invitee is never stuck: unless it is in, it can be
//! invited (or use the open invitation) and accept.

use crate::helpers::*;
use communityd::auth::link_token::{LinkClaims, LinkPurpose};
use communityd::domain::identity::Caller;
use communityd::domain::ids::{CommunityId, InvitationId, PrincipalId};
use communityd::domain::invitation::{Invitation, InvitationState};
use communityd::domain::membership::CommunityTenantStatus;
use communityd::domain::role::{Role, RoleSet};
use communityd::store::{invitations, memberships};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    /// The invitation lifetime passes.
    Expire,
    /// The periodic sweep makes expiry durable.
    Sweep,
    /// The inviter resends the first invitation.
    Resend,
    /// The inviter deletes (withdraws) the newest invitation.
    Delete,
    /// The invitee accepts the newest invitation.
    Accept,
    /// The inviter confirms the newest invitation.
    Confirm,
    /// The inviter sends a new invitation to the same address.
    Reinvite,
}

use Event::*;

/// Every ordering of `events` (each once).
fn permutations(events: &[Event]) -> Vec<Vec<Event>> {
    if events.len() <= 1 {
        return vec![events.to_vec()];
    }
    let mut out = Vec::new();
    for (i, first) in events.iter().enumerate() {
        let mut rest = events.to_vec();
        rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, *first);
            out.push(tail);
        }
    }
    out
}

struct World {
    app: TestApp,
    owner: TestTenant,
    invitee: TestTenant,
}

/// One sequence's community, its invitations (oldest first) and every link
/// minted for them, with the generation each was minted for.
struct Run {
    community: String,
    invitations: Vec<String>,
    links: Vec<(String, u32, String)>,
}

impl World {
    async fn record(&self, id: &str) -> Invitation {
        let id = InvitationId::parse(id).unwrap();
        self.app
            .ctx
            .store
            .read(move |tx| invitations::get(tx, id))
            .await
            .unwrap()
            .expect("invitation stored")
    }

    /// The link an email for the invitation's current generation carries.
    async fn mint_link(&self, run: &mut Run, id: &str) {
        let inv = self.record(id).await;
        let token = self
            .app
            .ctx
            .links
            .issue(
                LinkPurpose::Invite,
                LinkClaims {
                    invitation: inv.id,
                    generation: inv.generation,
                },
                inv.expires,
            )
            .unwrap();
        run.links.push((id.to_string(), inv.generation, token));
    }

    async fn start(&self, n: usize) -> Run {
        let community = self.app.community(&self.owner, &format!("Run {n}")).await;
        let id = self
            .app
            .invite_id(&self.owner, &community, &self.invitee.admin_email)
            .await;
        let mut run = Run {
            community,
            invitations: vec![id.clone()],
            links: Vec::new(),
        };
        self.mint_link(&mut run, &id).await;
        run
    }

    /// Access tokens expire with the clock's jumps: fresh ones, signed the
    /// way the token endpoint signs them (without paying for a password
    /// hash per jump).
    async fn refresh_tokens(&mut self) {
        let now = self.app.clock.now();
        for tenant in [&mut self.owner, &mut self.invitee] {
            let caller = Caller {
                principal: PrincipalId::Client(tenant.client_id),
                tenant: tenant.id,
            };
            let roles = RoleSet::of(&[Role::TenantAdministrator, Role::TenantMember]);
            tenant.token = self
                .app
                .ctx
                .access_tokens
                .issue(caller, roles, now)
                .unwrap();
        }
    }

    async fn apply(&mut self, run: &mut Run, event: Event) -> StatusCode {
        if event == Expire {
            let ttl = chrono::Duration::from_std(self.app.settings.invitation_ttl).unwrap();
            self.app.clock.advance(ttl + chrono::Duration::minutes(1));
            self.refresh_tokens().await;
            return StatusCode::OK;
        }
        let app = &self.app;
        let first = run.invitations[0].clone();
        let newest = run.invitations.last().unwrap().clone();
        let path = invitations_path(self.owner.id, &run.community);
        match event {
            Expire => unreachable!("handled above"),
            Sweep => {
                // The sweep works in batches; earlier runs leave invitations too.
                while communityd::app::expiry::sweep(&app.ctx)
                    .await
                    .expect("sweep runs")
                    > 0
                {}
                StatusCode::OK
            }
            Resend => {
                let status = app.act(&self.owner.token, &first, "Resend").await.status();
                if status == StatusCode::ACCEPTED {
                    self.mint_link(run, &first).await;
                }
                status
            }
            Delete => app
                .delete(&format!("{path}/{newest}"), &self.owner.token)
                .await
                .status(),
            Accept => app
                .act(&self.invitee.token, &newest, "Accept")
                .await
                .status(),
            Confirm => app
                .act(&self.owner.token, &newest, "Confirm")
                .await
                .status(),
            Reinvite => {
                let r = app
                    .post_json(
                        &path,
                        &self.owner.token,
                        &json!({ "InvitationRecipient": self.invitee.admin_email }),
                    )
                    .await;
                let status = r.status();
                if status == StatusCode::CREATED {
                    let body: serde_json::Value = r.json().await.unwrap();
                    let id = body["Id"].as_str().unwrap().to_string();
                    run.invitations.push(id.clone());
                    self.mint_link(run, &id).await;
                }
                status
            }
        }
    }

    /// The community's invitations and memberships as stored now.
    async fn stored(
        &self,
        community: &str,
    ) -> (
        Vec<Invitation>,
        Vec<communityd::domain::membership::Membership>,
    ) {
        let id = CommunityId::parse(community).unwrap();
        self.app
            .ctx
            .store
            .read(move |tx| {
                Ok::<_, communityd::store::StoreError>((
                    invitations::of_community(tx, id)?,
                    memberships::of_community(tx, id)?,
                ))
            })
            .await
            .unwrap()
    }

    async fn check(&self, run: &Run, history: &[Event]) {
        let now = self.app.clock.now();
        let (invs, members) = self.stored(&run.community).await;

        // At most one live invitation per address.
        let mut live: HashMap<String, usize> = HashMap::new();
        for inv in invs.iter().filter(|i| i.is_live_at(now)) {
            *live.entry(inv.recipient.to_string()).or_default() += 1;
        }
        assert!(
            live.values().all(|n| *n <= 1),
            "two live invitations to one address after {history:?}: {live:?}"
        );

        // What the owner sees: nobody awaiting without a live accepted invitation.
        let waiting_on = |tenant: communityd::domain::ids::TenantId| {
            invs.iter().any(|i| {
                i.is_live_at(now)
                    && i.state_at(now) == InvitationState::InvitationAccepted
                    && i.invited_tenant == Some(tenant)
            })
        };
        let shown = self.app.member_statuses(&self.owner, &run.community).await;
        for (name, status) in &shown {
            if status == "AwaitingConfirmation" {
                assert_eq!(name, &self.invitee.name, "after {history:?}");
                assert!(
                    waiting_on(self.invitee.id),
                    "{name} shown awaiting without a live accepted invitation after {history:?}"
                );
            }
        }
        // What is stored, once something durable has happened since the
        // last expiry (the sweep, or an inviter's action on the invitation).
        let expired_at = history.iter().rposition(|e| *e == Expire);
        let settled = history
            .iter()
            .skip(expired_at.map_or(0, |i| i + 1))
            .any(|e| *e == Sweep);
        if settled || expired_at.is_none() {
            for m in &members {
                if m.status == CommunityTenantStatus::AwaitingConfirmation {
                    assert!(
                        waiting_on(m.tenant),
                        "a stored membership is stuck awaiting confirmation after {history:?}"
                    );
                }
            }
        }

        // Links of an earlier generation are dead.
        for (id, generation, token) in &run.links {
            let current = invs
                .iter()
                .find(|i| i.id.to_string() == *id)
                .map(|i| i.generation);
            if current == Some(*generation) {
                continue;
            }
            let r = self
                .app
                .http
                .get(format!("{}/invitations/{token}", self.app.url))
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                StatusCode::NOT_FOUND,
                "a link of generation {generation} still leads somewhere after {history:?}"
            );
        }
    }

    /// Unless the invitee is in, it can still be invited and accept.
    async fn check_not_stuck(&self, run: &Run, history: &[Event]) {
        let shown = self.app.member_statuses(&self.owner, &run.community).await;
        let status = shown
            .iter()
            .find(|(name, _)| *name == self.invitee.name)
            .map(|(_, s)| s.clone());
        if matches!(status.as_deref(), Some("Active" | "AwaitingConfirmation")) {
            return;
        }
        let now = self.app.clock.now();
        let (invs, _) = self.stored(&run.community).await;
        let open = invs
            .iter()
            .find(|i| i.is_live_at(now) && i.state_at(now) == InvitationState::InvitationCreated);
        let id = match open {
            Some(inv) => inv.id.to_string(),
            None => {
                let r = self
                    .app
                    .post_json(
                        &invitations_path(self.owner.id, &run.community),
                        &self.owner.token,
                        &json!({ "InvitationRecipient": self.invitee.admin_email }),
                    )
                    .await;
                let body = json_with_status(r, StatusCode::CREATED).await;
                body["Id"].as_str().unwrap().to_string()
            }
        };
        let r = self.app.act(&self.invitee.token, &id, "Accept").await;
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "the invitee cannot accept again after {history:?}: {}",
            r.text().await.unwrap_or_default()
        );
    }
}

async fn run_all(world: &mut World, sequences: Vec<Vec<Event>>, offset: usize) {
    for (n, sequence) in sequences.iter().enumerate() {
        let mut run = world.start(offset + n).await;
        let mut history = Vec::new();
        for event in sequence {
            let status = world.apply(&mut run, *event).await;
            history.push(*event);
            assert!(
                !status.is_server_error(),
                "{event:?} answered {status} after {history:?}"
            );
            world.check(&run, &history).await;
        }
        world.check_not_stuck(&run, &history).await;
    }
}

async fn world() -> World {
    let app = spawn_app_with(|s| s.invitations_per_community_per_day = 1000).await;
    let owner = app.tenant("Contoso").await;
    let invitee = app.tenant("Fabrikam").await;
    World {
        app,
        owner,
        invitee,
    }
}

/// Runs the sequences spread over a few servers of their own (each with
/// its own clock and database), since each waits mostly on disk syncs.
async fn run_spread(sequences: Vec<Vec<Event>>) {
    const SERVERS: usize = 6;
    let mut shares: Vec<Vec<Vec<Event>>> = vec![Vec::new(); SERVERS];
    for (i, sequence) in sequences.into_iter().enumerate() {
        shares[i % SERVERS].push(sequence);
    }
    let runs = shares.into_iter().map(|share| async move {
        let mut world = world().await;
        run_all(&mut world, share, 0).await;
    });
    futures_util::future::join_all(runs).await;
}

#[tokio::test]
async fn every_ordering_of_expiry_sweep_resend_delete_accept_and_confirm_keeps_the_invariants() {
    let handshake = permutations(&[Expire, Sweep, Resend, Delete, Accept, Confirm]);
    assert_eq!(handshake.len(), 720);
    run_spread(handshake).await;
}

#[tokio::test]
async fn every_ordering_around_a_second_invitation_to_the_same_address_keeps_the_invariants() {
    // A second invitation to the same address, around the first one's
    // expiry, acceptance and Resend.
    let second = permutations(&[Expire, Accept, Reinvite, Resend, Sweep, Delete]);
    run_spread(second).await;
}
