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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalises_the_first_letter_only() {
        assert_eq!(capitalise("ärger im Dorf"), "Ärger im Dorf");
        assert_eq!(capitalise(""), "");
        assert_eq!(excerpt(&"x".repeat(400)).len(), 300);
    }
}
