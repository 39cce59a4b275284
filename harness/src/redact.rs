//! Keeps secrets out of evidence, events and logs.
//!
//! Two layers: known secret values (passwords loaded for the run) are replaced
//! wherever they appear, and token-shaped fields (`csrftoken`, `wpEditToken`,
//! `lgpassword=...`, `Set-Cookie` values) are masked by pattern.

use std::sync::{Arc, OnceLock, RwLock};

use regex::Regex;

const MASK: &str = "[redacted]";

/// A secret string: never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret and registers it for redaction everywhere.
    pub fn new(value: impl Into<String>) -> Self {
        let value = value.into();
        register_secret(&value);
        Secret(value)
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(MASK)
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(MASK)
    }
}

fn known_secrets() -> &'static RwLock<Vec<Arc<str>>> {
    static SECRETS: OnceLock<RwLock<Vec<Arc<str>>>> = OnceLock::new();
    SECRETS.get_or_init(Default::default)
}

/// Registers a value that must never appear in output. Values shorter than 6
/// characters are ignored (they would mask ordinary words).
pub fn register_secret(value: &str) {
    if value.len() < 6 {
        return;
    }
    let mut secrets = known_secrets().write().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|s| &**s == value) {
        secrets.push(value.into());
    }
}

fn token_patterns() -> &'static [(Regex, &'static str)] {
    static PATTERNS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            // JSON fields: "csrftoken":"abc+\\", "logintoken": "...", "password": "..."
            (
                r#"(?i)("[a-z_]*(?:token|password|secret)"\s*:\s*")(?:[^"\\]|\\.)*(")"#,
                "${1}[redacted]${2}",
            ),
            // Query/form parameters: token=..., lgpassword=..., wpEditToken=...
            (
                r"(?i)\b([a-z_]*(?:token|password|secret)=)[^&\s]+",
                "${1}[redacted]",
            ),
            // Hidden form inputs: name="wpEditToken" value="..."
            (
                r#"(?i)(name="[a-z_]*(?:token|password)"[^>]*?value=")[^"]*(")"#,
                "${1}[redacted]${2}",
            ),
            (
                r#"(?i)(value=")[^"]*("[^>]*?name="[a-z_]*(?:token|password)")"#,
                "${1}[redacted]${2}",
            ),
            // Cookies
            (
                r"(?i)((?:set-)?cookie:\s*[^=;\s]+=)[^;\s]+",
                "${1}[redacted]",
            ),
        ]
        .into_iter()
        .map(|(p, r)| (Regex::new(p).expect("valid redaction pattern"), r))
        .collect()
    })
}

/// Returns `text` with known secrets and token-shaped values masked.
pub fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    for secret in known_secrets()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
    {
        if out.contains(&**secret) {
            out = out.replace(&**secret, MASK);
        }
    }
    for (re, rep) in token_patterns() {
        if re.is_match(&out) {
            out = re.replace_all(&out, *rep).into_owned();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_hidden_in_debug_and_display() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

    #[test]
    fn registered_secrets_are_masked_anywhere() {
        let _s = Secret::new("Zq8-unique-password-value");
        let out = redact("login failed for pw Zq8-unique-password-value today");
        assert_eq!(out, "login failed for pw [redacted] today");
    }

    #[test]
    fn token_fields_are_masked() {
        let json = r#"{"query":{"tokens":{"csrftoken":"abc123+\\"}},"x":"keep"}"#;
        let out = redact(json);
        assert!(!out.contains("abc123"), "{out}");
        assert!(out.contains(r#""csrftoken":"[redacted]""#), "{out}");
        assert!(out.contains(r#""x":"keep""#));

        let url = "http://h/w/api.php?action=edit&token=ab%2B%5C&title=X";
        assert_eq!(
            redact(url),
            "http://h/w/api.php?action=edit&token=[redacted]&title=X"
        );

        let html = r#"<input type="hidden" value="d41d8+\" name="wpEditToken"/><input name="wpLoginToken" type="hidden" value="zzz+\"/>"#;
        let out = redact(html);
        assert!(!out.contains("d41d8") && !out.contains("zzz"), "{out}");

        let cookie = "set-cookie: test2wikiSession=abcdef0123; path=/";
        assert_eq!(
            redact(cookie),
            "set-cookie: test2wikiSession=[redacted]; path=/"
        );
    }

    #[test]
    fn short_values_are_not_registered() {
        register_secret("abc");
        assert_eq!(redact("abc def"), "abc def");
    }
}
