//! Deleting the pages a run created, where an account has the right.

use wikiharness_record::Cleanup;

use crate::client::api::str_at;
use crate::context::RunShared;
use crate::error::ClientError;

/// Accounts tried for deleting, in order.
const DELETERS: &[&str] = &["admin", "bot"];

/// Deletes every page registered by the run's trials.
pub async fn delete_created(run: &RunShared) -> Cleanup {
    let pages = run.created_pages();
    let mut report = Cleanup {
        pages: pages.len(),
        ..Cleanup::default()
    };
    if pages.is_empty() {
        return report;
    }
    let Some((role, creds)) = DELETERS
        .iter()
        .find_map(|r| run.credentials(r).ok().map(|c| (*r, c)))
    else {
        report.skipped = Some(format!(
            "no account of roles {DELETERS:?} is configured for target `{}`",
            run.target.name
        ));
        return report;
    };
    let session = match run.session(None) {
        Ok(s) => s,
        Err(e) => {
            report.skipped = Some(e.to_string());
            return report;
        }
    };
    if let Err(e) = session.login(&creds).await {
        report.skipped = Some(format!("login as `{role}` failed: {e}"));
        return report;
    }
    let token = match session.token("csrf").await {
        Ok(t) => t,
        Err(e) => {
            report.skipped = Some(format!("no CSRF token: {e}"));
            return report;
        }
    };
    // All at once: the session's limiter keeps to the target's
    // max_concurrent_requests.
    let reason = format!("wikiharness run {} clean-up", run.run_id);
    let mut deletions = tokio::task::JoinSet::new();
    for title in pages {
        let (session, token, reason) = (session.clone(), token.clone(), reason.clone());
        deletions.spawn(async move {
            let answer = session
                .api_post(&[
                    ("action", "delete"),
                    ("title", &title),
                    ("reason", &reason),
                    ("token", &token),
                ])
                .await;
            (title, answer)
        });
    }
    while let Some(done) = deletions.join_next().await {
        let Ok((title, answer)) = done else {
            report.failures.push("a deletion task panicked".into());
            continue;
        };
        match answer {
            Ok(v) if str_at(&v, &["delete", "title"]).is_some() => report.deleted += 1,
            Ok(v) => report
                .failures
                .push(format!("{title}: unexpected answer {v}")),
            Err(ClientError::Api { code, .. }) if code == "missingtitle" => report.deleted += 1,
            Err(ClientError::Api { code, info, .. }) if code == "permissiondenied" => {
                report.skipped = Some(format!("account `{role}` may not delete pages: {info}"));
            }
            Err(e) => report.failures.push(format!("{title}: {e}")),
        }
    }
    report.failures.sort();
    report
}
