//! httpbb suites: the YAML files under `suites/httpbb/` (and `--httpbb FILE`),
//! run unchanged against the target: each request goes to the target's address
//! (or `--httpbb-host` / `--httpbb-port`) with the file's host as Host header.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use reqwest::Method;
use url::Url;
use wikiharness_harness::checks::Vars;
use wikiharness_harness::checks::httpbb::{HttpbbCase, HttpbbFile};
use wikiharness_harness::client::Request;
use wikiharness_harness::datafile::DataFile;
use wikiharness_harness::{Capability, SetupError, TrialCx, TrialError, TrialSpec};

/// Where the httpbb connections go, overriding the target's address.
#[derive(Debug, Clone, Default)]
pub struct Connect {
    /// `--httpbb-host`.
    pub host: Option<String>,
    /// `--httpbb-port`.
    pub port: Option<u16>,
}

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
pub fn trials(files: &[PathBuf], connect: &Connect) -> Result<Vec<TrialSpec>, SetupError> {
    let mut trials = Vec::new();
    for file in files {
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = HttpbbFile::load(file)?;
        let mut n = 0;
        for (base, cases) in parsed.hosts {
            let host = base.host_str().unwrap_or_default().to_owned();
            for case in cases {
                n += 1;
                let (case, base, connect) = (Arc::new(case), base.clone(), connect.clone());
                let name = format!("{n:02} {host}{}", case.path);
                trials.push(
                    TrialSpec::build(&format!("httpbb::{stem}"), &name)
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

/// The address to connect to: the override, else the target's.
async fn connect_addr(cx: &TrialCx, connect: &Connect) -> Result<SocketAddr, TrialError> {
    let target = &cx.target().base_url;
    let host = connect
        .host
        .clone()
        .unwrap_or_else(|| target.host_str().unwrap_or("127.0.0.1").to_owned());
    let port = connect
        .port
        .or(target.port_or_known_default())
        .unwrap_or(443);
    tokio::net::lookup_host((host.as_str(), port))
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| TrialError::fail(format!("cannot resolve {host}:{port}")))
}

async fn run_case(
    cx: TrialCx,
    base: &Url,
    case: &HttpbbCase,
    connect: &Connect,
) -> Result<(), TrialError> {
    let addr = connect_addr(&cx, connect).await?;
    let host = base.host_str().unwrap_or_default();
    // The target's scheme is used for the connection (a local target speaks plain HTTP).
    let mut url = Url::parse(&format!(
        "{}://{host}:{}{}",
        cx.target().base_url.scheme(),
        addr.port(),
        case.path
    ))
    .map_err(|e| TrialError::fail(format!("bad URL for {}: {e}", case.path)))?;
    url.set_fragment(None);
    let method = case
        .method
        .as_deref()
        .map(|m| Method::from_bytes(m.as_bytes()))
        .transpose()
        .map_err(|e| TrialError::fail(e.to_string()))?
        .unwrap_or(Method::GET);
    let mut req = match (&case.form_body, &case.json_body) {
        (Some(form), _) => Request::post_form(url, &form.iter().collect::<Vec<_>>()),
        (None, Some(json)) => Request::json(method.clone(), url, json.clone()),
        (None, None) => Request::get(url),
    }
    .no_redirects()
    .header("Host", host);
    req.method = method;
    for (k, v) in &case.request_headers {
        req = req.header(k, v);
    }
    let overridden = connect.host.is_some() || connect.port.is_some();
    let session = cx.resolving_session(host, addr, !overridden)?;
    let fetched = session.send(req).await?;
    case.assertions()
        .check(&fetched, &Vars::for_target(cx.target()))
        .map_err(TrialError::Failed)
}
