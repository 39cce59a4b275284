//! httpbb's YAML test files, run unchanged: top-level keys are base URLs whose
//! host is the Host header; each case has `path`, `method`, `request_headers`,
//! `json_body`, `form_body` and the `assert_*` keys. An unknown key is an error
//! naming the file, line and key.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use url::Url;

use super::assertions::{Assertions, OneOrMany};
use crate::datafile::{self, DataFile};
use crate::error::SetupError;

/// One httpbb test case, exactly httpbb's keys. The `assert_*` fields repeat
/// [`Assertions`]' on purpose: serde cannot combine `flatten` with
/// `deny_unknown_fields`, and an httpbb file must reject the check engine's
/// extra keys (httpbb itself would).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpbbCase {
    /// Path and query.
    pub path: String,
    /// HTTP method (default GET).
    #[serde(default)]
    pub method: Option<String>,
    /// Extra request headers.
    #[serde(default)]
    pub request_headers: BTreeMap<String, String>,
    /// JSON body.
    #[serde(default)]
    pub json_body: Option<serde_json::Value>,
    /// Form body.
    #[serde(default)]
    pub form_body: Option<BTreeMap<String, String>>,
    /// Exact status.
    #[serde(default)]
    pub assert_status: Option<u16>,
    /// Headers with exact values.
    #[serde(default)]
    pub assert_headers: BTreeMap<String, String>,
    /// Headers matching regexes.
    #[serde(default)]
    pub assert_headers_regex: BTreeMap<String, String>,
    /// Headers that must be absent.
    #[serde(default)]
    pub assert_headers_absent: Vec<String>,
    /// Substring the body must contain.
    #[serde(default)]
    pub assert_body_contains: Option<String>,
    /// Regex the body must match.
    #[serde(default)]
    pub assert_body_regex: Option<String>,
}

impl HttpbbCase {
    /// The case's assertions in the check engine's form.
    pub fn assertions(&self) -> Assertions {
        Assertions {
            assert_status: self.assert_status,
            assert_headers: self.assert_headers.clone(),
            assert_headers_regex: self.assert_headers_regex.clone(),
            assert_headers_absent: self.assert_headers_absent.clone(),
            assert_body_contains: self
                .assert_body_contains
                .clone()
                .map_or(OneOrMany::None, OneOrMany::One),
            assert_body_regex: self
                .assert_body_regex
                .clone()
                .map_or(OneOrMany::None, OneOrMany::One),
            ..Assertions::default()
        }
    }
}

/// A parsed httpbb file: base URL → cases, in file order.
#[derive(Debug, Clone)]
pub struct HttpbbFile {
    /// Cases grouped by base URL.
    pub hosts: Vec<(Url, Vec<HttpbbCase>)>,
}

impl DataFile for HttpbbFile {
    /// Parses httpbb YAML; base URLs must be http(s) with a host, paths
    /// absolute, regexes valid.
    fn parse(path: &Path, text: &str) -> Result<Self, SetupError> {
        let err = |line, message| SetupError::file(path, line, message);
        let raw: BTreeMap<String, Vec<HttpbbCase>> = datafile::yaml(path, text)?;
        let mut hosts = Vec::new();
        for (base, cases) in raw {
            let line = datafile::line_where(text, |l| l.starts_with(&base));
            let url = Url::parse(&base)
                .map_err(|e| err(line, format!("`{base}` is not a base URL: {e}")))?;
            if url.host_str().is_none() || !matches!(url.scheme(), "http" | "https") {
                return Err(err(
                    line,
                    format!("`{base}` must be an http(s) URL with a host"),
                ));
            }
            for c in &cases {
                if !c.path.starts_with('/') {
                    return Err(err(
                        line,
                        format!("`{base}`: path `{}` must start with `/`", c.path),
                    ));
                }
                c.assertions()
                    .validate()
                    .map_err(|m| err(line, format!("`{base}` {}: {m}", c.path)))?;
            }
            hosts.push((url, cases));
        }
        // Keep file order (the map sorted them).
        hosts.sort_by_key(|(u, _)| {
            text.find(u.as_str().trim_end_matches('/'))
                .unwrap_or(usize::MAX)
        });
        Ok(HttpbbFile { hosts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<HttpbbFile, String> {
        HttpbbFile::parse(Path::new("suites/httpbb/x.yaml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn parses_httpbb_files_as_they_are() {
        let f = parse(
            "https://test2.wikipedia.org:\n- path: /wiki/Main_Page\n  assert_status: 200\n  assert_body_contains: Wikipedia\n- path: /\n  assert_status: 301\n  assert_headers:\n    Location: https://test2.wikipedia.org/wiki/Main_Page\nhttp://en.wikipedia.org:\n- path: /w/api.php\n  method: POST\n  form_body: {action: query}\n  assert_headers_regex: {Content-Type: '^application/json'}\n  assert_headers_absent: [X-Debug]\n",
        )
        .unwrap();
        assert_eq!(f.hosts.len(), 2);
        assert_eq!(f.hosts[0].0.host_str(), Some("test2.wikipedia.org"));
        assert_eq!(f.hosts[0].1.len(), 2);
        assert_eq!(f.hosts[1].1[0].method.as_deref(), Some("POST"));
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse("https://test2.wikipedia.org:\n- path: /\n  assert_status: 200\n- path: /x\n  assert_stauts: 200\n").unwrap_err();
        assert!(err.starts_with("suites/httpbb/x.yaml:"), "{err}");
        assert!(err.contains("unknown field `assert_stauts`"), "{err}");
        let line: usize = err.split(':').nth(1).unwrap().parse().unwrap();
        assert!((4..=5).contains(&line), "{err}");
    }

    #[test]
    fn bad_yaml_and_bad_base_url_are_named() {
        let err = parse("https://test2.wikipedia.org:\n- path: [\n").unwrap_err();
        assert!(err.starts_with("suites/httpbb/x.yaml:"), "{err}");
        let err = parse("not-a-url:\n- path: /\n  assert_status: 200\n").unwrap_err();
        assert!(err.contains("`not-a-url` is not a base URL"), "{err}");
        let err = parse("https://h.example:\n- path: /\n").unwrap_err();
        assert!(err.contains("asserts nothing"), "{err}");
    }
}
