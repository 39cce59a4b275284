//! Contention: do the services contest for the same resources? The readers'
//! attack runs alone, then again while job-heavy work (template edits that
//! fan out refreshLinks jobs) and Shellbox-heavy work (SyntaxHighlight
//! renders) run beside it; the ratio of the two p95s is judged against the
//! target's `load.contention_ratio`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wikiharness_harness::target::LoadSettings;
use wikiharness_harness::{TrialCx, TrialError, TrialOutcome, ensure};
use wikiharness_record::load::Threshold;

use super::scenarios;
use crate::support::{titles, wiki};

/// Pages transcluding the background's template.
const BACKGROUND_PAGES: usize = 4;
/// Pause between the background's template edits.
const EDIT_PAUSE: Duration = Duration::from_millis(200);
/// Background tasks rendering through Shellbox at once.
const RENDERERS: usize = 2;

/// Readers alone, then beside the background; fails above the target's ratio.
pub(super) async fn readers_beside_jobs_and_shellbox(
    cx: TrialCx,
    settings: LoadSettings,
    thresholds: Vec<Threshold>,
) -> TrialOutcome {
    let alone = scenarios::readers(cx.clone(), settings.clone()).await?;
    let background = Background::start(&cx).await?;
    let beside = scenarios::readers(cx.clone(), settings).await;
    let (edits, renders) = background.stop().await?;
    let beside = beside?;
    let (p95_alone, p95_beside) = (alone.total.raw.p95, beside.total.raw.p95);
    let ratio = p95_beside / p95_alone.max(1.0);
    cx.figure("readers p95 alone", p95_alone, "ms");
    cx.figure("readers p95 beside jobs and Shellbox", p95_beside, "ms");
    cx.figure("contention ratio", ratio, "x");
    cx.note(format!(
        "beside the readers: {edits} template edits (refreshLinks fan-out to {BACKGROUND_PAGES} pages) and {renders} SyntaxHighlight renders through Shellbox"
    ));
    super::judge(&cx, beside, &thresholds)?;
    ensure!(
        edits > 0 && renders > 0,
        "the background sent {edits} edits and {renders} renders: no contention was made"
    );
    let limit = cx.target().contention_ratio;
    ensure!(
        ratio < limit,
        "readers' p95 beside job and Shellbox load is {ratio:.1}× their p95 alone ({p95_beside:.0} ms vs {p95_alone:.0} ms), above the target's limit of {limit}× (load.contention_ratio in {})",
        cx.target().file.display()
    );
    Ok(())
}

/// Job-heavy and Shellbox-heavy work, running until stopped.
struct Background {
    stop: Arc<AtomicBool>,
    edits: tokio::task::JoinHandle<Result<u64, TrialError>>,
    renders: Vec<tokio::task::JoinHandle<Result<u64, TrialError>>>,
}

impl Background {
    /// Sets up a template transcluded by a few pages and starts the work.
    async fn start(cx: &TrialCx) -> Result<Self, TrialError> {
        let bot = cx.login("bot").await?;
        let template = titles::in_namespace(cx, "Template", "Contention")?;
        wiki::edit(
            cx,
            &bot,
            &template,
            &format!("contention 0 of run {}", cx.run_id()),
            &[],
        )
        .await?;
        for i in 1..=BACKGROUND_PAGES {
            let page = cx.sandbox_title(&format!("Contention page {i}"))?;
            wiki::edit(cx, &bot, &page, &format!("{{{{{template}}}}}"), &[]).await?;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let edits = {
            let (cx, bot, stop, template) =
                (cx.clone(), bot.clone(), stop.clone(), template.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let text = format!("contention {n} of run {}", cx.run_id());
                    wiki::edit(&cx, &bot, &template, &text, &[]).await?;
                    tokio::time::sleep(EDIT_PAUSE).await;
                }
                Ok(n)
            })
        };
        let renders = (0..RENDERERS)
            .map(|r| {
                let (cx, stop) = (cx.clone(), stop.clone());
                tokio::spawn(async move {
                    let session = cx.session()?;
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let code = format!(
                            "<syntaxhighlight lang=\"python\">def f_{}_{r}_{n}(x):\n    return x</syntaxhighlight>",
                            cx.run_id().replace('-', "_")
                        );
                        wiki::parse(&session, "Contention", &code).await?;
                    }
                    Ok(n)
                })
            })
            .collect();
        Ok(Background {
            stop,
            edits,
            renders,
        })
    }

    /// Stops the work; the template edits and renders it made.
    async fn stop(self) -> Result<(u64, u64), TrialError> {
        self.stop.store(true, Ordering::Relaxed);
        let joined = |r: Result<Result<u64, TrialError>, tokio::task::JoinError>| {
            r.map_err(|e| TrialError::fail(format!("background work: {e}")))?
                .map_err(|e| e.context("background work"))
        };
        let edits = joined(self.edits.await)?;
        let mut renders = 0;
        for task in self.renders {
            renders += joined(task.await)?;
        }
        Ok((edits, renders))
    }
}
