//! httpbb's YAML test files, run unchanged: top-level keys are base URLs whose
//! host is the Host header; each case has `path`, `method`, `request_headers`,
//! `json_body`, `form_body`, `timeout_seconds` and the `assert_*` keys (every
//! key of SRE's suites in operations/puppet). An unknown key, and a base URL
//! given twice in one file (YAML would keep only the last group), are errors
//! naming the file and line.

use std::collections::BTreeMap;
use std::path::Path;

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use url::Url;

use super::assertions::{Assertions, OneOrMany};
use crate::cli::HttpbbConnect;
use crate::client::{Fetched, Request, Session};
use crate::datafile::{self, DataFile};
use crate::error::{ClientError, SetupError};

/// The header a TLS terminator adds for the app servers behind it.
const FORWARDED_PROTO: &str = "X-Forwarded-Proto";

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
    /// This case's request timeout, in seconds (instead of the target's).
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
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
        if let Some((base, first, again)) = repeated_base_url(text) {
            return Err(err(
                Some(again),
                format!(
                    "base URL `{base}` is given again (first at line {first}): YAML keeps only the last group, so the earlier cases would never run; put them under one key"
                ),
            ));
        }
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
                if c.timeout_seconds == Some(0) {
                    return Err(err(
                        line,
                        format!("`{base}` {}: timeout_seconds must be at least 1", c.path),
                    ));
                }
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

/// Where one base URL's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Scheme of the connection.
    pub scheme: String,
    /// Host the connection goes to.
    pub connect_host: String,
    /// Port it goes to.
    pub port: u16,
    /// The Host header: the base URL's host (and port, when it names one).
    pub host_header: String,
    /// `X-Forwarded-Proto` to send: the base URL's scheme, when the
    /// connection is plain HTTP to the target's front end.
    pub forwarded_proto: Option<String>,
}

impl Route {
    /// The route of `base` for a target at `target_url`. Without flags and
    /// with a plain-HTTP target, the request goes to the target's front end
    /// as if a TLS terminator stood before it: plain HTTP to its port, with
    /// `X-Forwarded-Proto`. Otherwise it is httpbb's: the base URL's scheme,
    /// to `--httpbb-host` (or the target's host), at the base URL's port, else
    /// `--httpbb-https-port` / `--httpbb-http-port`, else 443 / 80.
    pub fn of(target_url: &Url, connect: &HttpbbConnect, base: &Url) -> Route {
        let host = base.host_str().unwrap_or_default();
        let host_header = match base.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        };
        let target_host = target_url.host_str().unwrap_or("127.0.0.1").to_owned();
        if !connect.elsewhere() && target_url.scheme() == "http" {
            return Route {
                scheme: "http".into(),
                connect_host: target_host,
                port: target_url.port_or_known_default().unwrap_or(80),
                host_header,
                forwarded_proto: Some(base.scheme().to_owned()),
            };
        }
        let https = base.scheme() == "https";
        let flag = if https {
            connect.https_port
        } else {
            connect.http_port
        };
        Route {
            scheme: base.scheme().to_owned(),
            connect_host: connect.host.clone().unwrap_or(target_host),
            port: base.port().or(flag).unwrap_or(if https { 443 } else { 80 }),
            host_header,
            forwarded_proto: None,
        }
    }

    /// How a case's request reads in messages: the URL the case names and
    /// where it went (`https://test2.wikipedia.org/ via http://127.0.0.1:18080`).
    pub fn shown(&self, base: &Url, path: &str) -> String {
        format!(
            "{}://{}{path} via {}://{}:{}",
            base.scheme(),
            self.host_header,
            self.scheme,
            self.connect_host,
            self.port
        )
    }

    /// The case's request for base URL `base`: to the route's scheme, host
    /// and port, with the base URL's Host, not following redirects, and with
    /// `X-Forwarded-Proto` unless the case sends its own.
    pub fn request(&self, base: &Url, case: &HttpbbCase) -> Result<Request, String> {
        let host = base.host_str().unwrap_or_default();
        let url = Url::parse(&format!(
            "{}://{host}:{}{}",
            self.scheme, self.port, case.path
        ))
        .map_err(|e| format!("bad URL for {}: {e}", case.path))?;
        let method = case
            .method
            .as_deref()
            .map(|m| Method::from_bytes(m.as_bytes()))
            .transpose()
            .map_err(|e| e.to_string())?
            .unwrap_or(Method::GET);
        let mut req = match (&case.form_body, &case.json_body) {
            (Some(form), _) => Request::post_form(url, &form.iter().collect::<Vec<_>>()),
            (None, Some(json)) => Request::json(method.clone(), url, json.clone()),
            (None, None) => Request::get(url),
        }
        .no_redirects()
        .header("Host", &self.host_header);
        req.method = method;
        req.timeout = case.timeout_seconds.map(Duration::from_secs);
        let sends_own = case
            .request_headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case(FORWARDED_PROTO));
        if let Some(proto) = self.forwarded_proto.as_deref().filter(|_| !sends_own) {
            req = req.header(FORWARDED_PROTO, proto);
        }
        for (k, v) in &case.request_headers {
            req = req.header(k, v);
        }
        Ok(req)
    }
}

/// Sends `req`; once more if it timed out and `retry_on_timeout` (httpbb's
/// `--retry_on_timeout`). Also says whether it was sent again.
pub async fn send(
    session: &Session,
    req: Request,
    retry_on_timeout: bool,
) -> (Result<Fetched, ClientError>, bool) {
    let first = session.send(req.clone()).await;
    match first {
        Err(ClientError::Timeout { .. }) if retry_on_timeout => (session.send(req).await, true),
        other => (other, false),
    }
}

