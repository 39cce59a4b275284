//! Sandbox titles in other namespaces (`Template:`, `Module:`, `Category:`).

use wikiharness_harness::target::encode_title;
use wikiharness_harness::{TrialCx, TrialError};

/// `<ns>:<sandbox prefix without its namespace><name>`, e.g.
/// `Template:Wikiharness/<run>/Fanout` or, for a `User:Alice/...` prefix,
/// `Template:Alice/Wikiharness/<run>/Fanout`.
pub fn in_namespace(cx: &TrialCx, ns: &str, name: &str) -> Result<String, TrialError> {
    let title = cx.sandbox_title(name)?;
    Ok(format!("{ns}:{}", without_namespace(&title)))
}

/// A title without its namespace (`User:Alice/x` is `Alice/x`; a colon
/// after a `/` is part of the name).
pub fn without_namespace(title: &str) -> &str {
    match title.split_once(':') {
        Some((ns, rest)) if !ns.contains('/') => rest,
        _ => title,
    }
}

/// A title prefix as the job table stores titles: without a namespace, `_`
/// for spaces.
pub fn db_key(prefix: &str) -> String {
    without_namespace(prefix).replace(' ', "_")
}

/// A word unique to this run, this trial and `salt`, made of letters and
/// digits only (so that search engines index it as one token).
pub fn unique_word(cx: &TrialCx, salt: &str) -> String {
    let run: String = cx
        .run_id()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("wh{run}{}{salt}", cx.trial_tag()).to_lowercase()
}

/// A title as one path segment of a REST route (`/` encoded too).
pub fn route_title(title: &str) -> String {
    encode_title(title).replace('/', "%2F")
}
