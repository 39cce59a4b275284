//! The User-Agent, in the Wikimedia policy format:
//! `name/version (contact) library/version`.

/// Environment variable holding the operator's contact (URL or e-mail).
pub const CONTACT_ENV: &str = "WIKIHARNESS_CONTACT";

/// Contact used when `WIKIHARNESS_CONTACT` is not set.
pub const DEFAULT_CONTACT: &str = "https://www.mediawiki.org/wiki/Wikiharness";

/// The User-Agent for this build.
pub fn user_agent() -> String {
    let contact = std::env::var(CONTACT_ENV)
        .ok()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_CONTACT.to_owned());
    format!(
        "wikiharness/{} ({contact}) reqwest/0.13",
        env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn follows_the_policy_shape() {
        let ua = super::user_agent();
        let re =
            regex::Regex::new(r"^wikiharness/\d+\.\d+\.\d+ \([^)]+\) reqwest/\d+\.\d+$").unwrap();
        assert!(re.is_match(&ua), "{ua}");
    }
}
