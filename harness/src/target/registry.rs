//! Loading registry files, resolving `extends`, and validating targets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde::Deserialize;
use url::Url;

use super::accounts::{Account, AccountKind, MissingCredentials};
use super::raw::RawTarget;
use super::safety;
use super::write_policy::WritePolicy;
use super::{Managed, Target};
use crate::error::SetupError;

/// The target used when neither `--target` nor `WIKI_TARGET` names one.
pub const DEFAULT_TARGET: &str = "local";
/// Default `load.contention_ratio`: readers may be three times slower beside
/// job and Shellbox load.
const DEFAULT_CONTENTION_RATIO: f64 = 3.0;

/// Default cap on requests in flight for a non-production target.
const DEFAULT_CONCURRENCY: usize = 3;
/// Default request timeout.
const DEFAULT_TIMEOUT_SECS: u64 = 30;
/// Default wait for back-end effects (jobs, deferred updates, search index).
const DEFAULT_EFFECT_DEADLINE_SECS: u64 = 60;

#[derive(Debug, Clone)]
struct Entry {
    file: PathBuf,
    line: Option<usize>,
    table: toml::Table,
}

/// All targets of the registry files read, validated.
#[derive(Debug)]
pub struct Registry {
    targets: BTreeMap<String, Target>,
    files: Vec<PathBuf>,
}

impl Registry {
    /// Reads the files in order; a later file's target replaces an earlier one
    /// of the same name. Every target is validated.
    pub fn load(files: &[PathBuf]) -> Result<Self, SetupError> {
        let mut entries = BTreeMap::new();
        for file in files {
            let text = std::fs::read_to_string(file).map_err(|e| {
                SetupError::file(file, None, format!("cannot read registry file: {e}"))
            })?;
            for (name, entry) in parse_file(file, &text)? {
                entries.insert(name, entry);
            }
        }
        let targets = entries
            .keys()
            .map(|name| Ok((name.clone(), build(name, &entries)?)))
            .collect::<Result<_, SetupError>>()?;
        Ok(Registry {
            targets,
            files: files.to_vec(),
        })
    }

