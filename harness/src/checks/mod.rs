//! Checks as data: a request and its assertions, read from YAML.
//!
//! The assertion keys are httpbb's (`assert_status`, `assert_headers`,
//! `assert_headers_regex`, `assert_headers_absent`, `assert_body_contains`,
//! `assert_body_regex`) plus a few of ours (`assert_body_not_contains`,
//! `assert_backend`). Paths are relative to the target and may use the
//! placeholders of [`Vars`]. Which team and feature a check belongs to is
//! the readiness registry's to say, as for every trial. A suite file looks like:
//!
//! ```yaml
//! suite: pageviews
//! cases:
//!   - name: main_page_view
//!     path: "{article_path}{main_page}"
//!     assert_status: 200
//!     assert_body_contains: ['id="mw-content-text"']
//!     assert_backend: true
//! ```

mod assertions;
pub mod httpbb;
mod vars;

use std::collections::BTreeMap;
use std::path::Path;

use reqwest::Method;
use serde::Deserialize;

pub use assertions::Assertions;
pub use vars::Vars;

use crate::client::{Fetched, Request};
use crate::datafile::{self, DataFile};
use crate::error::SetupError;
use crate::error::TrialError;
use crate::trial::TrialSpec;
use wikiharness_record::Capability;

/// A YAML suite of checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckFile {
    /// Suite name (first part of every trial name).
    pub suite: String,
    /// The checks.
    pub cases: Vec<Case>,
}

/// One request and what its answer must look like.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Check name (second part of the trial name).
    pub name: String,
    /// Path and query on the target, with placeholders.
    pub path: String,
    /// HTTP method (default GET).
    #[serde(default)]
    pub method: Option<String>,
    /// Extra request headers.
    #[serde(default)]
    pub request_headers: BTreeMap<String, String>,
    /// Form body.
    #[serde(default)]
    pub form_body: Option<BTreeMap<String, String>>,
    /// JSON body.
    #[serde(default)]
    pub json_body: Option<serde_json::Value>,
    /// Follow redirects (default false, like httpbb: a redirect is asserted, not followed).
    #[serde(default)]
    pub follow_redirects: bool,
    /// The assertions.
    #[serde(flatten)]
    pub assert: Assertions,
}

impl DataFile for CheckFile {
    /// Parses a check file; case names must be unique and every case valid.
    fn parse(path: &Path, text: &str) -> Result<Self, SetupError> {
        let err = |line, message| SetupError::file(path, line, message);
        let file: CheckFile = datafile::yaml(path, text)?;
        let mut seen = std::collections::BTreeSet::new();
        for case in &file.cases {
            let line = datafile::line_where(text, |l| l.contains(&format!("name: {}", case.name)));
            if !seen.insert(&case.name) {
                return Err(err(line, format!("duplicate case name `{}`", case.name)));
            }
            case.validate()
                .map_err(|m| err(line, format!("case `{}`: {m}", case.name)))?;
        }
        Ok(file)
    }
}

impl CheckFile {
    /// One trial per case.
    pub fn trials(&self) -> Vec<TrialSpec> {
        self.cases
            .iter()
            .map(|case| {
                let case = case.clone();
                TrialSpec::build(&self.suite, &case.name)
                    .needs(Capability::Read)
                    .run(move |cx| {
                        let case = case.clone();
                        async move {
                            let vars = Vars::for_target(cx.target());
                            let session = cx.session()?;
                            let fetched = session.send(case.request(cx.target(), &vars)?).await?;
                            case.assert
                                .check(&fetched, &vars)
                                .map_err(TrialError::Failed)
                        }
                    })
            })
            .collect()
    }
}

impl Case {
    fn validate(&self) -> Result<(), String> {
        if let Some(m) = &self.method {
            Method::from_bytes(m.as_bytes())
                .map_err(|_| format!("method `{m}` is not an HTTP method"))?;
        }
        if !self.path.starts_with('/') && !self.path.starts_with('{') {
            return Err(format!(
                "path `{}` must start with `/` or a placeholder",
                self.path
            ));
        }
        if self.form_body.is_some() && self.json_body.is_some() {
            return Err("form_body and json_body cannot both be set".into());
        }
        self.assert.validate()
    }

    /// The request this case sends to `target`.
    pub fn request(
        &self,
        target: &crate::target::Target,
        vars: &Vars,
    ) -> Result<Request, TrialError> {
        let method = self
            .method
            .as_deref()
            .map(|m| Method::from_bytes(m.as_bytes()).expect("validated"))
            .unwrap_or(Method::GET);
        let url = target.url(&vars.expand(&self.path));
        let mut req = Request::get(url);
        req.method = method;
        req.follow_redirects = self.follow_redirects;
        req.headers = self
            .request_headers
            .iter()
            .map(|(k, v)| (k.clone(), vars.expand(v)))
            .collect();
        req.form = self
            .form_body
            .as_ref()
            .map(|f| f.iter().map(|(k, v)| (k.clone(), vars.expand(v))).collect());
        req.json = self.json_body.clone();
        Ok(req)
    }

    /// Checks an answer against this case's assertions.
    pub fn check(&self, fetched: &Fetched, vars: &Vars) -> Result<(), String> {
        self.assert.check(fetched, vars)
    }
}

#[cfg(test)]
mod tests;
