//! The Usage tab: who read the viewer's shared streams through this
//! community, and what the viewer's tenant read there. A daily chart (the
//! last 30 days), a monthly chart (the last 12 months), the daily rows as
//! a table, and the same rows as a CSV download.

use super::frame::community_page;
use super::usage_chart::{self, Bar};
use crate::app::communities::{self, CommunityView};
use crate::app::usage::report::{self, DayRange, GroupBy, Record};
use crate::domain::ids::{CommunityId, TenantId};
use crate::domain::usage::{date_of, day_of, month_start};
use crate::web::api::sds::request::Query;
use crate::web::api::usage::{csv_response, parse, UsageDataRecord};
use crate::web::pages::render::{PageResult, Portal};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use std::collections::HashMap;

/// Days in the daily chart and the table.
const DAYS: i64 = 30;
/// Months in the monthly chart.
const MONTHS: usize = 12;

#[derive(Serialize)]
struct UsageRow {
    day: String,
    reader: String,
    stream: String,
    owner: String,
    requests: u64,
    values: u64,
    refused: u64,
}

/// The first days of the last `MONTHS` months, oldest first.
fn month_starts(today: i64) -> Vec<i64> {
    let mut starts = vec![month_start(today)];
    while starts.len() < MONTHS {
        let earlier = month_start(starts[starts.len() - 1] - 1);
        starts.push(earlier);
    }
    starts.reverse();
    starts
}

/// One bar per bucket start, zero where nothing was counted.
fn filled(records: &[Record], starts: &[i64], label: impl Fn(i64) -> String) -> Vec<Bar> {
    let by_start: HashMap<i64, u64> = records.iter().map(|r| (r.start, r.counts.values)).collect();
    starts
        .iter()
        .map(|s| Bar {
            label: label(*s),
            value: by_start.get(s).copied().unwrap_or(0),
        })
        .collect()
}

fn names(view: &CommunityView) -> HashMap<TenantId, String> {
    view.tenants
        .iter()
        .map(|t| (t.id, t.name.clone()))
        .collect()
}

pub async fn show(p: &Portal, view: &CommunityView, me: TenantId) -> PageResult {
    let v = p.visitor()?;
    let community = view.community.id;
    let today = day_of(p.ctx.clock.now());
    let months = month_starts(today);
    let year = DayRange {
        from: months[0],
        to: today,
    };
    let days = DayRange {
        from: today - (DAYS - 1),
        to: today,
    };
    let mut rows = report::rows(&p.ctx, v.caller(), me, community, year).await?;
    let monthly = report::group(&rows, year, GroupBy::Month);
    rows.retain(|(key, _)| key.day >= days.from);
    let daily = report::group(&rows, days, GroupBy::Day);
    let day_starts: Vec<i64> = (days.from..=days.to).collect();
    let daily_svg = usage_chart::bars(
        "Values read per day, last 30 days",
        "values",
        &filled(&daily, &day_starts, |d| {
            date_of(d).format("%-d %b").to_string()
        }),
    );
    // A month is clipped to the range: the first bucket starts mid-month
    // only when the range does, which it never does here.
    let monthly_svg = usage_chart::bars(
        "Values read per month, last 12 months",
        "values",
        &filled(&monthly, &months, |d| {
            date_of(d).format("%b %Y").to_string()
        }),
    );
    let names = names(view);
    let name = |t: Option<TenantId>| {
        t.map(|t| names.get(&t).cloned().unwrap_or_else(|| t.to_string()))
            .unwrap_or_default()
    };
    let mut table: Vec<UsageRow> = report::group(&rows, days, GroupBy::All)
        .iter()
        .map(|r| UsageRow {
            day: date_of(r.start).format("%-d %b %Y").to_string(),
            reader: name(r.reader),
            owner: name(r.owner),
            stream: r
                .stream
                .as_ref()
                .map(|(_, s)| s.clone())
                .unwrap_or_default(),
            requests: r.counts.requests,
            values: r.counts.values,
            refused: r.counts.refused,
        })
        .collect();
    table.reverse();
    let mut page = community_page(view, me, "usage");
    page.insert("usage_daily_svg", &daily_svg);
    page.insert("usage_monthly_svg", &monthly_svg);
    page.insert("usage_rows", &table);
    page.insert("usage_from", &date_of(days.from).to_string());
    page.insert("usage_to", &date_of(days.to).to_string());
    Ok(p.render_status(StatusCode::OK, "community", &mut page))
}

/// `GET /communities/{id}/usage.csv`: the Usage tab's rows as CSV, with
/// the API's `startTime`, `endTime` and `groupBy`.
pub async fn csv(p: Portal, path: web::Path<CommunityId>) -> HttpResponse {
    let result = csv_inner(&p, path.into_inner()).await;
    p.finish(result)
}

async fn csv_inner(p: &Portal, community: CommunityId) -> PageResult {
    let v = p.visitor()?;
    let me = v.session.tenant;
    // The same refusal as the page for a community the viewer is not in.
    communities::get(&p.ctx, v.caller(), None, community).await?;
    let (range, by) = parse(&Query::of(&p.req), day_of(p.ctx.clock.now()))?;
    let rows = report::rows(&p.ctx, v.caller(), me, community, range).await?;
    let records: Vec<UsageDataRecord> = report::group(&rows, range, by)
        .iter()
        .map(|r| UsageDataRecord::new(community, r))
        .collect();
    Ok(csv_response(community, range, &records))
}
