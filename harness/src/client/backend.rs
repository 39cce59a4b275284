//! Which server answered: `servedby` in action API JSON, `wgHostname` in page HTML.

use std::sync::OnceLock;

use regex::Regex;

/// The serving backend named in a response body, if any.
pub fn serving_backend(content_type: &str, body: &str) -> Option<String> {
    if content_type.contains("json") {
        return from_json(body);
    }
    if content_type.contains("html") {
        return from_html(body);
    }
    None
}

fn from_json(body: &str) -> Option<String> {
    // Only the top-level field; a cheap scan avoids parsing large bodies twice.
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r#""servedby"\s*:\s*"([^"]+)""#).expect("valid"));
    re.captures(body).map(|c| c[1].to_owned())
}

fn from_html(body: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r#""wgHostname"\s*:\s*"([^"]+)""#).expect("valid"));
    re.captures(body).map(|c| c[1].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_backend_in_api_json_and_page_html() {
        assert_eq!(
            serving_backend(
                "application/json; charset=utf-8",
                r#"{"batchcomplete":true,"servedby":"mw-api-ext.eqiad.main-7f9c-x2"}"#
            )
            .as_deref(),
            Some("mw-api-ext.eqiad.main-7f9c-x2")
        );
        assert_eq!(
            serving_backend(
                "text/html; charset=UTF-8",
                r#"<script>RLCONF={"wgHostname":"mw1414","wgPageName":"Main_Page"};</script>"#
            )
            .as_deref(),
            Some("mw1414")
        );
        assert_eq!(serving_backend("text/css", "wgHostname"), None);
        assert_eq!(serving_backend("application/json", "{}"), None);
    }
}
