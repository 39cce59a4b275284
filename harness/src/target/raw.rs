//! The on-disk shape of a target, before validation.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A target table as written in a registry file. Every field is optional here
/// because `extends` may supply it; [`super::registry`] checks what is required.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    pub description: Option<String>,
    pub base_url: Option<String>,
    pub script_path: Option<String>,
    pub article_path: Option<String>,
    pub main_page: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub accounts: BTreeMap<String, RawAccount>,
    pub write: Option<RawWrite>,
    pub max_concurrent_requests: Option<usize>,
    pub maxlag: Option<u32>,
    pub allow_load: Option<bool>,
    pub reaches_harness: Option<bool>,
    pub production: Option<bool>,
    pub serving_backend: Option<String>,
    pub shellbox_url: Option<String>,
    pub managed: Option<String>,
    pub on_missing_credentials: Option<String>,
    pub timeout_secs: Option<u64>,
    pub effect_deadline_secs: Option<u64>,
    pub load: Option<RawLoad>,
    pub local_service: Option<String>,
    pub expect: Option<RawExpect>,
    pub error_logs: Option<RawErrorLogs>,
    pub replicas: Option<RawReplicas>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawReplicas {
    pub count: Option<usize>,
    pub min: Option<usize>,
    pub identity: Option<String>,
    pub reads: Option<u32>,
    pub failures_allowed: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExpect {
    pub wikiid: Option<String>,
    pub sitename: Option<String>,
    pub mediawiki: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawErrorLogs {
    pub source: String,
    pub budget: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLoad {
    pub users: Option<usize>,
    pub duration_secs: Option<u64>,
    pub max_rps: Option<u32>,
    pub smoke: Option<RawSmoke>,
    pub contention_ratio: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmoke {
    pub users: usize,
    pub duration_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccount {
    pub kind: String,
    pub user_env: String,
    pub password_env: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWrite {
    pub policy: String,
    pub prefix: Option<String>,
}
