//! Concurrency (not load): simultaneous edits to one page lose nothing,
//! simultaneous creates all succeed, simultaneous logins stay separate.

use std::time::Duration;

use wikiharness_harness::client::Session;
use wikiharness_harness::{Capability, TrialCx, TrialError, TrialSpec, ensure};

use crate::support::wiki;

/// Distinct accounts for the concurrent editors (an editor conflicting with
/// itself is not a conflict to MediaWiki, so each editor is another user).
pub const EDITORS: &[&str] = &["bot", "user", "user2", "admin"];
/// Lines each editor appends.
const LINES_EACH: usize = 2;
/// Attempts per line before giving up.
const MAX_ATTEMPTS: usize = 25;

/// The concurrency trials.
pub fn trials() -> Vec<TrialSpec> {
    let t = |check: &str| TrialSpec::build("concurrency", check);
    let mut appends = t("simultaneous_edits_lose_nothing")
        .needs(Capability::Write)
        .timeout(Duration::from_secs(240));
    for role in EDITORS {
        appends = appends.account(role);
    }
    let mut logins = t("simultaneous_logins_stay_separate");
    for role in EDITORS {
        logins = logins.account(role);
    }
    vec![
        appends.run(|cx| async move { appends_lose_nothing(cx, LINES_EACH).await }),
        t("simultaneous_creates_all_succeed")
            .needs(Capability::Write)
            .account("bot")
            .run(|cx| async move {
                let bot = cx.login("bot").await?;
                let titles: Vec<String> = (1..=8)
                    .map(|i| cx.sandbox_title(&format!("Parallel create {i}")))
                    .collect::<Result<_, _>>()?;
                let tasks: Vec<_> = titles
                    .iter()
                    .map(|title| {
                        let (cx, bot, title) = (cx.clone(), bot.clone(), title.clone());
                        tokio::spawn(async move {
                            let text = format!("Created in parallel, run {}: {title}", cx.run_id());
                            wiki::edit(&cx, &bot, &title, &text, &[("createonly", "1")]).await
                        })
                    })
                    .collect();
                for (title, task) in titles.iter().zip(tasks) {
                    task.await
                        .map_err(|e| TrialError::fail(e.to_string()))?
                        .map_err(|e| e.context(&format!("create of [[{title}]]")))?;
                }
                for title in &titles {
                    let (text, _) = wiki::current(&bot, title).await?.ok_or_else(|| {
                        TrialError::fail(format!("[[{title}]] missing after its create succeeded"))
                    })?;
                    ensure!(
                        text.ends_with(title.as_str()),
                        "[[{title}]] holds another page's text: {text:?}"
                    );
                }
                Ok(())
            }),
        logins.run(|cx| async move { logins_stay_separate(cx, 2).await }),
    ]
}

/// Each of the [`EDITORS`] appends `lines_each` lines to one page at the same
/// time; every accepted line must be in the final text, one revision each.
pub async fn appends_lose_nothing(cx: TrialCx, lines_each: usize) -> Result<(), TrialError> {
    let title = cx.sandbox_title("Concurrent appends")?;
    let mut editors = Vec::new();
    for role in EDITORS {
        editors.push((role.to_string(), cx.login(role).await?));
    }
    wiki::edit(
        &cx,
        &editors[0].1,
        &title,
        &format!("Concurrent appends, run {}.", cx.run_id()),
        &[],
    )
    .await?;
    let tasks: Vec<_> = editors
        .into_iter()
        .map(|(role, s)| {
            let (cx, title) = (cx.clone(), title.clone());
            tokio::spawn(async move {
                let mut accepted = Vec::new();
                let mut conflicts = 0;
                for n in 0..lines_each {
                    let line = format!("line {n} from {role}");
                    conflicts += append_with_retry(&cx, &s, &title, &line).await?;
                    accepted.push(line);
                }
                Ok::<_, TrialError>((accepted, conflicts))
            })
        })
        .collect();
    let mut accepted = Vec::new();
    let mut conflicts = 0;
    for t in tasks {
        let (lines, c) = t.await.map_err(|e| TrialError::fail(e.to_string()))??;
        accepted.extend(lines);
        conflicts += c;
    }
    cx.figure("edit_conflicts_retried", conflicts as f64, "conflicts");
    let reader = cx.session()?;
    let (text, _) = wiki::current(&reader, &title)
        .await?
        .ok_or_else(|| TrialError::fail("page missing"))?;
    let times = |line: &str| text.lines().filter(|t| *t == line).count();
    let lost: Vec<_> = accepted.iter().filter(|l| times(l) == 0).collect();
    ensure!(
        lost.is_empty(),
        "lost update: accepted edits {lost:?} are not in the final text"
    );
    let twice: Vec<_> = accepted.iter().filter(|l| times(l) > 1).collect();
    ensure!(
        twice.is_empty(),
        "saved twice: accepted edits {twice:?} are in the final text more than once"
    );
    let revisions = wiki::revision_count(&reader, &title).await?;
    ensure!(
        revisions == accepted.len() + 1,
        "{revisions} revisions for {} accepted edits plus the creation",
        accepted.len()
    );
    Ok(())
}

/// Appends `line` with the base revision it was computed from; retries on
/// the API error `editconflict`. Returns the number of conflicts met.
async fn append_with_retry(
    cx: &TrialCx,
    s: &Session,
    title: &str,
    line: &str,
) -> Result<usize, TrialError> {
    for attempt in 0..MAX_ATTEMPTS {
        let (text, base) = wiki::current(s, title)
            .await?
            .ok_or_else(|| TrialError::fail("page missing"))?;
        let base = base.to_string();
        let outcome = wiki::edit_or_conflict(
            cx,
            s,
            title,
            &format!("{text}\n{line}"),
            &[("baserevid", &base), ("nocreate", "1")],
        )
        .await?;
        if let wiki::EditOutcome::Saved(_) = outcome {
            return Ok(attempt);
        }
    }
    Err(TrialError::fail(format!(
        "`{line}` still conflicted after {MAX_ATTEMPTS} attempts"
    )))
}

/// Logs every one of the [`EDITORS`] in `sessions_each` times at once; each
/// session must then be seen by the wiki as its own user.
pub async fn logins_stay_separate(cx: TrialCx, sessions_each: usize) -> Result<(), TrialError> {
    let mut tasks = Vec::new();
    for role in EDITORS
        .iter()
        .flat_map(|r| std::iter::repeat_n(*r, sessions_each))
    {
        let cx = cx.clone();
        tasks.push(tokio::spawn(async move {
            let s = cx.login(role).await?;
            let expected = cx.credentials(role)?.wiki_user().to_owned();
            Ok::<_, TrialError>((s, expected))
        }));
    }
    let mut sessions = Vec::new();
    for t in tasks {
        sessions.push(t.await.map_err(|e| TrialError::fail(e.to_string()))??);
    }
    let checks: Vec<_> = sessions
        .into_iter()
        .map(|(s, expected)| tokio::spawn(async move { (wiki::whoami(&s).await, expected) }))
        .collect();
    for c in checks {
        let (seen, expected) = c.await.map_err(|e| TrialError::fail(e.to_string()))?;
        let seen = seen?;
        ensure!(
            seen == expected,
            "a session logged in as `{expected}` is seen as `{seen}`: sessions are mixed up"
        );
    }
    Ok(())
}
