//! The harness's own command-line flags, taken out of argv before
//! libtest-mimic parses the rest (name filters, `--list`, `--exact`,
//! `--ignored`, `--include-ignored`, `--test-threads`, `--format`, ...).

mod httpbb;
mod shard;

use std::path::PathBuf;

use crate::error::SetupError;

pub use httpbb::HttpbbConnect;
pub use shard::Shard;

/// Environment variable naming the target when `--target` is absent.
pub const TARGET_ENV: &str = "WIKI_TARGET";
/// Environment variable naming a user registry file when `--targets` is absent.
pub const TARGETS_FILE_ENV: &str = "WIKIHARNESS_TARGETS";

/// The harness's own options.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// `--target NAME` (or `WIKI_TARGET`).
    pub target: Option<String>,
    /// `--targets FILE`: an extra registry file (or `WIKIHARNESS_TARGETS`).
    pub targets_file: Option<PathBuf>,
    /// `--report-dir DIR`: where run directories go (default `target/wikiharness`).
    pub report_dir: Option<PathBuf>,
    /// `--team NAME` (repeatable): only trials of these teams.
    pub teams: Vec<String>,
    /// `--suite NAME` (repeatable): only trials of these suites.
    pub suites: Vec<String>,
    /// `--skip-missing-credentials`: skip, rather than refuse, trials whose
    /// credentials are not set.
    pub skip_missing_credentials: bool,
    /// `--keep-wiki`: leave a local wiki that this run started running.
    pub keep_wiki: bool,
    /// `--keep-pages`: do not delete the pages the run created.
    pub keep_pages: bool,
    /// `--load`: run the load scenarios (otherwise they are opt-in).
    pub load: bool,
    /// `--load-users N`.
    pub load_users: Option<usize>,
    /// `--load-duration SECS`.
    pub load_duration_secs: Option<u64>,
    /// `--load-rps N`.
    pub load_rps: Option<u32>,
    /// `--threshold RULE` (repeatable): k6-style rules for every load trial.
    pub thresholds: Vec<String>,
    /// `--baseline NAME`: the target the run's target is compared with (diff mode).
    pub baseline: Option<String>,
    /// `--httpbb FILE` (repeatable): extra httpbb files.
    pub httpbb_files: Vec<PathBuf>,
    /// `--httpbb-host`, `--httpbb-http-port`, `--httpbb-https-port`,
    /// `--httpbb-retry-on-timeout`.
    pub httpbb: HttpbbConnect,
    /// `--shard K/N`: run only this shard's share of the trials.
    pub shard: Option<Shard>,
}

impl RunOptions {
    /// The load settings for `target`: its defaults, changed by the flags, with
    /// the rate never above the target's cap.
    pub fn load_settings(&self, target: &crate::target::Target) -> crate::target::LoadSettings {
        let cap = target.load.max_rps;
        let rps = match (self.load_rps, cap) {
            (Some(r), Some(c)) => Some(r.min(c)),
            (r, c) => r.or(c),
        };
        crate::target::LoadSettings {
            users: self.load_users.unwrap_or(target.load.users),
            duration: self
                .load_duration_secs
                .map(std::time::Duration::from_secs)
                .unwrap_or(target.load.duration)
                .min(crate::target::MAX_LOAD_DURATION),
            max_rps: rps,
        }
    }

    /// The size of the default job's load smoke: the target's `load.smoke`,
    /// when the target allows load and this run did not ask for the full
    /// run (`--load`).
    pub fn smoke_settings(
        &self,
        target: &crate::target::Target,
    ) -> Option<crate::target::LoadSettings> {
        (!self.load && target.allow_load)
            .then(|| target.load_smoke.clone())
            .flatten()
    }
}

fn number<T: TryFrom<u64>>(v: &str) -> Result<T, String> {
    let n: u64 = v
        .parse()
        .map_err(|_| format!("`{v}` is not a positive whole number"))?;
    if n == 0 {
        return Err("must be at least 1".into());
    }
    T::try_from(n).map_err(|_| format!("`{v}` is too large"))
}

/// What a flag takes.
enum Arity {
    Value(fn(&mut RunOptions, String) -> Result<(), String>),
    Switch(fn(&mut RunOptions)),
}

