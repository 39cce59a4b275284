//! Shared by the drill test binaries (`diff_drill`, `load_drill`, `shards`):
//! they break or drive the embedded wiki on purpose and check what the harness
//! makes of it. Each binary uses a part of this module.
#![allow(dead_code)]

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use wikiharness_harness::localwiki::{LocalWiki, WikiGuard};
use wikiharness_harness::target::{Registry, Target};
use wikiharness_harness::{cli, paths};

/// A drill: named, run on the embedded wiki, `Err` when the harness got it wrong.
pub type Drill = (&'static str, fn() -> Result<(), Failed>);

/// Parses argv like the `wiki` binary (the harness's flags are accepted, so
/// `cargo test -- --target NAME` reaches every binary) and runs `trials` one
/// at a time against the embedded wiki.
///
/// Drills test the harness, not a target: they run in the project's tests
/// (`cargo test --workspace`, plain `cargo test`) and are reported as skipped
/// when a run names its target (`--target`, `WIKI_TARGET`), so that a run
/// against a wiki, whose report QA waits for, never waits on them.
pub fn main(trials: Vec<Drill>, kind: &str) -> ! {
    let (opts, rest) = cli::split_args(std::env::args()).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    });
    let mut args = Arguments::from_iter(rest);
    // One at a time: drills change the shared wiki's configuration.
    args.test_threads = Some(1);
    let skip = opts
        .target
        .or_else(|| std::env::var(cli::TARGET_ENV).ok())
        .map(|t| {
            format!(
                "a test of the harness itself, not of target `{t}`: runs in `cargo test --workspace`"
            )
        });
    let trials = trials
        .into_iter()
        .map(|(name, body)| {
            let skip = skip.clone();
            Trial::ignorable_test(name, move || match skip {
                Some(reason) => Ok(Completion::ignored_with(reason)),
                None => body().map(|()| Completion::Completed),
            })
            .with_kind(kind)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit()
}

/// A target of the repository's registry.
pub fn target(name: &str) -> Result<Target, String> {
    Registry::load(&[paths::repo_registry()])
        .and_then(|r| r.get(name).cloned())
        .map_err(|e| e.to_string())
}

/// The embedded wiki (the `local` target's).
pub fn local_wiki() -> Result<LocalWiki, String> {
    Ok(LocalWiki::for_target(&target("local")?))
}

/// Starts what is not running of the embedded wiki; the guard stops it again.
pub fn wiki_up() -> Result<WikiGuard, String> {
    local_wiki()?.ensure_up(false).map_err(|e| e.to_string())
}

/// Runs a future to completion on a fresh single-threaded runtime.
pub fn block_on<T>(f: impl std::future::Future<Output = Result<T, Failed>>) -> Result<T, Failed> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?
        .block_on(f)
}

/// PHP appended to the embedded wiki's `STATE/Override.php` (included last by
/// LocalSettings.php, read on every request) for as long as the value lives;
/// the file is restored when it is dropped, also when a trial panics.
pub struct Override {
    file: PathBuf,
    before: Option<String>,
}

impl Override {
    /// Appends `php` (statements, without `<?php`).
    pub fn add(php: &str) -> Result<Self, String> {
        let file = local_wiki()?.state_dir().join("Override.php");
        let before = std::fs::read_to_string(&file).ok();
        let text = format!(
            "{}\n{php}\n",
            before.as_deref().unwrap_or("<?php").trim_end()
        );
        std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
        Ok(Override { file, before })
    }
}

impl Drop for Override {
    fn drop(&mut self) {
        let restored = match &self.before {
            Some(text) => std::fs::write(&self.file, text),
            None => std::fs::remove_file(&self.file),
        };
        if let Err(e) = restored {
            eprintln!("error: cannot restore {}: {e}", self.file.display());
        }
    }
}

/// The `wiki` test binary (the harness's entry) cargo built next to this one.
fn wiki_binary() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = exe.parent().ok_or("no deps dir")?;
    std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("wiki-"))
                && p.extension().is_none()
        })
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .ok_or_else(|| format!("no wiki-* test binary in {}", dir.display()))
}

/// Runs the `wiki` binary with `args`, its reports under `root`, with the
/// embedded wiki's accounts in the environment (for targets with
/// `managed = "no"`); its exit status and `results.json`. Output is dropped.
pub fn run_wiki(args: &[OsString], root: &Path) -> Result<(ExitStatus, serde_json::Value), Failed> {
    let status = spawn_wiki(args, root)?.wait()?;
    Ok((status, results(&root.join("latest"))?))
}

/// Starts the `wiki` binary like [`run_wiki`], without waiting for it.
pub fn spawn_wiki(args: &[OsString], root: &Path) -> Result<Child, Failed> {
    Ok(Command::new(wiki_binary()?)
        .args(args)
        .arg("--report-dir")
        .arg(root)
        .envs(local_credentials()?)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?)
}

