//! Diff mode (`--baseline TARGET`): read-only probes sent to the baseline twice
//! and to the candidate once; normalised answers compared, differences shown
//! as a readable diff. Probes: `suites/diff/probes.yaml`; normalisation rules:
//! `suites/diff/normalize.yaml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use wikiharness_harness::checks::Vars;
use wikiharness_harness::client::{Fetched, Request, Session};
use wikiharness_harness::datafile::DataFile;
use wikiharness_harness::diff::{ProbeDiff, Rules, Snapshot, compare};
use wikiharness_harness::target::Target;
use wikiharness_harness::{Capability, SetupError, TrialCx, TrialError, TrialSpec};

use crate::support::{titles, wiki};

/// The Lua module the `lua_module` probes call.
const LUA: &str = "local p = {}\nfunction p.hello(frame)\n  return 'Hello from Lua, ' .. frame.args[1]\nend\nfunction p.sum(frame)\n  local s = 0\n  for _, v in ipairs(frame.args) do s = s + tonumber(v) end\n  return s\nend\nreturn p";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeFile {
    probes: Vec<Probe>,
}

impl DataFile for ProbeFile {
    fn parse(path: &Path, text: &str) -> Result<Self, SetupError> {
        wikiharness_harness::datafile::yaml(path, text)
    }
}

/// One read-only request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// Probe name (`diff::<name>`).
    pub name: String,
    /// Path and query, with placeholders.
    pub path: String,
    /// GET (default) or POST.
    #[serde(default)]
    pub method: Option<String>,
    /// Form body; a value `@file` is read from the probes' directory.
    #[serde(default)]
    pub form: BTreeMap<String, String>,
    /// Creates a sandbox Lua module first and puts its name in `{lua_module}`.
    #[serde(default)]
    pub lua_module: bool,
}

/// Where the diff data lives.
pub fn data_dir() -> PathBuf {
    wikiharness_record::paths::repo_root()
        .join("suites")
        .join("diff")
}

/// A probe with its form body loaded (file references read).
pub type LoadedProbe = (Probe, Vec<(String, String)>);

/// The probes with their form bodies loaded, and the normalisation rules.
pub fn probes() -> Result<(Arc<Rules>, Vec<LoadedProbe>), SetupError> {
    let dir = data_dir();
    let rules = Arc::new(Rules::load(&dir.join("normalize.yaml"))?);
    let file = dir.join("probes.yaml");
    let probes = ProbeFile::load(&file)?
        .probes
        .into_iter()
        .map(|p| load_form(&dir, &p).map(|f| (p, f)))
        .collect::<Result<_, _>>()?;
    Ok((rules, probes))
}

/// The diff trials (skipped without `--baseline`).
pub fn trials() -> Result<Vec<TrialSpec>, SetupError> {
    let (rules, probes) = probes()?;
    let mut trials = Vec::new();
    for (probe, form) in probes {
        let (probe, rules) = (Arc::new(probe), rules.clone());
        let mut t = TrialSpec::build("diff", &probe.name).needs(Capability::Compare);
        if probe.lua_module {
            t = t.needs(Capability::Write).account("bot");
        }
        trials.push(t.run(move |cx| {
            let (probe, rules, form) = (probe.clone(), rules.clone(), form.clone());
            async move { run_probe(cx, &probe, &rules, form).await }
        }));
    }
    Ok(trials)
}

fn load_form(dir: &Path, probe: &Probe) -> Result<Vec<(String, String)>, SetupError> {
    probe
        .form
        .iter()
        .map(|(k, v)| match v.strip_prefix('@') {
            Some(file) => std::fs::read_to_string(dir.join(file))
                .map(|text| (k.clone(), text))
                .map_err(|e| {
                    SetupError::file(dir.join(file), None, format!("probe `{}`: {e}", probe.name))
                }),
            None => Ok((k.clone(), v.clone())),
        })
        .collect()
}

/// Host and port as they appear in URLs the target builds.
fn host_of(target: &Target) -> String {
    let url = &target.base_url;
    match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    }
}

