//! `accounts`: which credentials a target offers, and where to read them.
//!
//! The registry never holds a password: it names environment variables. For
//! the managed local wiki the values also come from the wiki's own
//! `credentials.env` (written at provisioning); the environment wins.

use std::collections::BTreeMap;
use std::path::Path;

use crate::redact::Secret;

/// How an account logs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    /// A bot password (`User@App`), used with `action=login`; API and REST only.
    BotPassword,
    /// A main account, used with `clientlogin` and the login form.
    Main,
}

impl AccountKind {
    pub(super) fn parse(s: &str) -> Option<Self> {
        match s {
            "bot-password" => Some(AccountKind::BotPassword),
            "main" => Some(AccountKind::Main),
            _ => None,
        }
    }
}

/// An account role of a target: names of the variables holding its credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Role name (`bot`, `user`, `user2`, `admin`).
    pub role: String,
    /// How it logs in.
    pub kind: AccountKind,
    /// Variable holding the user name.
    pub user_env: String,
    /// Variable holding the password.
    pub password_env: String,
}

/// A user name and password, ready to log in.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Login name (`Admin@wikiharness` for a bot password).
    pub user: String,
    /// Password; never printed.
    pub password: Secret,
    /// How to log in.
    pub kind: AccountKind,
}

impl Credentials {
    /// The account's user name without a bot-password suffix (`Admin@app` → `Admin`).
    pub fn wiki_user(&self) -> &str {
        match self.kind {
            AccountKind::BotPassword => self.user.split('@').next().unwrap_or(&self.user),
            AccountKind::Main => &self.user,
        }
    }
}

/// What a run does when a selected trial needs credentials that are not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingCredentials {
    /// Stop with an error naming the variable (default).
    Error,
    /// Skip the trial with that reason.
    Skip,
}

/// Where credential values come from: the process environment, then a
/// `KEY=VALUE` file (the local wiki's `credentials.env`).
#[derive(Debug, Default, Clone)]
pub struct CredentialSource {
    file_values: BTreeMap<String, String>,
}

impl CredentialSource {
    /// Only the environment.
    pub fn env_only() -> Self {
        Self::default()
    }

    /// The environment, then the `KEY=VALUE` lines of `path`.
    pub fn with_file(path: &Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        Ok(Self::from_pairs(&text))
    }

    /// Parses `KEY=VALUE` lines (comments and blank lines ignored).
    pub fn from_pairs(text: &str) -> Self {
        let file_values = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
            .collect();
        CredentialSource { file_values }
    }

    /// The values read from the file, e.g. to hand on to a child process.
    pub fn file_values(&self) -> &BTreeMap<String, String> {
        &self.file_values
    }

    /// The value of `var`, if set and non-empty.
    pub fn get(&self, var: &str) -> Option<String> {
        std::env::var(var)
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| self.file_values.get(var).filter(|v| !v.is_empty()).cloned())
    }

    /// Resolves an account, or names the first missing variable and its field.
    pub fn resolve(&self, account: &Account) -> Result<Credentials, (&'static str, String)> {
        let user = self
            .get(&account.user_env)
            .ok_or(("user_env", account.user_env.clone()))?;
        let password = self
            .get(&account.password_env)
            .ok_or(("password_env", account.password_env.clone()))?;
        Ok(Credentials {
            user,
            password: Secret::new(password),
            kind: account.kind,
        })
    }
}