/// The first top-level key written twice: (key, first line, second line).
fn repeated_base_url(text: &str) -> Option<(String, usize, usize)> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        let key = line.split(" #").next().unwrap_or(line).trim_end();
        let Some(key) = key.strip_suffix(':') else {
            continue;
        };
        let key = key.trim_matches(|c| c == '"' || c == '\'').to_owned();
        if let Some(first) = seen.get(&key) {
            return Some((key, *first, i + 1));
        }
        seen.insert(key, i + 1);
    }
    None
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

    fn url(u: &str) -> Url {
        Url::parse(u).unwrap()
    }

    fn case(yaml: &str) -> HttpbbCase {
        parse(&format!("https://test2.wikipedia.org:\n{yaml}"))
            .unwrap()
            .hosts
            .remove(0)
            .1
            .remove(0)
    }

    #[test]
    fn a_plain_http_front_end_is_told_the_scheme_like_behind_a_tls_terminator() {
        let local = url("http://127.0.0.1:18080");
        let base = url("https://test2.wikipedia.org");
        let route = Route::of(&local, &HttpbbConnect::default(), &base);
        assert_eq!(
            route,
            Route {
                scheme: "http".into(),
                connect_host: "127.0.0.1".into(),
                port: 18080,
                host_header: "test2.wikipedia.org".into(),
                forwarded_proto: Some("https".into()),
            }
        );
        let req = route
            .request(
                &base,
                &case("- path: /wiki/X\n  timeout_seconds: 7\n  assert_status: 200\n"),
            )
            .unwrap();
        assert_eq!(req.url.as_str(), "http://test2.wikipedia.org:18080/wiki/X");
        assert_eq!(
            route.shown(&base, "/wiki/X"),
            "https://test2.wikipedia.org/wiki/X via http://127.0.0.1:18080"
        );
        assert!(!req.follow_redirects);
        assert_eq!(req.timeout, Some(Duration::from_secs(7)));
        let header = |name: &str| {
            req.headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(header("Host"), ["test2.wikipedia.org"]);
        assert_eq!(header("X-Forwarded-Proto"), ["https"]);
        assert!(
            header("Accept-Encoding").is_empty(),
            "only when the case sends it"
        );

        let own = route
            .request(
                &base,
                &case("- path: /\n  request_headers: {x-forwarded-proto: http}\n  assert_status: 301\n"),
            )
            .unwrap();
        let protos: Vec<&str> = own
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("x-forwarded-proto"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(protos, ["http"], "the case's own header, alone");
    }

    #[test]
    fn a_service_address_gets_the_base_urls_scheme_and_the_port_flags() {
        let local = url("http://127.0.0.1:18080");
        let k8s = HttpbbConnect {
            host: Some("mw-web.discovery.wmnet".into()),
            https_port: Some(4450),
            ..HttpbbConnect::default()
        };
        let https = Route::of(&local, &k8s, &url("https://test2.wikipedia.org"));
        assert_eq!(
            (
                https.scheme.as_str(),
                https.connect_host.as_str(),
                https.port
            ),
            ("https", "mw-web.discovery.wmnet", 4450)
        );
        assert_eq!(https.forwarded_proto, None);
        let http = Route::of(&local, &k8s, &url("http://test2.wikipedia.org"));
        assert_eq!((http.scheme.as_str(), http.port), ("http", 80));
        let explicit = Route::of(&local, &k8s, &url("https://svc.example:31443"));
        assert_eq!(explicit.port, 31443, "a base URL's own port wins");
        assert_eq!(explicit.host_header, "svc.example:31443");
    }

    #[test]
    fn an_https_target_is_reached_like_httpbb_host() {
        let test2 = url("https://test2.wikipedia.org");
        let route = Route::of(
            &test2,
            &HttpbbConnect::default(),
            &url("https://test.wikipedia.org"),
        );
        assert_eq!(
            (
                route.scheme.as_str(),
                route.connect_host.as_str(),
                route.port,
                route.host_header.as_str()
            ),
            ("https", "test2.wikipedia.org", 443, "test.wikipedia.org")
        );
        assert_eq!(route.forwarded_proto, None);
    }

    #[test]
    fn a_base_url_given_twice_is_refused_with_both_lines() {
        let err = parse("https://a.example:\n- path: /x\n  assert_status: 200\nhttps://b.example:\n- path: /\n  assert_status: 200\nhttps://a.example:\n- path: /y\n  assert_status: 200\n").unwrap_err();
        assert!(err.starts_with("suites/httpbb/x.yaml:7:"), "{err}");
        assert!(
            err.contains("base URL `https://a.example` is given again (first at line 1)"),
            "{err}"
        );
    }

    #[test]
    fn every_key_of_the_real_suites_is_accepted() {
        let f = parse("https://h.example:\n- path: /v2/_catalog\n  method: POST\n  request_headers: {Accept-Encoding: gzip}\n  json_body: {a: 1}\n  timeout_seconds: 60\n  assert_status: 200\n  assert_headers: {Content-Encoding: gzip}\n  assert_headers_regex: {Content-Type: json}\n  assert_headers_absent: [Vary]\n  assert_body_contains: x\n  assert_body_regex: y\n").unwrap();
        assert_eq!(f.hosts[0].1[0].timeout_seconds, Some(60));
        let err =
            parse("https://h.example:\n- path: /\n  timeout_seconds: 0\n  assert_status: 200\n")
                .unwrap_err();
        assert!(err.contains("timeout_seconds must be at least 1"), "{err}");
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