/// The embedded wiki's accounts (its `credentials.env`).
fn local_credentials() -> Result<std::collections::BTreeMap<String, String>, String> {
    let source = local_wiki()?.credentials().map_err(|e| e.to_string())?;
    Ok(source.file_values().clone())
}

/// `wiki` arguments selecting `local-as-is`, from a registry file written to
/// `dir`: the embedded wiki as it is (`managed = "no"`: a run neither starts
/// nor stops its services), waiting `effect_deadline_secs` for back-end effects.
pub fn as_is_args(dir: &Path, effect_deadline_secs: u64) -> Result<Vec<OsString>, Failed> {
    let file = dir.join("as-is.toml");
    std::fs::write(
        &file,
        format!(
            "[targets.local-as-is]\nextends = \"local\"\nmanaged = \"no\"\neffect_deadline_secs = {effect_deadline_secs}\n"
        ),
    )?;
    Ok(vec![
        "--targets".into(),
        file.into(),
        "--target".into(),
        "local-as-is".into(),
    ])
}

/// Name of the target [`drill_target`] defines.
pub const DRILL_TARGET: &str = "local-drill";

/// Writes a registry file to `dir` defining [`DRILL_TARGET`]: the local wiki,
/// with every request carrying `X-Wikiharness-Drill: <mark>` (so that PHP in
/// an [`Override`] can act on the drill's requests only), plus `extra` fields.
pub fn drill_target(dir: &Path, mark: &str, extra: &str) -> Result<PathBuf, Failed> {
    let file = dir.join("targets.toml");
    std::fs::write(
        &file,
        format!(
            "[targets.{DRILL_TARGET}]\n\
             extends = \"local\"\n\
             description = \"The local wiki; every request carries a drill's header\"\n\
             headers = {{ \"X-Wikiharness-Drill\" = \"{mark}\" }}\n{extra}"
        ),
    )?;
    Ok(file)
}

/// A drill on one trial: runs `trial` alone (`--exact`, plus `flags`) on
/// [`DRILL_TARGET`] (requests marked `mark`, `extra` target fields), once as
/// the wiki is — it must pass — and once with `php` in an [`Override`] — it
/// must fail. Returns the broken run's results and the trial's entry in them.
pub fn passes_then_fails(
    dir: &Path,
    mark: &str,
    extra: &str,
    flags: &[&str],
    trial: &str,
    php: &str,
) -> Result<(serde_json::Value, serde_json::Value), Failed> {
    let _wiki = wiki_up()?;
    let mut args: Vec<OsString> = vec![
        "--targets".into(),
        drill_target(dir, mark, extra)?.into(),
        "--target".into(),
        DRILL_TARGET.into(),
    ];
    args.extend(flags.iter().map(Into::into));
    args.extend(["--exact".into(), trial.into()]);

    let (status, as_is) = run_wiki(&args, &dir.join("as-is"))?;
    let control = trial_result(&as_is, trial)?;
    if !status.success() || control["status"] != "passed" {
        return Err(format!(
            "the control run (wiki as it is) did not pass ({status}): {}",
            control["message"]
        )
        .into());
    }
    let (status, broken) = {
        let _broken = Override::add(php)?;
        run_wiki(&args, &dir.join("broken"))?
    };
    let entry = trial_result(&broken, trial)?.clone();
    if status.success() || entry["status"] != "failed" {
        return Err(format!(
            "the broken wiki did not fail {trial} ({status}): {}, figures {}",
            entry["status"], entry["figures"]
        )
        .into());
    }
    Ok((broken, entry))
}

/// PHP condition: the request carries the drill header with `mark`.
pub fn drill_request(mark: &str) -> String {
    format!("( $_SERVER['HTTP_X_WIKIHARNESS_DRILL'] ?? '' ) === '{mark}'")
}

/// A service of the embedded wiki stopped for as long as the value lives;
/// started again when it is dropped.
pub struct ServiceDown(LocalWiki);

impl ServiceDown {
    /// Stops `service` (`jobrunner`, `shellbox`, ...).
    pub fn stop(service: &str) -> Result<Self, String> {
        let wiki = local_wiki()?;
        wiki.down(&[service.to_owned()])
            .map_err(|e| e.to_string())?;
        Ok(ServiceDown(wiki))
    }
}

impl Drop for ServiceDown {
    fn drop(&mut self) {
        if let Err(e) = self.0.ensure_up(true) {
            eprintln!("error: cannot restart the local wiki: {e}");
        }
    }
}

/// The `results.json` of a run directory.
pub fn results(run_dir: &Path) -> Result<serde_json::Value, String> {
    let f = run_dir.join("results.json");
    serde_json::from_str(&std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?)
        .map_err(|e| format!("{}: {e}", f.display()))
}

/// The entry of trial `name` in a run's `trials[]`.
pub fn trial_result<'a>(
    results: &'a serde_json::Value,
    name: &str,
) -> Result<&'a serde_json::Value, String> {
    results["trials"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == name))
        .ok_or_else(|| format!("{name} is not in the results"))
}
