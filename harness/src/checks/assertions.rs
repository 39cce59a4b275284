//! The assertions of a check and how an answer is judged against them. All
//! failures of one answer are reported together.

use std::collections::BTreeMap;

use regex::Regex;
use serde::Deserialize;

use super::vars::Vars;
use crate::client::Fetched;
use crate::evidence::excerpt;

/// One string or a list of them.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(untagged)]
pub enum OneOrMany {
    /// Nothing.
    #[default]
    None,
    /// One.
    One(String),
    /// Several.
    Many(Vec<String>),
}

impl OneOrMany {
    fn iter(&self) -> impl Iterator<Item = &String> {
        let slice: &[String] = match self {
            OneOrMany::None => &[],
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        };
        slice.iter()
    }
}

/// What an answer must satisfy.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Assertions {
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
    /// Substrings the body must contain.
    #[serde(default)]
    pub assert_body_contains: OneOrMany,
    /// Substrings the body must not contain.
    #[serde(default)]
    pub assert_body_not_contains: OneOrMany,
    /// Regexes the body must match.
    #[serde(default)]
    pub assert_body_regex: OneOrMany,
    /// The answer must name its serving backend (`servedby` / `wgHostname`).
    #[serde(default)]
    pub assert_backend: bool,
}

impl Assertions {
    /// Checks the regexes compile and that something is asserted.
    pub fn validate(&self) -> Result<(), String> {
        for p in self
            .assert_headers_regex
            .values()
            .chain(self.assert_body_regex.iter())
        {
            let with_values = Vars::names()
                .iter()
                .fold(p.clone(), |t, name| t.replace(name, "x"));
            Regex::new(&with_values).map_err(|e| format!("bad regex `{p}`: {e}"))?;
        }
        let asserts_something = self.assert_status.is_some()
            || !self.assert_headers.is_empty()
            || !self.assert_headers_regex.is_empty()
            || !self.assert_headers_absent.is_empty()
            || self.assert_body_contains.iter().next().is_some()
            || self.assert_body_regex.iter().next().is_some();
        if !asserts_something {
            return Err("asserts nothing (add assert_status or a body/header assertion)".into());
        }
        Ok(())
    }

    /// Judges `f`; `Err` lists every assertion that failed.
    pub fn check(&self, f: &Fetched, vars: &Vars) -> Result<(), String> {
        let mut failures = Vec::new();
        if let Some(s) = self.assert_status
            && f.status.as_u16() != s
        {
            let location = f.header("location");
            let to = if location.is_empty() {
                String::new()
            } else {
                format!(" (Location: {location})")
            };
            failures.push(format!("status {} (expected {s}){to}", f.status.as_u16()));
        }
        for (name, want) in &self.assert_headers {
            let want = vars.expand(want);
            let got = f.header(name);
            if got != want {
                failures.push(format!("header {name}: `{got}` (expected `{want}`)"));
            }
        }
        for (name, pattern) in &self.assert_headers_regex {
            let pattern = vars.expand_regex(pattern);
            let got = f.header(name);
            let re = Regex::new(&pattern).map_err(|e| format!("bad regex `{pattern}`: {e}"))?;
            if !f.headers.contains_key(name.as_str()) || !re.is_match(got) {
                failures.push(format!("header {name}: `{got}` does not match /{pattern}/"));
            }
        }
        for name in &self.assert_headers_absent {
            if f.headers.contains_key(name.as_str()) {
                failures.push(format!(
                    "header {name} is present (`{}`), expected absent",
                    f.header(name)
                ));
            }
        }
        for want in self.assert_body_contains.iter() {
            let want = vars.expand(want);
            if !f.body.contains(&want) {
                failures.push(format!("body does not contain `{want}`"));
            }
        }
        for unwanted in self.assert_body_not_contains.iter() {
            let unwanted = vars.expand(unwanted);
            if f.body.contains(&unwanted) {
                failures.push(format!("body contains `{unwanted}`"));
            }
        }
        for pattern in self.assert_body_regex.iter() {
            let pattern = vars.expand_regex(pattern);
            let re = Regex::new(&pattern).map_err(|e| format!("bad regex `{pattern}`: {e}"))?;
            if !re.is_match(&f.body) {
                failures.push(format!("body does not match /{pattern}/"));
            }
        }
        if self.assert_backend && f.backend.is_none() {
            failures.push("the answer names no serving backend (no servedby / wgHostname)".into());
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} {}: {}; body starts: {}",
                f.status.as_u16(),
                f.url,
                failures.join("; "),
                excerpt(&f.body).chars().take(240).collect::<String>()
            ))
        }
    }
}
