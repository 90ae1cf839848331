//! The outbox worker: sends due entries oldest first, records each result
//! in the entry, retries transport failures with exponential backoff, and
//! gives every entry a stable Message-ID so a retry after a crash is
//! recognisable as the same message.

use super::render::render;
use super::transport::Transport;
use crate::app::{AppError, Context};
use crate::auth::link_token::LinkTokens;
use crate::domain::invitation::InvitationState;
use crate::domain::notification::{DeliveryStatus, Notice, OutboxEntry};
use crate::store::{invitations, outbox};
use crate::telemetry::metrics::OutboxEvent;
use chrono::{DateTime, Duration, Utc};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use std::sync::Arc;
use tera::Tera;
use tokio::sync::watch;

const BATCH: usize = 16;
const MAX_BACKOFF_SECONDS: i64 = 3600;
/// How often the worker looks even when nobody woke it (retries fall due).
const IDLE_POLL: std::time::Duration = std::time::Duration::from_secs(30);

pub struct Worker {
    ctx: Context,
    transport: Transport,
    tera: Arc<Tera>,
    from: Mailbox,
    host: String,
}

impl Worker {
    pub fn new(ctx: Context, transport: Transport, tera: Arc<Tera>) -> Result<Self, String> {
        let from: Mailbox = ctx.settings.mail_from.parse().map_err(|e| {
            format!(
                "mail_from '{}' is not an address: {e}",
                ctx.settings.mail_from
            )
        })?;
        let host = url::Url::parse(&ctx.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "communityd.localhost".into());
        Ok(Self {
            ctx,
            transport,
            tera,
            from,
            host,
        })
    }

    /// Runs until `stop` turns true; an email being sent when it does is
    /// finished and recorded first, and everything still queued stays in
    /// the outbox for the next start.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(transport = %self.transport.describe(), "mail worker started");
        let health = self.ctx.health.clone();
        let _alive = health.worker_started();
        loop {
            if *stop.borrow() {
                break;
            }
            match self.send_due().await {
                Ok(sent) if sent == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "mail worker could not read the outbox"),
            }
            let wait = self.until_next_due().await;
            tokio::select! {
                _ = self.ctx.mail_ready.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        tracing::info!("mail worker stopped");
    }

    async fn until_next_due(&self) -> std::time::Duration {
        let next = self
            .ctx
            .store
            .read(|tx| Ok::<_, AppError>(outbox::next_due(tx)?))
            .await;
        match next {
            Ok(Some(ms)) => {
                let now = self.ctx.clock.now().timestamp_millis();
                std::time::Duration::from_millis(
                    ms.saturating_sub(now)
                        .clamp(0, IDLE_POLL.as_millis() as i64) as u64,
                )
            }
            _ => IDLE_POLL,
        }
    }

    /// Sends one batch of due entries; returns how many it handled.
    pub async fn send_due(&self) -> Result<usize, AppError> {
        let now = self.ctx.clock.now();
        let due = self
            .ctx
            .store
            .read(move |tx| Ok::<_, AppError>(outbox::due(tx, now, BATCH)?))
            .await?;
        let count = due.len();
        for entry in due {
            self.deliver(entry).await?;
        }
        Ok(count)
    }