fn request(target: &Target, probe: &Probe, form: &[(String, String)], lua: &str) -> Request {
    let vars = Vars::for_target(target);
    let url = target.url(&vars.expand(&probe.path));
    let fill = |v: &str| v.replace("{lua_module}", lua);
    match probe.method.as_deref() {
        Some("POST") => Request::post_form(
            url,
            &form
                .iter()
                .map(|(k, v)| (k.clone(), fill(v)))
                .collect::<Vec<_>>(),
        ),
        _ => Request::get(url),
    }
    .no_redirects()
}

fn snapshot(f: &Fetched, rules: &Rules, hosts: &[&str]) -> Snapshot {
    let headers: Vec<(String, String)> = f
        .headers
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.to_string(), v.to_owned())))
        .collect();
    Snapshot::of(
        f.status.as_u16(),
        &headers,
        f.content_type(),
        &f.body,
        rules,
        hosts,
    )
}

/// Fetches a probe twice from the baseline and once from the candidate and
/// compares the normalised answers.
pub async fn compare_probe(
    (baseline, base_target): (&Session, &Target),
    (candidate, cand_target): (&Session, &Target),
    probe: &Probe,
    form: &[(String, String)],
    rules: &Rules,
    lua: &str,
) -> Result<ProbeDiff, wikiharness_harness::ClientError> {
    let fetch = |s: &Session, t: &Target| {
        let req = request(t, probe, form, lua);
        let s = s.clone();
        async move { s.send(req).await }
    };
    let first = fetch(baseline, base_target).await?;
    let again = fetch(baseline, base_target).await?;
    let cand = fetch(candidate, cand_target).await?;
    let labels = (
        format!("baseline {}", base_target.name),
        format!("candidate {}", cand_target.name),
    );
    let (hb, hc) = (host_of(base_target), host_of(cand_target));
    let hosts = [hb.as_str(), hc.as_str()];
    Ok(compare(
        &snapshot(&first, rules, &hosts),
        &snapshot(&again, rules, &hosts),
        &snapshot(&cand, rules, &hosts),
        (&labels.0, &labels.1),
    ))
}

async fn run_probe(
    cx: TrialCx,
    probe: &Probe,
    rules: &Rules,
    form: Vec<(String, String)>,
) -> Result<(), TrialError> {
    let baseline = cx.baseline_session()?;
    let candidate = cx.session()?;
    let lua = if probe.lua_module {
        lua_module(&cx).await?
    } else {
        String::new()
    };
    let base_target = cx.baseline().expect("baseline session exists").clone();
    let d = compare_probe(
        (&baseline, &base_target),
        (&candidate, cx.target()),
        probe,
        &form,
        rules,
        &lua,
    )
    .await?;
    if !d.volatile.is_empty() {
        cx.note(format!(
            "ignored {} field(s) that differed between two fetches of the baseline: {}",
            d.volatile.len(),
            d.volatile
                .iter()
                .take(8)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if d.differing.is_empty() {
        return Ok(());
    }
    cx.attach("diff.txt", d.diff.as_bytes())?;
    let shown: Vec<_> = d.differing.iter().take(5).cloned().collect();
    Err(TrialError::fail(format!(
        "{} field(s) differ between baseline `{}` and candidate `{}` ({} volatile ignored): {}{}\n{}",
        d.differing.len(),
        base_target.name,
        cx.target().name,
        d.volatile.len(),
        shown.join(", "),
        if d.differing.len() > shown.len() {
            ", ..."
        } else {
            ""
        },
        d.diff.lines().take(40).collect::<Vec<_>>().join("\n")
    )))
}

/// Creates the probe's Lua module in the candidate's sandbox (both back ends
/// serve the same wiki) and returns its name for `{{#invoke:}}`.
async fn lua_module(cx: &TrialCx) -> Result<String, TrialError> {
    let title = titles::in_namespace(cx, "Module", "Diff probe")?;
    let bot = cx.login("bot").await?;
    wiki::edit(cx, &bot, &title, LUA, &[("contentmodel", "Scribunto")]).await?;
    Ok(title.trim_start_matches("Module:").to_owned())
}
