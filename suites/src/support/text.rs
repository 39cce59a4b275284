//! Text helpers for titles and failure messages.

/// MediaWiki capitalises the first letter of titles.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The start of a long text, for messages.
pub fn excerpt(s: &str) -> String {
    s.chars().take(300).collect()
}