    /// The target called `name`.
    pub fn get(&self, name: &str) -> Result<&Target, SetupError> {
        self.targets
            .get(name)
            .ok_or_else(|| SetupError::UnknownTarget {
                name: name.to_owned(),
                known: self.targets.keys().cloned().collect::<Vec<_>>().join(", "),
                files: self
                    .files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// All targets, by name.
    pub fn targets(&self) -> impl Iterator<Item = &Target> {
        self.targets.values()
    }
}

fn parse_file(file: &Path, text: &str) -> Result<Vec<(String, Entry)>, SetupError> {
    let file_err = |line: Option<usize>, message: String| SetupError::file(file, line, message);
    let mut doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map(|s| line_of_offset(text, s.start));
        file_err(line, e.message().trim().to_owned())
    })?;
    if let Some(key) = doc.keys().find(|k| *k != "targets") {
        let line = find_line(text, key);
        return Err(file_err(
            line,
            format!(
                "unknown top-level key `{key}` (a registry file holds only [targets.NAME] tables)"
            ),
        ));
    }
    let Some(targets) = doc.remove("targets") else {
        return Err(file_err(None, "no [targets.NAME] tables".into()));
    };
    let toml::Value::Table(targets) = targets else {
        return Err(file_err(
            find_line(text, "targets"),
            "`targets` must be a table of tables".into(),
        ));
    };
    targets
        .into_iter()
        .map(|(name, value)| {
            let line = target_line(text, &name);
            match value {
                toml::Value::Table(table) => Ok((
                    name,
                    Entry {
                        file: file.to_owned(),
                        line,
                        table,
                    },
                )),
                _ => Err(file_err(line, format!("`targets.{name}` must be a table"))),
            }
        })
        .collect()
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn find_line(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

fn target_line(text: &str, name: &str) -> Option<usize> {
    let plain = format!("[targets.{name}]");
    let quoted = format!("[targets.\"{name}\"]");
    text.lines()
        .position(|l| {
            let l = l.trim();
            l.starts_with(&plain) || l.starts_with(&quoted)
        })
        .map(|i| i + 1)
}

/// Merges `extends` chains: the child's keys win; `headers` and `accounts`
/// merge key by key.
fn merged_table(name: &str, entries: &BTreeMap<String, Entry>) -> Result<toml::Table, SetupError> {
    let mut chain = vec![name.to_owned()];
    let mut current = &entries[name];
    while let Some(parent) = current.table.get("extends") {
        let entry = &entries[chain.last().expect("chain is never empty")];
        let err = |message: String| SetupError::TargetField {
            file: entry.file.clone(),
            line: entry.line,
            target: chain.last().cloned().unwrap_or_default(),
            field: "extends".into(),
            message,
        };
        let parent = parent
            .as_str()
            .ok_or_else(|| err("must be a target name".into()))?
            .to_owned();
        if chain.contains(&parent) {
            return Err(err(format!("cycle: {} -> {parent}", chain.join(" -> "))));
        }
        current = entries
            .get(&parent)
            .ok_or_else(|| err(format!("no target `{parent}` to extend")))?;
        chain.push(parent);
    }
    let mut merged = toml::Table::new();
    for link in chain.iter().rev() {
        for (key, value) in &entries[link].table {
            match (merged.get_mut(key), value) {
                (Some(toml::Value::Table(base)), toml::Value::Table(over))
                    if key == "headers" || key == "accounts" =>
                {
                    base.extend(over.clone());
                }
                _ => {
                    merged.insert(key.clone(), value.clone());
                }
            }
        }
    }
    merged.remove("extends");
    Ok(merged)
}

fn build(name: &str, entries: &BTreeMap<String, Entry>) -> Result<Target, SetupError> {
    let entry = &entries[name];
    let field_err = |field: &str, message: String| SetupError::TargetField {
        file: entry.file.clone(),
        line: entry.line,
        target: name.to_owned(),
        field: field.to_owned(),
        message,
    };
    let table = merged_table(name, entries)?;
    let raw = RawTarget::deserialize(toml::Value::Table(table)).map_err(|e| {
        let message = e.message().trim().to_owned();
        let field = Regex::new(r"field `([^`]+)`")
            .expect("valid regex")
            .captures(&message)
            .map(|c| c[1].to_owned())
            .unwrap_or_else(|| "?".into());
        field_err(&field, message)
    })?;

    let base_url = raw.base_url.as_deref().ok_or_else(|| {
        field_err(
            "base_url",
            "missing (e.g. \"https://test2.wikipedia.org\")".into(),
        )
    })?;
    let base_url = Url::parse(base_url)
        .map_err(|e| field_err("base_url", format!("`{base_url}` is not a URL: {e}")))?;
    if !matches!(base_url.scheme(), "http" | "https") || base_url.host().is_none() {
        return Err(field_err(
            "base_url",
            format!("`{base_url}` must be an http(s) URL with a host"),
        ));
    }
    if base_url.path() != "/" || base_url.query().is_some() {
        return Err(field_err(
            "base_url",
            format!(
                "`{base_url}` must have no path or query (put the path in script_path / article_path)"
            ),
        ));
    }
    let script_path = raw.script_path.unwrap_or_default();
    if !(script_path.is_empty() || (script_path.starts_with('/') && !script_path.ends_with('/'))) {
        return Err(field_err(
            "script_path",
            format!(
                "`{script_path}` must be empty or start with `/` and not end with `/` (e.g. \"/w\")"
            ),
        ));
    }
    let article_path = raw
        .article_path
        .unwrap_or_else(|| format!("{script_path}/index.php/"));
    if !(article_path.starts_with('/') && article_path.ends_with('/')) {
        return Err(field_err(
            "article_path",
            format!("`{article_path}` must start and end with `/` (e.g. \"/wiki/\")"),
        ));
    }
    let write = match raw.write {
        None => WritePolicy::ReadOnly,
        Some(w) => WritePolicy::parse(&w.policy, w.prefix.as_deref())
            .map_err(|(f, m)| field_err(&format!("write.{f}"), m))?,
    };
    let mut accounts = BTreeMap::new();
    for (role, a) in raw.accounts {
        let kind = AccountKind::parse(&a.kind).ok_or_else(|| {
            field_err(
                &format!("accounts.{role}.kind"),
                format!("`{}` is not one of `bot-password`, `main`", a.kind),
            )
        })?;
        accounts.insert(
            role.clone(),
            Account {
                role,
                kind,
                user_env: a.user_env,
                password_env: a.password_env,
            },
        );
    }
    for header in raw.headers.keys() {
        reqwest::header::HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
            field_err(
                &format!("headers.{header}"),
                "not a valid HTTP header name".into(),
            )
        })?;
    }
    for (header, value) in &raw.headers {
        reqwest::header::HeaderValue::from_str(value).map_err(|_| {
            field_err(
                &format!("headers.{header}"),
                "not a valid HTTP header value".into(),
            )
        })?;
    }
    let serving_backend = raw
        .serving_backend
        .map(|p| {
            Regex::new(&p).map_err(|e| field_err("serving_backend", format!("bad regex: {e}")))
        })
        .transpose()?;
    let shellbox_url = raw
        .shellbox_url
        .map(|u| {
            Url::parse(&u)
                .map_err(|e| field_err("shellbox_url", format!("`{u}` is not a URL: {e}")))
        })
        .transpose()?;
    let managed = match raw.managed.as_deref() {
        None | Some("no") => Managed::No,
        Some("local-wiki") => Managed::LocalWiki,
        Some(other) => {
            return Err(field_err(
                "managed",
                format!("`{other}` is not one of `local-wiki`, `no`"),
            ));
        }
    };
    let on_missing_credentials = match raw.on_missing_credentials.as_deref() {
        None | Some("error") => MissingCredentials::Error,
        Some("skip") => MissingCredentials::Skip,
        Some(other) => {
            return Err(field_err(
                "on_missing_credentials",
                format!("`{other}` is not one of `error`, `skip`"),
            ));
        }
    };
    let production = raw.production.unwrap_or(false);
    let allow_load = raw.allow_load.unwrap_or(false);
    let max_concurrent_requests = raw.max_concurrent_requests.unwrap_or(DEFAULT_CONCURRENCY);
    if max_concurrent_requests == 0 {
        return Err(field_err(
            "max_concurrent_requests",
            "must be at least 1".into(),
        ));
    }
    safety::check_production(production, allow_load, max_concurrent_requests, raw.maxlag)
        .map_err(|(f, m)| field_err(f, m))?;
    if managed == Managed::LocalWiki && !safety::is_loopback_url(&base_url) {
        return Err(field_err(
            "base_url",
            "a managed local wiki must be on a loopback address".into(),
        ));
    }
    let (load, load_smoke) = super::load_size::parse(raw.load.as_ref())
        .map_err(|(f, m)| field_err(&format!("load.{f}"), m))?;
    let local_service = raw.local_service.unwrap_or_else(|| "web".into());
    if !matches!(local_service.as_str(), "web" | "legacy") {
        return Err(field_err(
            "local_service",
            format!("`{local_service}` is not one of `web`, `legacy`"),
        ));
    }
    let effect_deadline_secs = raw
        .effect_deadline_secs
        .unwrap_or(DEFAULT_EFFECT_DEADLINE_SECS);
    if !(1..=3600).contains(&effect_deadline_secs) {
        return Err(field_err(
            "effect_deadline_secs",
            format!("{effect_deadline_secs} is not between 1 and 3600"),
        ));
    }
    let expect = match raw.expect {
        None => super::Expect::default(),
        Some(e) => super::Expect {
            wikiid: e.wikiid,
            sitename: e.sitename,
            mediawiki: e
                .mediawiki
                .map(|m| super::VersionRange::parse(&m))
                .transpose()
                .map_err(|m| field_err("expect.mediawiki", m))?,
        },
    };
    let contention_ratio = raw
        .load
        .as_ref()
        .and_then(|l| l.contention_ratio)
        .unwrap_or(DEFAULT_CONTENTION_RATIO);
    if contention_ratio.is_nan() || contention_ratio <= 1.0 {
        return Err(field_err(
            "load.contention_ratio",
            format!("{contention_ratio} is not above 1"),
        ));
    }
    let error_logs = raw.error_logs.map(|l| super::ErrorLogs {
        source: l.source,
        budget: l.budget.unwrap_or(0),
    });
    let replicas = raw
        .replicas
        .map(super::replicas::parse)
        .transpose()
        .map_err(|(f, m)| field_err(&format!("replicas.{f}"), m))?;
    Ok(Target {
        replicas,
        local_service,
        load,
        load_smoke,
        expect,
        error_logs,
        contention_ratio,
        effect_deadline: std::time::Duration::from_secs(effect_deadline_secs),
        name: name.to_owned(),
        file: entry.file.clone(),
        description: raw.description.unwrap_or_default(),
        base_url,
        script_path,
        article_path,
        main_page: raw.main_page.unwrap_or_else(|| "Main Page".into()),
        headers: raw.headers,
        accounts,
        write,
        max_concurrent_requests,
        maxlag: raw.maxlag,
        allow_load,
        reaches_harness: raw.reaches_harness.unwrap_or(false),
        production,
        serving_backend,
        shellbox_url,
        managed,
        on_missing_credentials,
        timeout_secs: raw.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS),
    })
}
