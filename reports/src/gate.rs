//! The CI gate: which opted-in teams are "not ready" in a `results.json`.

use std::path::Path;

use wikiharness_record::FileError;

/// Names of the teams in `teams` whose verdict is `not-ready` in the results file.
/// Blank names are no team (CI passes `--team "$GATE_TEAMS"`, empty when no
/// team opted in). An opted-in team missing from the results is an error (a
/// typo would otherwise silently pass the gate).
pub fn not_ready(results: &Path, teams: &[String]) -> Result<Vec<String>, FileError> {
    let text = std::fs::read_to_string(results).map_err(FileError::io(results))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| FileError::Invalid {
        file: results.to_owned(),
        line: Some(e.line()),
        message: e.to_string(),
    })?;
    let listed: Vec<(String, String)> = v["teams"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|t| {
                    (
                        t["name"].as_str().unwrap_or_default().to_owned(),
                        t["verdict"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for team in opted_in(teams) {
        let Some((_, verdict)) = listed.iter().find(|(n, _)| n.eq_ignore_ascii_case(team)) else {
            let known: Vec<&str> = listed.iter().map(|t| t.0.as_str()).collect();
            return Err(FileError::invalid(
                results,
                None,
                format!(
                    "--team: no team `{team}` here (teams: {})",
                    known.join(", ")
                ),
            ));
        };
        if verdict == "not-ready" {
            out.push(team.to_owned());
        }
    }
    Ok(out)
}

/// The team names of `--team` values, without blanks and surrounding spaces.
pub fn opted_in(teams: &[String]) -> impl Iterator<Item = &str> {
    teams.iter().map(|t| t.trim()).filter(|t| !t.is_empty())
}
