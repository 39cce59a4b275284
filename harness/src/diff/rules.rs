//! Normalisation rules, read from YAML:
//!
//! ```yaml
//! json_ignore: [servedby, curtimestamp]   # keys dropped anywhere in JSON answers
//! rules:
//!   - name: serving host
//!     why: each back end names itself
//!     pattern: '"wgHostname":"[^"]*"'
//!     replace: '"wgHostname":"HOST"'
//!     example: ['"wgHostname":"mw-web.1"', '"wgHostname":"mw1414"']
//! ```
//! `{host}` in a pattern stands for the answering side's own host and port.

use std::path::Path;

use regex::Regex;
use serde::Deserialize;

use crate::datafile::{self, DataFile};
use crate::error::SetupError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    json_ignore: Vec<String>,
    rules: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    why: String,
    pattern: String,
    replace: String,
    example: [String; 2],
    #[serde(default)]
    hosts: Option<[String; 2]>,
}

/// One rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Short name.
    pub name: String,
    /// Why the part is volatile.
    pub why: String,
    pattern: String,
    replace: String,
    /// Two answers that differ only in what the rule masks.
    pub example: [String; 2],
    /// The hosts the example answers came from (for `{host}` rules).
    pub hosts: [String; 2],
}

/// All rules.
#[derive(Debug, Clone)]
pub struct Rules {
    /// JSON keys ignored at any depth.
    pub json_ignore: Vec<String>,
    /// Text rules, applied in order.
    pub rules: Vec<Rule>,
}

impl DataFile for Rules {
    /// Parses a rules file; every pattern must be a valid regex.
    fn parse(path: &Path, text: &str) -> Result<Self, SetupError> {
        let raw: RawRules = datafile::yaml(path, text)?;
        for r in &raw.rules {
            Regex::new(&r.pattern.replace("{host}", "h")).map_err(|e| {
                let line = datafile::line_where(text, |l| l.contains(&format!("name: {}", r.name)));
                SetupError::file(path, line, format!("rule `{}`: bad pattern: {e}", r.name))
            })?;
        }
        Ok(Rules {
            json_ignore: raw.json_ignore,
            rules: raw
                .rules
                .into_iter()
                .map(|r| Rule {
                    name: r.name,
                    why: r.why,
                    pattern: r.pattern,
                    replace: r.replace,
                    example: r.example,
                    hosts: r
                        .hosts
                        .unwrap_or_else(|| ["baseline.invalid".into(), "candidate.invalid".into()]),
                })
                .collect(),
        })
    }
}

impl Rules {
    /// `text` with every rule applied, for an answer from `host` (`127.0.0.1:18080`).
    pub fn apply(&self, text: &str, host: &str) -> String {
        self.apply_except(text, host, None)
    }

    /// Like [`apply`](Self::apply), leaving out the rule named `skip`.
    pub fn apply_except(&self, text: &str, host: &str, skip: Option<&str>) -> String {
        self.rules
            .iter()
            .filter(|r| Some(r.name.as_str()) != skip)
            .fold(text.to_owned(), |t, r| {
                let pattern = r.pattern.replace("{host}", &regex::escape(host));
                match Regex::new(&pattern) {
                    Ok(re) => re.replace_all(&t, r.replace.as_str()).into_owned(),
                    Err(_) => t,
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped rules, each proved necessary by its example: the pair differs
    /// without the rule and is equal with every rule applied.
    #[test]
    fn every_shipped_rule_is_needed_and_sufficient_for_its_example() {
        let path = wikiharness_record::paths::repo_root().join("suites/diff/normalize.yaml");
        let rules = Rules::load(&path).unwrap();
        assert!(rules.rules.len() >= 8);
        for r in &rules.rules {
            let [a, b] = &r.example;
            let [ha, hb] = &r.hosts;
            assert_ne!(a, b, "rule `{}`: the example pair is identical", r.name);
            assert_eq!(
                rules.apply(a, ha),
                rules.apply(b, hb),
                "rule `{}`: the pair still differs with all rules",
                r.name
            );
            assert_ne!(
                rules.apply_except(a, ha, Some(&r.name)),
                rules.apply_except(b, hb, Some(&r.name)),
                "rule `{}` is not needed: the pair is equal without it",
                r.name
            );
        }
    }

    #[test]
    fn bad_pattern_names_file_line_and_rule() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("n.yaml");
        std::fs::write(&f, "rules:\n  - name: broken\n    why: x\n    pattern: '('\n    replace: ''\n    example: [a, b]\n").unwrap();
        let err = Rules::load(&f).unwrap_err().to_string();
        assert!(
            err.contains("n.yaml:2: rule `broken`: bad pattern"),
            "{err}"
        );
        std::fs::write(&f, "rules:\n  - name: x\n    why: x\n    pattrn: a\n").unwrap();
        let err = Rules::load(&f).unwrap_err().to_string();
        assert!(err.contains("unknown field `pattrn`"), "{err}");
    }
}
