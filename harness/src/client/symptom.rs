//! What an answer shows went wrong, read from its status and body: the
//! evidence failures are grouped by ([`Symptom`]).

use regex::Regex;
use serde_json::Value;
use url::Url;

use crate::error::ClientError;
use wikiharness_record::Symptom;

/// The symptom an answer shows, if any: an API error code, a refused login,
/// an exception class, or a 5xx status.
pub fn of_answer(status: u16, content_type: &str, body: &str) -> Option<Symptom> {
    if content_type.contains("json")
        && let Some(s) = of_api_json(body)
    {
        return Some(s);
    }
    // MediaWiki's exception pages are 500s: other pages are not scanned.
    if status < 500 {
        return None;
    }
    Some(match exception_class(body) {
        Some(class) => Symptom::Exception { class },
        None => Symptom::HttpStatus { status },
    })
}

/// The symptom of a request that got no answer.
pub fn of_failure(err: &ClientError, url: &Url) -> Option<Symptom> {
    let failure = match err {
        ClientError::Connect { .. } => "connect",
        ClientError::Timeout { .. } => "timeout",
        ClientError::Transport { .. } => "transport",
        _ => return None,
    };
    Some(Symptom::NoAnswer {
        failure: failure.into(),
        host_port: host_port(url),
    })
}

/// `host:port` of a URL, the port made explicit.
pub fn host_port(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

fn of_api_json(body: &str) -> Option<Symptom> {
    // Cheap test first: most answers are not errors.
    if !(body.contains("\"error\"") || body.contains("login\"")) {
        return None;
    }
    let v: Value = serde_json::from_str(body).ok()?;
    if let Some(code) = v.pointer("/error/code").and_then(Value::as_str) {
        return Some(match code.strip_prefix("internal_api_error_") {
            Some(class) => Symptom::Exception {
                class: class.to_owned(),
            },
            None => Symptom::ApiError {
                code: code.to_owned(),
            },
        });
    }
    let refused = |code: &str| {
        Some(Symptom::LoginRefused {
            code: code.to_owned(),
        })
    };
    if let Some(result) = v.pointer("/login/result").and_then(Value::as_str)
        && !matches!(result, "Success" | "NeedToken")
    {
        return refused(result);
    }
    let client = v.get("clientlogin")?;
    match client.get("status").and_then(Value::as_str)? {
        "FAIL" => refused(
            client
                .get("messagecode")
                .and_then(Value::as_str)
                .unwrap_or("FAIL"),
        ),
        _ => None,
    }
}

/// MediaWiki's `Fatal exception of type "Class"` (also with details hidden),
/// or `[id] … Class: message` in its detailed form.
fn exception_class(body: &str) -> Option<String> {
    static PATTERN: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        Regex::new(r#"Fatal exception of type:? &quot;([\w\\]+)&quot;|Fatal exception of type:? "([\w\\]+)"|\[[\w-]+\] [^\n<]*?\b((?:[\w]+\\)*\w*(?:Exception|Error))\b: "#)
            .expect("valid regex")
    });
    let head = &body[..body.len().min(20_000)];
    let c = re.captures(head)?;
    c.iter()
        .skip(1)
        .flatten()
        .next()
        .map(|m| m.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(body: &str) -> Option<Symptom> {
        of_answer(200, "application/json; charset=utf-8", body)
    }

    #[test]
    fn api_errors_logins_and_exceptions() {
        assert_eq!(
            json(
                r#"{"error":{"code":"readonly","info":"The wiki is currently in read-only mode."}}"#
            ),
            Some(Symptom::ApiError {
                code: "readonly".into()
            })
        );
        assert_eq!(
            json(
                r#"{"error":{"code":"internal_api_error_MWException","info":"[x] Exception caught"}}"#
            ),
            Some(Symptom::Exception {
                class: "MWException".into()
            })
        );
        assert_eq!(
            json(r#"{"clientlogin":{"status":"FAIL","message":"…","messagecode":"sessionlost"}}"#),
            Some(Symptom::LoginRefused {
                code: "sessionlost".into()
            })
        );
        assert_eq!(
            json(r#"{"login":{"result":"Failed","reason":"Incorrect username or password"}}"#),
            Some(Symptom::LoginRefused {
                code: "Failed".into()
            })
        );
        assert_eq!(json(r#"{"login":{"result":"Success"}}"#), None);
        assert_eq!(json(r#"{"query":{"pages":[{"title":"error"}]}}"#), None);
    }

    #[test]
    fn exception_pages_and_server_errors() {
        let hidden = "<p>[a1b2c3] 2026-12-06 18:00:00: Fatal exception of type \"Wikimedia\\Rdbms\\DBQueryError\"</p>";
        assert_eq!(
            of_answer(500, "text/html", hidden),
            Some(Symptom::Exception {
                class: "Wikimedia\\Rdbms\\DBQueryError".into()
            })
        );
        let escaped = "Fatal exception of type: &quot;Error&quot;";
        assert_eq!(
            of_answer(500, "text/html", escaped),
            Some(Symptom::Exception {
                class: "Error".into()
            })
        );
        let detailed = "[Z1] /w/index.php?title=X MWException: Hook threw";
        assert_eq!(
            of_answer(500, "text/html", detailed),
            Some(Symptom::Exception {
                class: "MWException".into()
            })
        );
        assert_eq!(
            of_answer(503, "text/html", "<h1>Service Unavailable</h1>"),
            Some(Symptom::HttpStatus { status: 503 })
        );
        assert_eq!(of_answer(404, "text/html", "Not found"), None);
        assert_eq!(
            of_answer(200, "text/html", "<p>An error occurred</p>"),
            None
        );
    }

    #[test]
    fn no_answer_names_host_and_port() {
        let url = Url::parse("http://127.0.0.1:18081/shellbox/call").unwrap();
        let err = ClientError::Connect {
            method: "POST".into(),
            url: url.to_string(),
            message: "refused".into(),
        };
        assert_eq!(
            of_failure(&err, &url),
            Some(Symptom::NoAnswer {
                failure: "connect".into(),
                host_port: "127.0.0.1:18081".into()
            })
        );
        assert_eq!(
            host_port(&Url::parse("https://test2.wikipedia.org/").unwrap()),
            "test2.wikipedia.org:443"
        );
    }
}
