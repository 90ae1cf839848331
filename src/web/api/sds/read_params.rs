//! The query parameters of the SDS reads, as the API document states them,
//! with their bounds taken from the rules that enforce them (the value
//! read cap, the search query's length), so a client and a schema-driven
//! fuzzer see the same limits the handlers answer 400 past.

use crate::app::sds::data::MAX_JOINED_STREAMS;
use crate::domain::sds::filter;
use crate::domain::sds::search::MAX_QUERY_CHARS;
use crate::domain::sds::value_count::{DEFAULT_RANGE_COUNT, MAX_FILTER_SCAN, MAX_VALUES};
use crate::web::schemas::{query_param as param, whole_number};
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::KnownFormat;
use utoipa::IntoParams;

fn text() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn whole(min: u64, max: Option<u64>) -> ObjectBuilder {
    whole_number(KnownFormat::Int64, min, max)
}

fn index_params() -> [Parameter; 2] {
    [
        param("startIndex", "The window's first index", text()),
        param("endIndex", "The window's last index", text()),
    ]
}

/// `filter`: an SDS filter expression, bounded in length.
pub fn filter() -> Parameter {
    param(
        "filter",
        &format!(
            "An SDS filter expression on the values (at most {} characters); a read examines at most {} stored values",
            filter::MAX_CHARS,
            MAX_FILTER_SCAN
        ),
        text().max_length(Some(filter::MAX_CHARS)),
    )
}

fn count() -> Parameter {
    let max = MAX_VALUES as u64;
    param(
        "count",
        &format!("How many values (1 to {MAX_VALUES})"),
        whole(1, Some(max)),
    )
}

/// `GET .../Data`: values at `index` (once or more), or a window,
/// paged with `count` and a continuation token.
pub struct WindowParams;

impl IntoParams for WindowParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut out = vec![param("index", "An index to read (repeatable)", text())];
        out.extend(index_params());
        out.push(count());
        out.push(param(
            "continuationToken",
            "Where the next page begins, from the previous page",
            text(),
        ));
        out.push(filter());
        out.extend(boundary_params(&[
            ("boundaryType", "How both ends of the window are treated"),
            ("startBoundaryType", "How the window's start is treated"),
            ("endBoundaryType", "How the window's end is treated"),
        ]));
        out
    }
}

/// `SdsBoundaryType` parameters, by name or number.
fn boundary_params(names: &[(&str, &str)]) -> Vec<Parameter> {
    names
        .iter()
        .map(|(name, what)| {
            param(
                name,
                &format!("{what}: Exact (0), Inside (1), Outside (2) or ExactOrCalculated (3)"),
                text(),
            )
        })
        .collect()
}

/// `GET .../Data/Interpolated` and `.../Data/Transform/Interpolated`: the
/// events at each `index`, or at `count` indexes evenly spaced from
/// `startIndex` to `endIndex`.
pub struct InterpolatedParams;

impl IntoParams for InterpolatedParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut out = vec![param(
            "index",
            &format!("An index to read at (repeatable, at most {MAX_VALUES})"),
            text(),
        )];
        out.extend(index_params());
        let mut count = count();
        count.description = Some(format!(
            "How many evenly spaced indexes, both ends included (1 to {MAX_VALUES})"
        ));
        out.push(count);
        out
    }
}

/// `GET .../Data/Transform`: a window, or `count` values from `startIndex`.
pub struct RangeParams;

impl IntoParams for RangeParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut out = index_params().to_vec();
        out.push(param(
            "skip",
            "How many values to skip (default 0)",
            whole(0, None),
        ));
        let mut count = count();
        count.description = Some(format!(
            "How many values (1 to {MAX_VALUES}, default {DEFAULT_RANGE_COUNT})"
        ));
        out.push(count);
        out.push(param(
            "reversed",
            "Read backwards from startIndex",
            ObjectBuilder::new().schema_type(Type::Boolean),
        ));
        out.push(filter());
        out.extend(boundary_params(&[
            (
                "boundaryType",
                "How the ends of the window or range are treated",
            ),
            (
                "boundary_type",
                "How the range's start is treated (as AVEVA's Python library names it)",
            ),
            ("startBoundaryType", "How the window's start is treated"),
            ("endBoundaryType", "How the window's end is treated"),
        ]));
        out
    }
}

/// `GET .../Bulk/Streams/Data/Joins`: several streams' windows, joined.
pub struct JoinParams;

impl IntoParams for JoinParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut out = vec![param(
            "streams",
            &format!("The stream ids, separated by commas (at most {MAX_JOINED_STREAMS})"),
            text(),
        )];
        out.extend(index_params());
        out.push(param(
            "joinMode",
            "Inner, Outer, Interpolated, MergeLeft or MergeRight, by name or number (0 to 4; default Outer)",
            text(),
        ));
        let mut count = count();
        count.description = Some(format!(
            "How many rows at most (1 to {MAX_VALUES}); without it, all rows of the window"
        ));
        out.push(count);
        out.push(filter());
        out
    }
}

/// A stream search's `query`.
pub struct SearchParams;

impl IntoParams for SearchParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![param(
            "query",
            &format!(
                "Words that must all match Id, Name or Description (Field:value for one field, * as a wildcard); at most {MAX_QUERY_CHARS} characters and {} words",
                crate::domain::sds::search::MAX_TERMS
            ),
            text().max_length(Some(MAX_QUERY_CHARS)),
        )]
    }
}

/// A community search's `searchTenantId`: only that tenant's shares.
pub struct TenantFilterParams;

impl IntoParams for TenantFilterParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![param(
            "searchTenantId",
            "Only the streams this tenant shares",
            text().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
        )]
    }
}

/// `PUT .../AccessControl/Streams`: whether existing streams get the new
/// default too.
pub struct ApplyParams;

impl IntoParams for ApplyParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![param(
            "applyToExisting",
            "Also replace the list of every existing stream of the namespace the caller may change (their shares stay)",
            ObjectBuilder::new().schema_type(Type::Boolean),
        )]
    }
}

/// The most hits one page of a community search holds (`pageSize`).
pub const MAX_PAGE_SIZE: usize = crate::domain::paging::MAX_COUNT;
/// The most pages a search's `maxPages` may allow.
pub const MAX_PAGES: u32 = 10_000;

/// A community search's paging and order: `pageSize` pages with a `Link`
/// header, `continuationToken` goes on from a page, `maxPages` ends the
/// walk, `orderBy` orders.
pub struct SearchPagingParams;

impl IntoParams for SearchPagingParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        use crate::domain::sds::search_order::MAX_TOKEN_CHARS;
        vec![
            param(
                "pageSize",
                &format!("Hits per page (1 to {MAX_PAGE_SIZE}); replaces count and answers a Link header with the first and next pages"),
                whole(1, Some(MAX_PAGE_SIZE as u64)),
            ),
            param(
                "maxPages",
                &format!("The most pages the walk may take (1 to {MAX_PAGES}); the last allowed page has no next link"),
                whole(1, Some(u64::from(MAX_PAGES))),
            ),
            param(
                "continuationToken",
                &format!("Where the page starts, from the previous page's next link (at most {MAX_TOKEN_CHARS} characters)"),
                text().max_length(Some(MAX_TOKEN_CHARS)),
            ),
            param(
                "orderBy",
                "Id, Name, TypeId, Description, Self, TenantId, NamespaceId, TenantName or CommunityId, optionally followed by ASC or DESC (default: Name ASC)",
                text().max_length(Some(40)),
            ),
        ]
    }
}
