//! `write`: whether trials may edit the target, and where.

/// Where trials may write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WritePolicy {
    /// No edits at all: write trials are skipped.
    ReadOnly,
    /// Edits only to pages under `prefix` (placeholders `{run_id}` and `{user}`).
    Sandbox {
        /// Title prefix, e.g. `Wikiharness/{run_id}/`.
        prefix: String,
    },
}

impl WritePolicy {
    /// Parses the `write.policy` / `write.prefix` pair.
    pub fn parse(policy: &str, prefix: Option<&str>) -> Result<Self, (String, String)> {
        match (policy, prefix) {
            ("read-only", _) => Ok(WritePolicy::ReadOnly),
            ("sandbox", Some(p)) if p.contains("{run_id}") => Ok(WritePolicy::Sandbox {
                prefix: p.to_owned(),
            }),
            ("sandbox", Some(_)) => Err((
                "prefix".into(),
                "must contain `{run_id}` so that runs never write to the same pages".into(),
            )),
            ("sandbox", None) => Err((
                "prefix".into(),
                "missing: a sandbox policy needs a page prefix such as \"Wikiharness/{run_id}/\""
                    .into(),
            )),
            (other, _) => Err((
                "policy".into(),
                format!("`{other}` is not one of `read-only`, `sandbox`"),
            )),
        }
    }

    /// The page prefix for a run, or `None` when writing is not allowed.
    pub fn prefix_for(&self, run_id: &str, user: Option<&str>) -> Option<String> {
        match self {
            WritePolicy::ReadOnly => None,
            WritePolicy::Sandbox { prefix } => Some(
                prefix
                    .replace("{run_id}", run_id)
                    .replace("{user}", user.unwrap_or("Wikiharness")),
            ),
        }
    }
}
