//! Invite Tenants, several at once: addresses pasted one per line (or
//! split by commas or semicolons), a CSV file of them, or both, sent
//! through the API's bulk use case; the page then shows what happened to
//! each address.

use super::frame::community_page;
use crate::app::bulk_invitations::{self, Outcome, RecipientResult};
use crate::app::communities;
use crate::app::AppError;
use crate::domain::ids::CommunityId;
use crate::web::pages::render::{PageResult, Portal};
use actix_multipart::Multipart;
use actix_web::{web, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;

/// The most bytes of pasted text, and of the CSV file: 100 addresses of
/// the longest kind fit several times over.
const FIELD_LIMIT: usize = 64 * 1024;

/// The form's fields as sent.
#[derive(Default)]
struct BulkForm {
    csrf: String,
    pasted: String,
    csv: String,
    too_big: bool,
}

async fn read_form(mut form: Multipart) -> Result<BulkForm, AppError> {
    let bad = |e: actix_multipart::MultipartError| {
        AppError::invalid(bulk_invitations::FIELD, e.to_string())
    };
    let mut read = BulkForm::default();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(bad)?;
        let name = field.name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(bad)?;
            if bytes.len() + chunk.len() > FIELD_LIMIT {
                read.too_big = true;
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "csrf" => read.csrf = text,
            "recipients" => read.pasted = text,
            "csv" => read.csv = text,
            _ => {}
        }
    }
    Ok(read)
}

/// Pasted addresses: one per line, or split by commas or semicolons.
fn pasted_addresses(text: &str) -> Vec<String> {
    text.split(['\n', '\r', ',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// One CSV line's cells: separated by commas (or semicolons, as some
/// spreadsheets write them), quotes around a cell taken away.
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' | ';' if !quoted => out.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    out.push(cell);
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// A CSV file's addresses: the column headed `email` (in any case) when
/// the first line has one, else the first column of every line.
fn csv_addresses(text: &str) -> Vec<String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let Some(first) = lines.next() else {
        return Vec::new();
    };
    let header = cells(first);
    let named = header
        .iter()
        .position(|h| h.eq_ignore_ascii_case("email") || h.eq_ignore_ascii_case("e-mail"));
    let (column, first_row) = match named {
        Some(i) => (i, None),
        None => (0, Some(header)),
    };
    first_row
        .into_iter()
        .chain(lines.map(cells))
        .filter_map(|row| row.get(column).cloned())
        .filter(|c| !c.is_empty())
        .collect()
}

#[derive(Serialize)]
struct ResultRow {
    recipient: String,
    result: &'static str,
    label: &'static str,
    reason: Option<String>,
}

fn label(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Sent(_) => "Sent",
        Outcome::AlreadyMember(_) => "Already a member",
        Outcome::AlreadyInvited(_) => "Already invited",
        Outcome::Invalid(_) => "Not an address",
        Outcome::OverDailyCap => "Over today's limit",
        Outcome::DomainNotAllowed => "Domain not trusted",
    }
}

fn row(r: &RecipientResult, cap: u32) -> ResultRow {
    ResultRow {
        recipient: r.recipient.clone(),
        result: r.outcome.name(),
        label: label(&r.outcome),
        reason: r.outcome.reason(cap),
    }
}

pub async fn invite_bulk(p: Portal, path: web::Path<CommunityId>, form: Multipart) -> HttpResponse {
    let community = path.into_inner();
    let result = invite_bulk_inner(&p, community, form).await;
    p.finish(result)
}

async fn invite_bulk_inner(p: &Portal, community: CommunityId, form: Multipart) -> PageResult {
    // Signed in before the body is read: no session is sent to sign in.
    p.visitor()?;
    let form = read_form(form).await?;
    let v = p.checked(&form.csrf)?;
    if form.too_big {
        return Err(AppError::invalid(
            bulk_invitations::FIELD,
            format!("the pasted text and the file may each be at most {FIELD_LIMIT} bytes"),
        )
        .into());
    }
    let mut recipients = pasted_addresses(&form.pasted);
    recipients.extend(csv_addresses(&form.csv));
    let results =
        bulk_invitations::create(&p.ctx, v.caller(), None, community, &recipients).await?;
    let cap = p.ctx.settings.invitations_per_community_per_day;
    let rows: Vec<ResultRow> = results.iter().map(|r| row(r, cap)).collect();
    let sent = rows.iter().filter(|r| r.result == "Sent").count();
    let view = communities::get(&p.ctx, v.caller(), None, community).await?;
    let mut page = community_page(&view, v.session.tenant, "invitations");
    page.insert("bulk_results", &rows);
    page.insert("bulk_sent", &sent);
    Ok(p.render("bulk_invite", page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_addresses_split_on_lines_commas_and_semicolons() {
        let found = pasted_addresses("a@x.example\r\nb@x.example, c@x.example;d@x.example\n\n");
        assert_eq!(
            found,
            ["a@x.example", "b@x.example", "c@x.example", "d@x.example"]
        );
    }

    #[test]
    fn a_csv_gives_its_email_column_or_its_first() {
        let headed =
            "\u{feff}Name,\"Email\"\n\"Doe, Jane\",jane@x.example\nBob,\"bob@x.example\"\n";
        assert_eq!(csv_addresses(headed), ["jane@x.example", "bob@x.example"]);
        let bare = "a@x.example;A\nb@x.example;B\n";
        assert_eq!(csv_addresses(bare), ["a@x.example", "b@x.example"]);
        assert!(csv_addresses("").is_empty());
    }
}
