//! Targets: the wikis a run can point at, from TOML registry files.
//!
//! The repository's registry is `harness/targets.toml`; a user adds or
//! overrides targets in a file of their own (`--targets FILE` or
//! `WIKIHARNESS_TARGETS`). Each knob of a target lives in its own small
//! module below; this module holds the assembled [`Target`] and its URL
//! building.

mod accounts;
mod error_logs;
mod expect;
mod load_size;
mod raw;
mod registry;
mod replicas;
mod safety;
mod urls;
mod write_policy;

use std::collections::BTreeMap;
use std::path::PathBuf;

use regex::Regex;
use url::Url;

pub use accounts::{Account, AccountKind, CredentialSource, Credentials, MissingCredentials};
pub use error_logs::ErrorLogs;
pub use expect::{Expect, VersionRange};
pub use load_size::{LoadSettings, MAX_LOAD_DURATION};
pub use registry::{DEFAULT_TARGET, Registry};
pub use replicas::{ReplicaCount, Replicas};
pub use safety::{LOOPBACK_ONLY_ENV, is_loopback_url, loopback_only};
pub use urls::encode_title;
pub use write_policy::WritePolicy;

/// How the harness manages a target's servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Managed {
    /// Nobody: the wiki runs elsewhere.
    No,
    /// The embedded local wiki (`ci/local-wiki/wiki`), provisioned and started on demand.
    LocalWiki,
}

/// One wiki a run can be pointed at, validated.
#[derive(Debug, Clone)]
pub struct Target {
    /// Registry name (`local`, `test2`, ...).
    pub name: String,
    /// The registry file that defined it (for error messages).
    pub file: PathBuf,
    /// One line for humans.
    pub description: String,
    /// Scheme, host and port, no path (`https://test2.wikipedia.org`).
    pub base_url: Url,
    /// Where `index.php`, `api.php`, `rest.php` live (`/w`, or empty).
    pub script_path: String,
    /// Prefix of page URLs (`/wiki/`).
    pub article_path: String,
    /// Title of the main page.
    pub main_page: String,
    /// Headers added to every request (e.g. `X-Wikimedia-Debug`).
    pub headers: BTreeMap<String, String>,
    /// Accounts by role (`bot`, `user`, `user2`, `admin`).
    pub accounts: BTreeMap<String, Account>,
    /// Whether and where trials may write.
    pub write: WritePolicy,
    /// Cap on requests in flight to this target, across all trials.
    pub max_concurrent_requests: usize,
    /// `maxlag` sent on action API calls.
    pub maxlag: Option<u32>,
    /// Whether load scenarios may run against it.
    pub allow_load: bool,
    /// Whether the wiki's servers can fetch from the machine the harness runs
    /// on (upload by URL from the harness's stand-in for an outside service).
    pub reaches_harness: bool,
    /// Whether this is a public production wiki (stricter rules apply).
    pub production: bool,
    /// Expected serving backend (regex on `servedby` / `wgHostname`).
    pub serving_backend: Option<Regex>,
    /// Shellbox service URL, where the target exposes it.
    pub shellbox_url: Option<Url>,
    /// Whether the harness provisions and starts it.
    pub managed: Managed,
    /// What to do when a selected trial needs credentials that are not set.
    pub on_missing_credentials: MissingCredentials,
    /// Request timeout in seconds.
    pub timeout_secs: u64,
    /// How long trials wait for back-end effects (jobs run, deferred updates,
    /// search index) before they fail.
    pub effect_deadline: std::time::Duration,
    /// Which local-wiki service serves a managed target (`web` or `legacy`).
    pub local_service: String,
    /// Default size of load scenarios; `max_rps` is also the cap flags cannot exceed.
    pub load: LoadSettings,
    /// Size of the load smoke the default job runs (`load.smoke`), if any;
    /// only targets that allow load run it.
    pub load_smoke: Option<LoadSettings>,
    /// Largest ratio of readers' p95 beside job and Shellbox load to their
    /// p95 alone (`load.contention_ratio`).
    pub contention_ratio: f64,
    /// What the wiki must say about itself (config sanity).
    pub expect: Expect,
    /// Where its servers log errors, and the budget; `None` when not named.
    pub error_logs: Option<ErrorLogs>,
    /// The replicas its front end balances over; `None` when not named.
    pub replicas: Option<Replicas>,
}

impl Target {
    /// `…/api.php`.
    pub fn api_url(&self) -> Url {
        self.script_url("api.php")
    }

    /// `…/index.php`.
    pub fn index_url(&self) -> Url {
        self.script_url("index.php")
    }

    /// `…/load.php`.
    pub fn load_url(&self) -> Url {
        self.script_url("load.php")
    }

    /// `…/rest.php` followed by `route` (which starts with `/`, e.g.
    /// `/v1/page/Foo` or `/v1/search/page?q=x`).
    pub fn rest_url(&self, route: &str) -> Url {
        let mut url = self.script_url("rest.php");
        let (path, query) = route
            .split_once('?')
            .map_or((route, None), |(p, q)| (p, Some(q)));
        url.set_path(&format!("{}{}", url.path(), path));
        url.set_query(query);
        url
    }

    /// A file under the script path (`skins/Vector/...`), or the entry point `name`.
    pub fn script_url(&self, name: &str) -> Url {
        let mut url = self.base_url.clone();
        url.set_path(&format!(
            "{}/{}",
            self.script_path,
            name.trim_start_matches('/')
        ));
        url
    }

    /// The page URL of `title` under the article path.
    pub fn article_url(&self, title: &str) -> Url {
        let mut url = self.base_url.clone();
        // set_path would re-encode; the title is already encoded MediaWiki's way.
        url.set_path(&format!("{}{}", self.article_path, encode_title(title)));
        url
    }

    /// A URL on the target's host: `path` may carry a query string.
    pub fn url(&self, path_and_query: &str) -> Url {
        self.base_url
            .join(path_and_query)
            .unwrap_or_else(|_| self.base_url.clone())
    }

    /// Whether the target is on this machine.
    pub fn is_loopback(&self) -> bool {
        is_loopback_url(&self.base_url)
    }
}

#[cfg(test)]
mod tests;
