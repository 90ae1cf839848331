//! The query parameters of `Data/Summaries` and `Data/Sampled`, as the API
//! document states them, with the bounds their handlers answer 400 past.

use crate::app::sds::data::range_scan::{MAX_INTERVALS, MAX_SCANNED};
use crate::app::sds::data::sampled::MAX_SAMPLE_BY;
use crate::web::schemas::{query_param as param, whole_number};
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::KnownFormat;
use utoipa::IntoParams;

fn text() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn range() -> [Parameter; 2] {
    [
        param(
            "startIndex",
            &format!(
                "The first interval's start (the range holds at most {MAX_SCANNED} stored values)"
            ),
            text(),
        ),
        param("endIndex", "The last interval's end", text()),
    ]
}

fn intervals(name: &str) -> Parameter {
    param(
        name,
        &format!("How many equal intervals (1 to {MAX_INTERVALS})"),
        whole_number(KnownFormat::Int32, 1, Some(MAX_INTERVALS as u64)),
    )
}

fn filter() -> Parameter {
    param(
        "filter",
        "A filter expression on the stored values (empty for none)",
        text(),
    )
}

/// `GET .../Data/Summaries`.
pub struct SummaryParams;

impl IntoParams for SummaryParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut out = range().to_vec();
        out.push(intervals("count"));
        out.push(filter());
        out
    }
}

/// `GET .../Data/Sampled`.
pub struct SampledParams;

impl IntoParams for SampledParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let boundary = || {
            text().enum_values(Some([
                "Exact",
                "Inside",
                "Outside",
                "ExactOrCalculated",
                "0",
                "1",
                "2",
                "3",
            ]))
        };
        let mut out = range().to_vec();
        out.push(intervals("intervals"));
        out.push(param(
            "sampleBy",
            &format!("A numeric property to sample by (repeatable or comma-separated; at most {MAX_SAMPLE_BY})"),
            text(),
        ));
        for (name, what) in [
            ("boundaryType", "Both ends"),
            ("startBoundaryType", "The start"),
            ("endBoundaryType", "The end"),
        ] {
            out.push(param(
                name,
                &format!("{what}: Exact (default), Inside, Outside (the stored event beyond) or ExactOrCalculated (the event at it, interpolated if none is stored)"),
                boundary(),
            ));
        }
        out.push(filter());
        out
    }
}
