//! `GET /openapi.json`: the OpenAPI 3.1 document, derived from the route
//! table. Each operation is its handler's `#[utoipa::path]` description
//! (body schemas from the handlers' own request and response types), with
//! its mount's path parameters, an operation id made from its path, and,
//! for token operations, the ErrorResponse statuses every one can answer.

use super::error::ErrorResponse;
use super::route_table::{Access, Mount, Operation, RouteTable, Schemas};
use actix_web::{web, HttpResponse};
use utoipa::openapi::path::{HttpMethod, Operation as Description};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, RefOr,
    ResponseBuilder, Schema,
};
use utoipa::{PartialSchema, ToSchema};

pub fn operations(table: &mut RouteTable) {
    table.add::<__path_serve, _, _>(Mount::public("Operations", ""), serve);
}

/// This document
#[utoipa::path(
    get,
    path = "/openapi.json",
    responses((status = 200, description = "This document", body = serde_json::Value))
)]
async fn serve(document: web::Data<Document>) -> HttpResponse {
    HttpResponse::Ok().json((document.0)())
}

/// How the server gets the document it answers with (`web::api_document`),
/// built on the first request for it rather than at start-up.
pub struct Document(pub fn() -> &'static OpenApi);

const ERRORS: &[(u16, &str)] = &[
    (
        400,
        "A parameter or body field is not valid; Parameter names it",
    ),
    (401, "No token, or an expired or invalid one"),
    (403, "The caller's roles do not allow it"),
    (404, "Not found"),
    (409, "Conflicts with the current state"),
    (429, "Too many requests; see Retry-After"),
    (500, "Unexpected; report the OperationId"),
];

pub fn error_response(description: &str, schema: RefOr<Schema>) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(schema)).build(),
        )
        .build()
}

/// `get_v1_Tenants_tenantId_Icon`: unique, and stable while the path is.
fn operation_id(op: &Operation) -> String {
    let method = match op.method {
        HttpMethod::Get => "get",
        HttpMethod::Head => "head",
        HttpMethod::Post => "post",
        HttpMethod::Put => "put",
        HttpMethod::Patch => "patch",
        HttpMethod::Delete => "delete",
        HttpMethod::Options => "options",
        HttpMethod::Trace => "trace",
    };
    let path: String = op
        .path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "api")
        .map(|s| s.trim_matches(['{', '}']).replace(['-', '.'], "_"))
        .collect::<Vec<_>>()
        .join("_");
    format!("{method}_{path}")
}

/// The handler's description completed by what its mount adds.
fn describe(op: &Operation) -> Description {
    let mut description = (op.description)();
    let mut parameters = (op.mount.parameters)();
    parameters.extend(description.parameters.take().unwrap_or_default());
    description.parameters = (!parameters.is_empty()).then_some(parameters);
    description.operation_id = Some(operation_id(op));
    description.tags = Some(vec![op.mount.tag.to_string()]);
    match op.mount.access {
        Access::Token => {
            let error =
                || RefOr::Ref(utoipa::openapi::Ref::from_schema_name(ErrorResponse::name()));
            for (status, text) in ERRORS {
                description
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error_response(text, error()).into());
            }
        }
        // An empty requirement overrides the document's default: no token.
        Access::Public => description.security = Some(Vec::<SecurityRequirement>::new()),
    }
    description
}

/// The document of every operation in `table`.
pub fn build(table: &RouteTable) -> OpenApi {
    let mut paths = Paths::new();
    let mut schemas: Schemas = vec![(ErrorResponse::name().into_owned(), ErrorResponse::schema())];
    ErrorResponse::schemas(&mut schemas);
    for op in table.operations() {
        paths.add_path_operation(&op.path, vec![op.method.clone()], describe(op));
        (op.schemas)(&mut schemas);
    }
    let mut components = ComponentsBuilder::new().security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some("An access token from POST /identity/connect/token"))
                .build(),
        ),
    );
    for (name, schema) in schemas {
        components = components.schema(name, schema);
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("communityd")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Communities of tenants that share data: OCS / AVEVA Data Hub's Communities and Tenants APIs. \
                     Literal path segments match in any case.",
                ))
                .build(),
        )
        .paths(paths)
        .components(Some(components.build()))
        .security(Some(vec![SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]))
        .build()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_referenced_schema_is_defined_and_the_version_is_3_1() {
        let doc = serde_json::to_value(crate::web::api_document()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap();
            assert!(
                schemas.contains_key(name),
                "{name} is referenced but not defined"
            );
        }
        let ids: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .filter_map(|op| op["operationId"].as_str())
            .collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "operation ids repeat");
    }

    #[test]
    fn every_placeholder_is_a_path_parameter_and_every_path_parameter_a_placeholder() {
        let doc = serde_json::to_value(crate::web::api_document()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            let mut placeholders: Vec<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            placeholders.sort();
            for (method, op) in item.as_object().unwrap() {
                let mut documented: Vec<&str> = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect();
                documented.sort();
                assert_eq!(documented, placeholders, "{method} {path}");
            }
        }
    }
}
