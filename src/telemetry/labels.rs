//! The values a metric label can take. Every series lives until the process
//! ends, so a label value that request input could choose would let anyone
//! grow the registry (and each scrape) without limit. Each label here is a
//! type that can only hold a value from a fixed set: the instruments in
//! `metrics` take these types, never free text.

use std::collections::HashSet;
use std::sync::RwLock;

/// A request's method: the standard ones by name, anything else `other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
    Connect,
    Trace,
    Other,
}

impl HttpMethod {
    /// Every value, for tests and documentation.
    pub const ALL: [HttpMethod; 10] = [
        Self::Get,
        Self::Head,
        Self::Post,
        Self::Put,
        Self::Patch,
        Self::Delete,
        Self::Options,
        Self::Connect,
        Self::Trace,
        Self::Other,
    ];

    /// The method as the request spelled it (methods are case-sensitive).
    pub fn of(method: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|m| *m != Self::Other && m.label() == method)
            .unwrap_or(Self::Other)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Connect => "CONNECT",
            Self::Trace => "TRACE",
            Self::Other => "other",
        }
    }
}

/// A response status: a code HTTP defines the range of (100-599), else `other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpStatus(Option<u16>);

impl HttpStatus {
    pub fn of(code: u16) -> Self {
        Self(Some(code).filter(|c| (100..=599).contains(c)))
    }

    pub fn is_too_many_requests(self) -> bool {
        self.0 == Some(429)
    }

    pub fn label(self) -> String {
        self.0
            .map_or_else(|| "other".to_string(), |c| c.to_string())
    }
}

/// Stands for patterns past `ROUTE_LIMIT`; never reached while the patterns
/// come from the routing table, which has far fewer.
pub const OTHER_ROUTE: &str = "(other)";
/// More distinct route patterns than the service routes.
pub const ROUTE_LIMIT: usize = 1024;

/// The route patterns met so far. Callers pass the pattern the router
/// matched (never the path); the set is still capped, so no caller can
/// make the series grow past `ROUTE_LIMIT`.
#[derive(Default)]
pub struct RoutePatterns {
    seen: RwLock<HashSet<Box<str>>>,
}

/// A route label, made only by [`RoutePatterns::label`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteLabel(String);

impl RouteLabel {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl RoutePatterns {
    pub fn label(&self, pattern: &str) -> RouteLabel {
        let seen = self.seen.read().unwrap_or_else(|p| p.into_inner());
        if seen.contains(pattern) {
            return RouteLabel(pattern.into());
        }
        drop(seen);
        let mut seen = self.seen.write().unwrap_or_else(|p| p.into_inner());
        if seen.len() < ROUTE_LIMIT || seen.contains(pattern) {
            seen.insert(pattern.into());
            RouteLabel(pattern.into())
        } else {
            RouteLabel(OTHER_ROUTE.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_outside_the_standard_set_are_other() {
        assert_eq!(HttpMethod::of("GET"), HttpMethod::Get);
        assert_eq!(HttpMethod::of("PATCH").label(), "PATCH");
        assert_eq!(HttpMethod::of("get"), HttpMethod::Other);
        assert_eq!(HttpMethod::of("XYZZY").label(), "other");
        assert_eq!(HttpMethod::of(&"A".repeat(10_000)), HttpMethod::Other);
    }

    #[test]
    fn statuses_outside_http_ranges_are_other() {
        assert_eq!(HttpStatus::of(200).label(), "200");
        assert_eq!(HttpStatus::of(599).label(), "599");
        assert_eq!(HttpStatus::of(99).label(), "other");
        assert_eq!(HttpStatus::of(600).label(), "other");
        assert_eq!(HttpStatus::of(65535).label(), "other");
        assert!(HttpStatus::of(429).is_too_many_requests());
    }

    #[test]
    fn route_patterns_are_capped() {
        let routes = RoutePatterns::default();
        for i in 0..ROUTE_LIMIT + 10 {
            routes.label(&format!("/r/{i}"));
        }
        assert_eq!(routes.label("/r/0").as_str(), "/r/0");
        assert_eq!(routes.label("/new").as_str(), OTHER_ROUTE);
    }
}
