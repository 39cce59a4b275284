//! Which trials run: `--team` / `--suite` selection, then per trial whether
//! the target can run it (capabilities, credentials, production safety).

use std::collections::BTreeSet;

use libtest_mimic::{Arguments, Trial};

use crate::cli::RunOptions;
use crate::context::RunShared;
use crate::error::{CredentialGap, SetupError};
use crate::target::{MissingCredentials, Target, WritePolicy};
use crate::trial::TrialSpec;
use wikiharness_record::{Capability, SkipCause};

/// What the runner will do with a trial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    /// Run it.
    Run,
    /// Report it as skipped with this reason and cause.
    Skip(String, SkipCause),
}

/// A trial with its disposition.
#[derive(Debug)]
pub struct Planned {
    /// The trial.
    pub spec: TrialSpec,
    /// What to do with it.
    pub disposition: Disposition,
    /// Whether libtest will run it (not filtered out, not left ignored).
    pub selected: bool,
}

/// Keeps the trials of the `--team` / `--suite` options; an unknown name is an error.
/// Team names match without regard to case; a suite name also selects the
/// suites below it (`httpbb` selects `httpbb::local`).
pub fn select(specs: Vec<TrialSpec>, opts: &RunOptions) -> Result<Vec<TrialSpec>, SetupError> {
    let team = |asked: &str, team: &str| asked.eq_ignore_ascii_case(team);
    let suite = |asked: &str, suite: &str| {
        suite == asked
            || suite
                .strip_prefix(asked)
                .is_some_and(|rest| rest.starts_with("::"))
    };
    check_known("--team", &opts.teams, &specs, |s| &s.meta.team, team)?;
    check_known("--suite", &opts.suites, &specs, |s| &s.meta.suite, suite)?;
    let wanted = |asked: &[String], value: &str, matches: &dyn Fn(&str, &str) -> bool| {
        asked.is_empty() || asked.iter().any(|a| matches(a, value))
    };
    Ok(specs
        .into_iter()
        .filter(|s| wanted(&opts.teams, &s.meta.team, &team))
        .filter(|s| wanted(&opts.suites, &s.meta.suite, &suite))
        .collect())
}

/// Every name in `asked` must match the field of some trial.
fn check_known(
    flag: &str,
    asked: &[String],
    specs: &[TrialSpec],
    field: impl Fn(&TrialSpec) -> &String,
    matches: impl Fn(&str, &str) -> bool,
) -> Result<(), SetupError> {
    let known: BTreeSet<&str> = specs.iter().map(|s| field(s).as_str()).collect();
    for a in asked {
        if !known.iter().any(|k| matches(a, k)) {
            return Err(SetupError::Usage {
                flag: flag.into(),
                message: format!(
                    "unknown name `{a}` (known: {})",
                    known.into_iter().collect::<Vec<_>>().join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// Whether libtest will run the trial, given the name filters and ignore flags.
pub fn libtest_selects(args: &Arguments, spec: &TrialSpec) -> bool {
    let probe =
        Trial::test(spec.meta.name.clone(), || Ok(())).with_ignored_flag(spec.opt_in.is_some());
    !args.is_filtered_out(&probe) && !args.is_ignored(&probe)
}

/// Decides each trial's disposition. A selected trial whose credentials are
/// missing is an error unless the target or the options say to skip.
pub fn plan(
    specs: Vec<TrialSpec>,
    args: &Arguments,
    run: &RunShared,
    opts: &RunOptions,
) -> Result<Vec<Planned>, SetupError> {
    specs
        .into_iter()
        .map(|spec| {
            let selected = libtest_selects(args, &spec);
            let baseline = run.baseline.as_ref().map(|(t, _)| t.as_ref());
            let disposition = match capability_gap(&spec, &run.target, baseline) {
                Some((reason, cause)) => Disposition::Skip(reason, cause),
                None => match missing_credentials(&spec, run) {
                    None => Disposition::Run,
                    Some(err) => {
                        let skip = opts.skip_missing_credentials
                            || run.target.on_missing_credentials == MissingCredentials::Skip;
                        // `--list` runs nothing: its credentials do not matter yet.
                        if selected && !skip && !args.list {
                            return Err(err);
                        }
                        let (reason, run_with) = credential_reason(&err);
                        Disposition::Skip(
                            format!("no credentials: {reason}"),
                            SkipCause::NotAsked { run_with },
                        )
                    }
                },
            };
            Ok(Planned {
                spec,
                disposition,
                selected,
            })
        })
        .collect()
}

/// Why this run cannot run the trial, if it cannot, and whether that is the
/// target's rule or a choice of the run.
pub fn capability_gap(
    spec: &TrialSpec,
    target: &Target,
    baseline: Option<&Target>,
) -> Option<(String, SkipCause)> {
    let rule = |reason: String| Some((reason, SkipCause::TargetRules));
    if target.production && !spec.meta.production_safe {
        return rule(format!(
            "not safe against production target `{}`",
            target.name
        ));
    }
    for cap in &spec.meta.needs {
        match cap {
            Capability::Write if target.write == WritePolicy::ReadOnly => {
                return rule(format!(
                    "target `{}` is read-only (write.policy in {})",
                    target.name,
                    target.file.display()
                ));
            }
            Capability::Compare if baseline.is_none() => {
                return Some((
                    "diff mode: run with --baseline TARGET".into(),
                    SkipCause::NotAsked {
                        run_with: "--baseline TARGET".into(),
                    },
                ));
            }
            Capability::Load if !target.allow_load => {
                return rule(format!(
                    "target `{}` does not allow load (allow_load in {})",
                    target.name,
                    target.file.display()
                ));
            }
            _ => {}
        }
    }
    None
}

fn missing_credentials(spec: &TrialSpec, run: &RunShared) -> Option<SetupError> {
    spec.accounts.iter().find_map(|role| {
        let target = &run.target;
        let Some(account) = target.accounts.get(role) else {
            return Some(SetupError::TargetField {
                file: target.file.clone(),
                line: None,
                target: target.name.clone(),
                field: format!("accounts.{role}"),
                message: format!(
                    "missing, and trial `{}` logs in as `{role}`",
                    spec.meta.name
                ),
            });
        };
        run.credentials.resolve(account).err().map(|(field, var)| {
            SetupError::MissingCredentials(Box::new(CredentialGap {
                target: target.name.clone(),
                trial: spec.meta.name.clone(),
                account: role.clone(),
                var,
                field: field.into(),
                file: target.file.clone(),
            }))
        })
    })
}

/// Why credentials are missing, and what to set.
fn credential_reason(err: &SetupError) -> (String, String) {
    match err {
        SetupError::MissingCredentials(gap) => (
            format!("account `{}` needs {}", gap.account, gap.var),
            gap.var.clone(),
        ),
        other => (other.to_string(), "the target's accounts".into()),
    }
}
