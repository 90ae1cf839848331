//! The Content-Security-Policy the service sends.

/// Sent with every response. The pages need nothing but their own
/// stylesheet, one optional script file of their own (the delivery column's
/// refresh, which fetches the same page) and same-site form posts: no inline
/// script or style, no framing, so injected markup can neither run nor
/// restyle a page into a convincing fake.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; script-src 'self'; \
     connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// The policy with `origins` added to `form-action`, for a page whose form
/// is redirected on to them (a login page's "Sign in with" buttons):
/// browsers hold a form's redirects to the page's `form-action` too.
pub fn with_form_targets(origins: &[String]) -> String {
    let allowed = format!("form-action 'self' {}", origins.join(" "));
    CONTENT_SECURITY_POLICY_VALUE.replace("form-action 'self'", &allowed)
}
