//! The route table. Every operation of the API is added to it once, as its
//! handler and the handler's `#[utoipa::path]` description, under a mount
//! (a base path with its own parameters). The router, the API document, the
//! authorisation matrix and the fuzz all read the one table `web::operations`
//! builds, so none of them can miss an operation another has.

use actix_web::{web, FromRequest, Handler, Responder};
use utoipa::openapi::path::{HttpMethod, Operation as Description, Parameter};
use utoipa::openapi::{RefOr, Schema};

/// Named schemas an operation refers to.
pub type Schemas = Vec<(String, RefOr<Schema>)>;

/// Who may call an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Public,
    /// A bearer access token.
    Token,
}

/// A base path that operations are added under, with the parameters its
/// placeholders stand for.
#[derive(Clone, Copy)]
pub struct Mount {
    pub base: &'static str,
    pub tag: &'static str,
    pub access: Access,
    pub parameters: fn() -> Vec<Parameter>,
}

fn no_parameters() -> Vec<Parameter> {
    Vec::new()
}

impl Mount {
    pub const fn public(tag: &'static str, base: &'static str) -> Self {
        Self {
            base,
            tag,
            access: Access::Public,
            parameters: no_parameters,
        }
    }

    /// A mount whose placeholders (if any) are `parameters`.
    pub const fn token(
        tag: &'static str,
        base: &'static str,
        parameters: fn() -> Vec<Parameter>,
    ) -> Self {
        Self {
            base,
            tag,
            access: Access::Token,
            parameters,
        }
    }
}

type RouteFactory = Box<dyn Fn() -> actix_web::Route + Send + Sync>;

/// One method on one path.
pub struct Operation {
    pub method: HttpMethod,
    /// As documented, in OCS's casing; routed case-insensitively.
    pub path: String,
    pub mount: Mount,
    /// The handler's own description, before the mount's parameters and
    /// the common error answers are added (see `web::openapi`); made only
    /// when the document is, so serving holds none of them.
    pub description: fn() -> Description,
    pub schemas: fn(&mut Schemas),
    route: RouteFactory,
}

impl Operation {
    /// The pattern the router matches: literal segments lower-cased (the
    /// request path is lower-cased the same way, see `web::paths`),
    /// placeholders as named.
    pub fn router_path(&self) -> String {
        let mut out = String::with_capacity(self.path.len());
        let mut in_placeholder = false;
        for c in self.path.chars() {
            match c {
                '{' => in_placeholder = true,
                '}' => in_placeholder = false,
                _ => {}
            }
            out.push(if in_placeholder {
                c
            } else {
                c.to_ascii_lowercase()
            });
        }
        out
    }
}

#[derive(Default)]
pub struct RouteTable {
    operations: Vec<Operation>,
}

impl RouteTable {
    /// Adds `handler` under `mount`, at the path and for the methods its
    /// `#[utoipa::path]` description `P` names.
    pub fn add<P, H, Args>(&mut self, mount: Mount, handler: H)
    where
        P: utoipa::Path + utoipa::__dev::SchemaReferences,
        H: Handler<Args> + Send + Sync,
        Args: FromRequest + 'static,
        H::Output: Responder + 'static,
    {
        let path = format!("{}{}", mount.base, P::path());
        for method in P::methods() {
            let routed = actix_method(&method);
            let handler = handler.clone();
            self.operations.push(Operation {
                method,
                path: path.clone(),
                mount,
                description: P::operation,
                schemas: <P as utoipa::__dev::SchemaReferences>::schemas,
                route: Box::new(move || web::method(routed.clone()).to(handler.clone())),
            });
        }
    }

    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// One actix resource per path, holding each method's route, so a
    /// known path with an unrouted method still answers 405.
    pub fn register(&self, cfg: &mut web::ServiceConfig) {
        let mut paths: Vec<(String, Vec<&Operation>)> = Vec::new();
        for op in &self.operations {
            let path = op.router_path();
            match paths.iter_mut().find(|(p, _)| *p == path) {
                Some((_, ops)) => ops.push(op),
                None => paths.push((path, vec![op])),
            }
        }
        // actix tries resources in order and answers from the first whose
        // pattern matches, so where two paths overlap the literal segment
        // goes first: `.../Invitations/Bulk` before `.../Invitations/{id}`.
        paths.sort_by_key(|(path, _)| placeholders(path));
        for (path, ops) in paths {
            let resource = ops
                .into_iter()
                .fold(web::resource(path), |r, op| r.route((op.route)()));
            cfg.service(resource);
        }
    }
}

/// Which segments of a path are placeholders: a sort key that puts a
/// literal segment before a placeholder in the same place (stable, so
/// paths that cannot overlap keep their order among themselves).
fn placeholders(path: &str) -> Vec<bool> {
    path.split('/').map(|s| s.starts_with('{')).collect()
}

fn actix_method(method: &HttpMethod) -> actix_web::http::Method {
    use actix_web::http::Method;
    match method {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}