    async fn deliver(&self, mut entry: OutboxEntry) -> Result<(), AppError> {
        let now = self.ctx.clock.now();
        if let Some(reason) = self.superseded(&entry).await? {
            self.ctx.metrics.outbox(OutboxEvent::Dropped);
            entry.status = DeliveryStatus::Dropped { reason };
            return self.record(entry).await;
        }
        let result = match self.message(&entry, now) {
            Ok(message) => self.transport.send(message).await,
            Err(e) => Err(super::transport::SendError {
                message: e,
                permanent: true,
            }),
        };
        entry.attempts += 1;
        match result {
            Ok(()) => {
                entry.status = DeliveryStatus::Sent {
                    at: self.ctx.clock.now(),
                };
                entry.last_error = None;
                self.ctx.metrics.outbox(OutboxEvent::Sent);
                self.ctx.health.mail_sent(self.ctx.clock.now());
                tracing::info!(outbox_id = %entry.id, attempts = entry.attempts, "email sent");
            }
            Err(e) => {
                tracing::warn!(outbox_id = %entry.id, attempts = entry.attempts, error = %e.message, "email not sent");
                let give_up = e.permanent || entry.attempts >= self.ctx.settings.mail_max_attempts;
                self.ctx
                    .health
                    .mail_failed(self.ctx.clock.now(), &e.message);
                self.ctx.metrics.outbox(if give_up {
                    OutboxEvent::Failed
                } else {
                    OutboxEvent::Retrying
                });
                entry.last_error = Some(e.message);
                if give_up {
                    entry.status = DeliveryStatus::Failed;
                } else {
                    entry.status = DeliveryStatus::Retrying;
                    entry.next_attempt = now + self.backoff(entry.attempts);
                }
            }
        }
        self.record(entry).await
    }

    fn backoff(&self, attempts: u32) -> Duration {
        let base =
            Duration::from_std(self.ctx.settings.mail_retry_base).unwrap_or(Duration::seconds(2));
        let factor = 1i64 << attempts.saturating_sub(1).min(20);
        (base * factor as i32).min(Duration::seconds(MAX_BACKOFF_SECONDS))
    }

    async fn record(&self, entry: OutboxEntry) -> Result<(), AppError> {
        self.ctx
            .store
            .write(move |tx| Ok::<_, AppError>(outbox::put(tx, &entry)?))
            .await
    }

    /// An invitation email whose invitation was resent, withdrawn or
    /// answered meanwhile is not worth sending: its link would not work.
    async fn superseded(&self, entry: &OutboxEntry) -> Result<Option<String>, AppError> {
        let Notice::Invitation {
            invitation,
            generation,
            ..
        } = entry.notice
        else {
            return Ok(None);
        };
        let now = self.ctx.clock.now();
        let inv = self
            .ctx
            .store
            .read(move |tx| Ok::<_, AppError>(invitations::get(tx, invitation)?))
            .await?;
        Ok(match inv {
            None => Some("the invitation no longer exists".into()),
            Some(i) if i.withdrawn.is_some() => Some("the invitation was withdrawn".into()),
            Some(i) if i.generation != generation => {
                Some("the invitation was resent; a newer email replaces this one".into())
            }
            Some(i) if i.state_at(now) != InvitationState::InvitationCreated => {
                Some(format!("the invitation is {}", i.state_at(now).name()))
            }
            Some(_) => None,
        })
    }

    fn message(&self, entry: &OutboxEntry, now: DateTime<Utc>) -> Result<Message, String> {
        let links: &LinkTokens = &self.ctx.links;
        let link_expiry = now + self.ctx.invitation_ttl();
        let email = render(
            &self.tera,
            &entry.notice,
            &self.ctx.public_url,
            links,
            link_expiry,
        )?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(email.subject)
            .message_id(Some(format!("<{}@{}>", entry.id, self.host)));
        for to in &entry.to {
            builder = builder.to(to
                .as_str()
                .parse::<Mailbox>()
                .map_err(|e| format!("bad recipient {to}: {e}"))?);
        }
        builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(plain_text(email.text))
                    .singlepart(SinglePart::html(email.html)),
            )
            .map_err(|e| format!("cannot build the email: {e}"))
    }
}

/// The plain-text part as plain 7bit when it is ASCII with lines under
/// SMTP's 998-character limit, so a link stays whole for someone reading a
/// raw `.eml` file (lettre would pick quoted-printable for lines over 78
/// characters, which splits links). Any other text gets lettre's choice.
fn plain_text(text: String) -> SinglePart {
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    let plain =
        crlf.is_ascii() && !crlf.contains('\0') && crlf.split("\r\n").all(|l| l.len() <= 998);
    let body = if plain {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit)
    } else {
        Body::new(text)
    };
    SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(body)
}
