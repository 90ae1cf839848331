//! Turning an outbox entry into the email lettre sends: rendered parts, the
//! sender, and a Message-ID derived from the entry's id, so a message sent
//! again after a crash carries the same Message-ID and can be recognised.

use super::render::render;
use crate::app::Context;
use crate::domain::notification::OutboxEntry;
use chrono::{DateTime, Utc};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use std::sync::Arc;
use tera::Tera;

pub struct Composer {
    ctx: Context,
    tera: Arc<Tera>,
    from: Mailbox,
    host: String,
}

impl Composer {
    pub fn new(ctx: Context, tera: Arc<Tera>) -> Result<Self, String> {
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
            tera,
            from,
            host,
        })
    }

    /// The Message-ID an entry is always sent with.
    pub fn message_id(&self, entry: &OutboxEntry) -> String {
        format!("<{}@{}>", entry.id, self.host)
    }

    pub fn message(&self, entry: &OutboxEntry, now: DateTime<Utc>) -> Result<Message, String> {
        let link_expiry = now + self.ctx.invitation_ttl();
        let email = render(
            &self.tera,
            &entry.notice,
            &self.ctx.public_url,
            &self.ctx.links,
            link_expiry,
        )?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(email.subject)
            .message_id(Some(self.message_id(entry)));
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
