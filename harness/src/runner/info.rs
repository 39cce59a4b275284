//! What a run records about itself: its [`RunInfo`].

use std::collections::BTreeMap;

use libtest_mimic::Arguments;
use wikiharness_record::{RunInfo, paths};

use super::command_line;
use super::journal::now;
use crate::cli;
use crate::client::symptom::host_port;
use crate::target::Target;

/// The run's metadata: target, services, the user's command line and selection.
pub(super) fn run_info(
    target: &Target,
    run_id: &str,
    argv: &[String],
    opts: &cli::RunOptions,
    args: &Arguments,
) -> RunInfo {
    let mut services = BTreeMap::from([("web".to_owned(), host_port(&target.base_url))]);
    if let Some(url) = &target.shellbox_url {
        services.insert("shellbox".into(), host_port(url));
    }
    RunInfo {
        services,
        selection: selection(opts, args),
        target_description: target.description.clone(),
        started_at: now(),
        command_line: command_line::shown(argv),
        git_commit: git_commit(),
        baseline: opts.baseline.clone(),
        shard: opts.shard.map(|s| format!("{}/{}", s.index, s.count)),
        ..RunInfo::new(run_id, &target.name, target.base_url.as_str())
    }
}

/// The options that narrowed the run, as the user wrote them.
fn selection(opts: &cli::RunOptions, args: &Arguments) -> Vec<String> {
    let flagged = |flag: &str, names: &[String]| {
        names
            .iter()
            .map(|n| format!("{flag} {n}"))
            .collect::<Vec<_>>()
    };
    let mut s = flagged("--team", &opts.teams);
    s.extend(flagged("--suite", &opts.suites));
    s.extend(flagged("--skip", &args.skip));
    if let Some(f) = &args.filter {
        s.push(if args.exact {
            format!("--exact {f}")
        } else {
            f.clone()
        });
    }
    if opts.shard.is_some() {
        s.push("--shard".into());
    }
    s
}

fn git_commit() -> Option<String> {
    if let Ok(c) = std::env::var("WIKIHARNESS_GIT_COMMIT") {
        return Some(c);
    }
    let out = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(paths::repo_root())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