/// The flags, one row each: name, what it takes, help text.
const FLAGS: &[(&str, Arity, &str)] = &[
    (
        "--target",
        Arity::Value(|o, v| {
            o.target = Some(v);
            Ok(())
        }),
        "target name from the registry (default: local; env WIKI_TARGET)",
    ),
    (
        "--targets",
        Arity::Value(|o, v| {
            o.targets_file = Some(v.into());
            Ok(())
        }),
        "extra target registry file (env WIKIHARNESS_TARGETS)",
    ),
    (
        "--report-dir",
        Arity::Value(|o, v| {
            o.report_dir = Some(v.into());
            Ok(())
        }),
        "directory for run reports (default: target/wikiharness)",
    ),
    (
        "--team",
        Arity::Value(|o, v| {
            o.teams.push(v);
            Ok(())
        }),
        "only trials owned by this team (repeatable)",
    ),
    (
        "--suite",
        Arity::Value(|o, v| {
            o.suites.push(v);
            Ok(())
        }),
        "only trials of this suite and the suites below it (repeatable)",
    ),
    (
        "--skip-missing-credentials",
        Arity::Switch(|o| o.skip_missing_credentials = true),
        "skip trials whose credentials are not set instead of failing",
    ),
    (
        "--keep-wiki",
        Arity::Switch(|o| o.keep_wiki = true),
        "leave the local wiki running after the run",
    ),
    (
        "--shard",
        Arity::Value(|o, v| {
            o.shard = Some(v.parse()?);
            Ok(())
        }),
        "run shard K of N (e.g. 2/4); load trials run in every shard",
    ),
    (
        "--httpbb",
        Arity::Value(|o, v| {
            o.httpbb_files.push(v.into());
            Ok(())
        }),
        "extra httpbb YAML file to run (repeatable)",
    ),
    (
        "--httpbb-host",
        Arity::Value(|o, v| {
            o.httpbb.host = Some(v);
            Ok(())
        }),
        "connect httpbb requests to this host, keeping their Host header (httpbb's --host)",
    ),
    (
        "--httpbb-https-port",
        Arity::Value(|o, v| {
            o.httpbb.https_port = Some(number(&v)?);
            Ok(())
        }),
        "port for https:// base URLs (httpbb's --https_port; default 443)",
    ),
    (
        "--httpbb-http-port",
        Arity::Value(|o, v| {
            o.httpbb.http_port = Some(number(&v)?);
            Ok(())
        }),
        "port for http:// base URLs (httpbb's --http_port; default 80)",
    ),
    (
        "--httpbb-port",
        Arity::Value(|_, _| {
            Err("there is no --httpbb-port: give --httpbb-https-port or --httpbb-http-port (httpbb's --https_port, --http_port)".into())
        }),
        "(refused: use --httpbb-https-port / --httpbb-http-port)",
    ),
    (
        "--httpbb-retry-on-timeout",
        Arity::Switch(|o| o.httpbb.retry_on_timeout = true),
        "send a timed-out httpbb request once more (httpbb's --retry_on_timeout)",
    ),
    (
        "--baseline",
        Arity::Value(|o, v| {
            o.baseline = Some(v);
            Ok(())
        }),
        "diff mode: compare the target with this baseline target",
    ),
    (
        "--load",
        Arity::Switch(|o| o.load = true),
        "run the load scenarios (needs a target with allow_load)",
    ),
    (
        "--load-users",
        Arity::Value(|o, v| {
            o.load_users = Some(number(&v)?);
            Ok(())
        }),
        "simulated users per load scenario",
    ),
    (
        "--load-duration",
        Arity::Value(|o, v| {
            o.load_duration_secs = Some(number(&v)?);
            Ok(())
        }),
        "seconds per load scenario (at most 600)",
    ),
    (
        "--load-rps",
        Arity::Value(|o, v| {
            o.load_rps = Some(number(&v)?);
            Ok(())
        }),
        "requests per second cap (never above the target's max_rps)",
    ),
    (
        "--threshold",
        Arity::Value(|o, v| {
            wikiharness_record::load::Threshold::parse(&v)?;
            o.thresholds.push(v);
            Ok(())
        }),
        "k6-style rule for every load trial, e.g. \"p95 < 500ms\" (repeatable)",
    ),
    (
        "--keep-pages",
        Arity::Switch(|o| o.keep_pages = true),
        "do not delete the pages the run created",
    ),
];

/// One line per flag, for `--help`.
pub fn help() -> String {
    FLAGS
        .iter()
        .map(|(name, arity, help)| {
            let arg = match arity {
                Arity::Value(_) => format!("{name} VALUE"),
                Arity::Switch(_) => name.to_string(),
            };
            format!("  {arg:<30} {help}\n")
        })
        .collect()
}

