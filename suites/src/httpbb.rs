//! httpbb suites: the YAML files under `suites/httpbb/` (and `--httpbb FILE`),
//! run unchanged with httpbb's semantics. Each base URL's host is the Host
//! header; the connection goes to the target's address, or where the
//! `--httpbb-*` flags say ([`HttpbbConnect`], [`Route`]).

use std::path::PathBuf;
use std::sync::Arc;

use url::Url;
use wikiharness_harness::checks::Vars;
use wikiharness_harness::checks::httpbb::{self, HttpbbCase, HttpbbFile, Route};
use wikiharness_harness::cli::HttpbbConnect;
use wikiharness_harness::datafile::DataFile;
use wikiharness_harness::{Capability, SetupError, TrialCx, TrialError, TrialSpec};

/// The repository's httpbb files.
pub fn default_files() -> Vec<PathBuf> {
    let dir = wikiharness_record::paths::repo_root()
        .join("suites")
        .join("httpbb");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// One trial per case of every file.
pub fn trials(files: &[PathBuf], connect: &HttpbbConnect) -> Result<Vec<TrialSpec>, SetupError> {
    let mut trials = Vec::new();
    for (file, suite) in files.iter().zip(suite_names(files)) {
        let parsed = HttpbbFile::load(file)?;
        let mut n = 0;
        for (base, cases) in parsed.hosts {
            let host = base.host_str().unwrap_or_default().to_owned();
            for case in cases {
                n += 1;
                let (case, base, connect) = (Arc::new(case), base.clone(), connect.clone());
                let name = format!("{n:02} {host}{}", case.path);
                trials.push(
                    TrialSpec::build(&format!("httpbb::{suite}"), &name)
                        .needs(Capability::Read)
                        .run(move |cx| {
                            let (case, base, connect) =
                                (case.clone(), base.clone(), connect.clone());
                            async move { run_case(cx, &base, &case, &connect).await }
                        }),
                );
            }
        }
    }
    Ok(trials)
}

/// A suite name per file, unique among `files`: the file's stem, with as many
/// of its parent folders as tell it apart from another file of the same stem
/// (`appserver/test_main`, `wikifunctions/test_main`).
pub fn suite_names(files: &[PathBuf]) -> Vec<String> {
    let parts: Vec<Vec<String>> = files
        .iter()
        .map(|f| {
            let f = f.with_extension("");
            f.components()
                .rev()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .collect();
    let mut depth = vec![1; files.len()];
    let name = |i: usize, d: usize| -> String {
        let mut p: Vec<&str> = parts[i].iter().take(d).map(String::as_str).collect();
        p.reverse();
        p.join("/")
    };
    loop {
        let names: Vec<String> = (0..files.len()).map(|i| name(i, depth[i])).collect();
        let mut grew = false;
        for i in 0..files.len() {
            let clash = (0..files.len()).any(|j| j != i && names[j] == names[i]);
            if clash && depth[i] < parts[i].len() {
                depth[i] += 1;
                grew = true;
            }
        }
        if !grew {
            return names;
        }
    }
}

async fn run_case(
    cx: TrialCx,
    base: &Url,
    case: &HttpbbCase,
    connect: &HttpbbConnect,
) -> Result<(), TrialError> {
    let route = Route::of(&cx.target().base_url, connect, base);
    let addr = tokio::net::lookup_host((route.connect_host.as_str(), route.port))
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            TrialError::fail(format!(
                "cannot resolve {}:{}",
                route.connect_host, route.port
            ))
        })?;
    let host = base.host_str().unwrap_or_default();
    let req = route.request(base, case).map_err(TrialError::fail)?;
    let session = cx.httpbb_session(host, addr, !connect.elsewhere())?;
    let (fetched, retried) = httpbb::send(&session, req, connect.retry_on_timeout).await;
    if retried {
        cx.note("timed out once; sent again (--httpbb-retry-on-timeout)");
    }
    let mut fetched = fetched?;
    fetched.url = route.shown(base, &case.path);
    case.assertions()
        .check(&fetched, &Vars::for_target(cx.target()))
        .map_err(TrialError::Failed)
}
