//! Safety rules: what a production target may not be configured to do, and the
//! loopback-only guard used in CI and tests.

use url::{Host, Url};

/// When this environment variable is `1`, the client refuses any host that is
/// not loopback. `.ci/run` and the project's tests set it.
pub const LOOPBACK_ONLY_ENV: &str = "WIKIHARNESS_LOOPBACK_ONLY";

/// Most requests in flight allowed against a public production wiki without an
/// explicit agreement (Wikimedia's API etiquette).
pub const PRODUCTION_MAX_CONCURRENCY: usize = 3;

/// Whether the loopback-only guard is on.
pub fn loopback_only() -> bool {
    std::env::var(LOOPBACK_ONLY_ENV).is_ok_and(|v| v == "1")
}

/// Whether `url` points at this machine (127.0.0.0/8, ::1, `localhost`).
pub fn is_loopback_url(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Checks the rules for production targets; returns `(field, message)` on a violation.
pub fn check_production(
    production: bool,
    allow_load: bool,
    max_concurrent: usize,
    maxlag: Option<u32>,
) -> Result<(), (&'static str, String)> {
    if !production {
        return Ok(());
    }
    if allow_load {
        return Err((
            "allow_load",
            "must be false for a production target (load needs an explicit agreement with its operators)".into(),
        ));
    }
    if max_concurrent > PRODUCTION_MAX_CONCURRENCY {
        return Err((
            "max_concurrent_requests",
            format!(
                "{max_concurrent} is above {PRODUCTION_MAX_CONCURRENCY}, the most allowed against a production wiki"
            ),
        ));
    }
    if maxlag.is_none() {
        return Err((
            "maxlag",
            "must be set for a production target (e.g. 5)".into(),
        ));
    }
    Ok(())
}