/// Splits argv (program name first) into the harness's options and the
/// arguments for libtest-mimic. Environment fallbacks are applied by the caller.
pub fn split_args(
    args: impl IntoIterator<Item = String>,
) -> Result<(RunOptions, Vec<String>), SetupError> {
    let mut opts = RunOptions::default();
    let mut rest = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let Some((_, arity, _)) = FLAGS.iter().find(|(n, _, _)| *n == name) else {
            rest.push(arg);
            continue;
        };
        match arity {
            Arity::Switch(set) => {
                if inline.is_some() {
                    return Err(SetupError::Usage {
                        flag: name,
                        message: "takes no value".into(),
                    });
                }
                set(&mut opts);
            }
            Arity::Value(set) => {
                let value = match inline {
                    Some(v) => v,
                    None => args
                        .next()
                        .filter(|v| !v.starts_with("--"))
                        .ok_or_else(|| SetupError::Usage {
                            flag: name.clone(),
                            message: "needs a value".into(),
                        })?,
                };
                if value.trim().is_empty() {
                    return Err(SetupError::Usage {
                        flag: name,
                        message: "value is empty".into(),
                    });
                }
                set(&mut opts, value).map_err(|message| SetupError::Usage {
                    flag: name.clone(),
                    message,
                })?;
            }
        }
    }
    Ok((opts, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(args: &[&str]) -> Result<(RunOptions, Vec<String>), SetupError> {
        split_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn own_flags_are_removed_and_the_rest_kept_in_order() {
        let (o, rest) = split(&[
            "bin",
            "pageviews",
            "--target",
            "test2",
            "--exact",
            "--report-dir=out",
            "--team",
            "Editing",
            "--team=SRE",
            "--suite",
            "api",
            "--test-threads",
            "4",
            "--skip-missing-credentials",
            "--include-ignored",
        ])
        .unwrap();
        assert_eq!(o.target.as_deref(), Some("test2"));
        assert_eq!(o.report_dir, Some(PathBuf::from("out")));
        assert_eq!(o.teams, ["Editing", "SRE"]);
        assert_eq!(o.suites, ["api"]);
        assert!(o.skip_missing_credentials);
        assert_eq!(
            rest,
            [
                "bin",
                "pageviews",
                "--exact",
                "--test-threads",
                "4",
                "--include-ignored"
            ]
        );
    }

    #[test]
    fn missing_value_is_a_usage_error() {
        let err = split(&["bin", "--target"]).unwrap_err().to_string();
        assert_eq!(err, "command line: --target: needs a value");
        let err = split(&["bin", "--target", "--list"])
            .unwrap_err()
            .to_string();
        assert_eq!(err, "command line: --target: needs a value");
        let err = split(&["bin", "--target="]).unwrap_err().to_string();
        assert_eq!(err, "command line: --target: value is empty");
        let err = split(&["bin", "--keep-wiki=yes"]).unwrap_err().to_string();
        assert_eq!(err, "command line: --keep-wiki: takes no value");
    }

    #[test]
    fn libtest_args_pass_through_untouched() {
        let (o, rest) = split(&["bin", "--list", "--format", "terse", "--ignored"]).unwrap();
        assert_eq!(o, RunOptions::default());
        assert_eq!(rest, ["bin", "--list", "--format", "terse", "--ignored"]);
    }

    #[test]
    fn httpbb_flags_are_httpbbs_own() {
        let args = [
            "wiki",
            "--httpbb-host",
            "mw-web.discovery.wmnet",
            "--httpbb-https-port=4450",
            "--httpbb-retry-on-timeout",
        ];
        let (opts, rest) = split_args(args.map(String::from)).unwrap();
        assert!(rest == ["wiki"], "{rest:?}");
        assert_eq!(
            opts.httpbb,
            HttpbbConnect {
                host: Some("mw-web.discovery.wmnet".into()),
                https_port: Some(4450),
                http_port: None,
                retry_on_timeout: true,
            }
        );
        let err = split_args(["wiki", "--httpbb-port", "4450"].map(String::from)).unwrap_err();
        assert!(err.to_string().contains("--httpbb-https-port"), "{err}");
    }

    #[test]
    fn help_lists_every_flag() {
        let h = help();
        for (name, _, _) in FLAGS {
            assert!(h.contains(name));
        }
    }

    #[test]
    fn the_load_smoke_runs_only_without_load_on_targets_that_allow_it() {
        let reg = crate::target::Registry::load(&[wikiharness_record::paths::repo_root()
            .join("harness")
            .join("targets.toml")])
        .unwrap();
        let (local, test2) = (reg.get("local").unwrap(), reg.get("test2").unwrap());
        let default = RunOptions::default();
        assert_eq!(default.smoke_settings(local), local.load_smoke);
        assert!(local.load_smoke.is_some());
        assert_eq!(default.smoke_settings(test2), None, "production: no load");
        let full = split(&["bin", "--load"]).unwrap().0;
        assert_eq!(full.smoke_settings(local), None, "--load runs full size");
    }
}
