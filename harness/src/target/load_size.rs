//! `load`: the size of load scenarios, for the full run (`--load`) and for
//! the smoke run of the default job (`load.smoke`).

use std::time::Duration;

use super::raw::{RawLoad, RawSmoke};

/// Longest attack allowed, whatever the settings say.
pub const MAX_LOAD_DURATION: Duration = Duration::from_secs(600);

/// How big and how long an attack is.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadSettings {
    /// Simulated users.
    pub users: usize,
    /// How long the attack runs once every user has started.
    pub duration: Duration,
    /// Cap on requests per second for the whole attack.
    pub max_rps: Option<u32>,
}

impl LoadSettings {
    /// The pacing each user is meant to keep, in µs (for coordinated-omission
    /// correction): users / rate.
    pub fn expected_interval_us(&self) -> Option<u64> {
        self.max_rps
            .filter(|r| *r > 0)
            .map(|r| (self.users as f64 / r as f64 * 1e6) as u64)
    }
}

/// Defaults that fit a 2-core machine against the local wiki.
const DEFAULT_USERS: usize = 4;
const DEFAULT_SECS: u64 = 8;
const DEFAULT_RPS: u32 = 40;

/// The full-size settings and, when the target names one, the smoke size
/// (capped by the same `max_rps`). Errors name the field under `load.`.
pub(super) fn parse(
    raw: Option<&RawLoad>,
) -> Result<(LoadSettings, Option<LoadSettings>), (String, String)> {
    let users = raw.and_then(|l| l.users).unwrap_or(DEFAULT_USERS);
    let secs = raw.and_then(|l| l.duration_secs).unwrap_or(DEFAULT_SECS);
    let rps = raw.and_then(|l| l.max_rps).unwrap_or(DEFAULT_RPS);
    if rps == 0 {
        return Err(("max_rps".into(), "must be at least 1".into()));
    }
    let full = sized(users, secs, rps).map_err(|(f, m)| (f.to_owned(), m))?;
    let smoke = raw
        .and_then(|l| l.smoke.as_ref())
        .map(|s: &RawSmoke| sized(s.users, s.duration_secs, rps))
        .transpose()
        .map_err(|(f, m)| (format!("smoke.{f}"), m))?;
    Ok((full, smoke))
}

fn sized(users: usize, secs: u64, rps: u32) -> Result<LoadSettings, (&'static str, String)> {
    if users == 0 || users > 1000 {
        return Err(("users", format!("{users} is not between 1 and 1000")));
    }
    if secs == 0 || secs > MAX_LOAD_DURATION.as_secs() {
        return Err((
            "duration_secs",
            format!(
                "{secs} is not between 1 and {}",
                MAX_LOAD_DURATION.as_secs()
            ),
        ));
    }
    Ok(LoadSettings {
        users,
        duration: Duration::from_secs(secs),
        max_rps: Some(rps),
    })
}
