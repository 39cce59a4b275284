//! The action API (`api.php`): JSON format 2, `servedby`, `maxlag`, and API
//! errors as [`ClientError::Api`]. The API answers errors with HTTP 200 and an
//! `error` object, so the body is always judged, never only the status.

use reqwest::Method;
use serde_json::Value;

use super::session::{FilePart, Request, Session};
use crate::error::ClientError;

/// API error codes that mean "slow down and retry".
const THROTTLE_CODES: &[&str] = &["maxlag", "ratelimited"];

impl Session {
    /// An action API query by GET.
    pub async fn api_get(&self, params: &[(&str, &str)]) -> Result<Value, ClientError> {
        self.api(Method::GET, params, None).await
    }

    /// An action API call by POST (writes, logins, long text).
    pub async fn api_post(&self, params: &[(&str, &str)]) -> Result<Value, ClientError> {
        self.api(Method::POST, params, None).await
    }

    /// An action API POST with a file, as `multipart/form-data` (`action=upload`).
    pub async fn api_post_file(
        &self,
        params: &[(&str, &str)],
        file: FilePart,
    ) -> Result<Value, ClientError> {
        self.api(Method::POST, params, Some(&file)).await
    }

    async fn api(
        &self,
        method: Method,
        params: &[(&str, &str)],
        file: Option<&FilePart>,
    ) -> Result<Value, ClientError> {
        let maxlag = self.target().maxlag.map(|m| m.to_string());
        let mut all: Vec<(&str, &str)> = vec![
            ("format", "json"),
            ("formatversion", "2"),
            ("servedby", "1"),
        ];
        if let Some(m) = &maxlag {
            all.push(("maxlag", m));
        }
        all.extend_from_slice(params);
        let policy = self.retry().clone();
        let mut attempt = 1;
        loop {
            let mut url = self.target().api_url();
            let req = if method == Method::GET {
                url.query_pairs_mut().extend_pairs(&all);
                Request::get(url)
            } else {
                Request {
                    file: file.cloned(),
                    ..Request::post_form(url, &all)
                }
            };
            let fetched = self.send(req).await?;
            let value = fetched.json()?;
            let Some(error) = value.get("error") else {
                if !value.is_object() {
                    return Err(ClientError::Malformed {
                        url: fetched.url,
                        status: fetched.status.as_u16(),
                        message: "expected a JSON object".into(),
                        excerpt: crate::evidence::excerpt(&fetched.body),
                    });
                }
                return Ok(value);
            };
            let code = error
                .get("code")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned();
            let info = error
                .get("info")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if !THROTTLE_CODES.contains(&code.as_str()) {
                return Err(ClientError::Api {
                    url: fetched.url,
                    code,
                    info,
                });
            }
            if attempt >= policy.max_attempts {
                return Err(ClientError::Throttled {
                    url: fetched.url,
                    attempts: attempt,
                    reason: format!("API error `{code}`: {info}"),
                });
            }
            tokio::time::sleep(policy.wait(attempt, &fetched.headers)).await;
            attempt += 1;
        }
    }
}

/// `value[a][b]...` as a string, for digging in API answers.
pub fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, k| v.get(k))?.as_str()
}
