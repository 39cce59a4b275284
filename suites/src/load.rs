//! Load scenarios (goose): readers, API readers, editors, external-binary
//! renders and a job-heavy mix, each a bounded attack whose latencies the
//! harness records itself and judges against thresholds. Plus bursts of
//! simultaneous edits, logins and job fan-outs. All of them need a target
//! that allows load. On a target with `load.smoke`, the default job runs the
//! attacks at that small size; the full size, and the bursts, are opt-in
//! (`--load` or `--include-ignored`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use goose::prelude::{GooseMethod, GooseUser, TransactionError, TransactionResult};
use wikiharness_harness::load::attack::{self, Call, Plan, Step, step_fn};
use wikiharness_harness::load::{LoadSettings, LoadSummary, Recorders, Threshold};
use wikiharness_harness::target::{Credentials, encode_title};
use wikiharness_harness::{Capability, TrialCx, TrialError, TrialResult, TrialSpec, ensure};

use crate::SuiteConfig;
use crate::api::capitalise;
use crate::rest::route_title;
use crate::support::teams::{PLATFORM, SERVICE_OPS};
use crate::support::{poll, titles, wiki};

/// The flag that asks for the full-size load trials.
const OPT_IN: &str = "--load";
/// Request-rate cap for scenarios that write.
const WRITE_RPS: u32 = 5;
/// Pages read by the reader scenarios.
const READ_PAGES: usize = 5;
/// Pages transcluding the job-heavy template.
const JOB_PAGES: usize = 8;

/// The load trials.
pub fn trials(config: &SuiteConfig) -> Vec<TrialSpec> {
    let t = |check: &str, feature: &str, team: &str| {
        TrialSpec::build("load", check)
            .feature(feature)
            .team(team)
            .needs(Capability::Load)
            .timeout(Duration::from_secs(900))
    };
    // An attack of SRE Service Ops' capacity features: sets up sandbox pages
    // with the bot, then judges the summary against the trial's thresholds.
    // In a smoke run the same attack runs small and is not opt-in.
    let attack_trial = |check: &str, feature: &str, run: Scenario| {
        let settings = config.smoke.clone().unwrap_or_else(|| config.load.clone());
        let smoke = config.smoke.is_some();
        let thresholds = thresholds_for(config, &format!("load::{check}"));
        let mut spec = t(check, feature, SERVICE_OPS)
            .needs(Capability::Write)
            .account("bot");
        if !smoke {
            spec = spec.opt_in(OPT_IN);
        }
        spec.run(move |cx: TrialCx| {
            let (settings, thresholds) = (settings.clone(), thresholds.clone());
            async move {
                if smoke {
                    cx.note(format!(
                        "smoke run: {} users for {} s (the full-size run: {OPT_IN})",
                        settings.users,
                        settings.duration.as_secs()
                    ));
                }
                let summary = run(cx.clone(), settings).await?;
                judge(&cx, summary, &thresholds)
            }
        })
    };
    vec![
        attack_trial("anonymous_readers", "Capacity: readers", |cx, s| {
            Box::pin(readers(cx, s))
        }),
        attack_trial("api_readers", "Capacity: readers", |cx, s| {
            Box::pin(api_readers(cx, s))
        }),
        attack_trial("editors", "Capacity: editors", |cx, s| {
            Box::pin(editors(cx, s))
        }),
        attack_trial("shellbox_heavy", "Capacity: external binaries", |cx, s| {
            Box::pin(shellbox_heavy(cx, s))
        }),
        attack_trial("job_heavy", "Capacity: job queue", |cx, s| {
            Box::pin(job_heavy(cx, s))
        }),
        {
            let mut b = t("edit_burst_loses_nothing", "Concurrent edits", PLATFORM)
                .needs(Capability::Write)
                .opt_in(OPT_IN);
            for role in crate::concurrency::EDITORS {
                b = b.account(role);
            }
            b.run(|cx| crate::concurrency::appends_lose_nothing(cx, 5))
        },
        {
            let mut b = t(
                "login_burst_keeps_sessions_apart",
                "Login and sessions",
                PLATFORM,
            )
            .opt_in(OPT_IN);
            for role in crate::concurrency::EDITORS {
                b = b.account(role);
            }
            b.run(|cx| crate::concurrency::logins_stay_separate(cx, 8))
        },
        t("job_fanout_burst", "Job queue", PLATFORM)
            .needs(Capability::Write)
            .opt_in(OPT_IN)
            .account("bot")
            .run(|cx| async move {
                let bursts = ["Burst A", "Burst B", "Burst C"]
                    .map(|name| tokio::spawn(crate::jobs::fanout(cx.clone(), name, 5)));
                for b in bursts {
                    b.await.map_err(|e| TrialError::fail(e.to_string()))??;
                }
                Ok(())
            }),
    ]
}

type Scenario = fn(
    TrialCx,
    LoadSettings,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<LoadSummary, TrialError>> + Send>,
>;

/// Thresholds for a trial: the run's rules, plus `error_rate < 1%` unless one
/// already judges the error rate.
fn thresholds_for(config: &SuiteConfig, trial: &str) -> Vec<Threshold> {
    let mut rules = (config.thresholds)(trial);
    if !rules.iter().any(|t| t.rule.contains("error_rate")) {
        rules.push(Threshold::parse("error_rate < 1%").expect("valid rule"));
    }
    rules
}

/// Records the summary and figures; fails on violated thresholds.
fn judge(cx: &TrialCx, summary: LoadSummary, thresholds: &[Threshold]) -> TrialResult {
    let mut summary = summary;
    summary.thresholds = thresholds
        .iter()
        .filter_map(|t| t.judge(&summary))
        .collect();
    let tot = &summary.total;
    for (name, value, unit) in [
        ("requests", tot.requests as f64, "requests"),
        ("throughput", tot.throughput_rps, "req/s"),
        ("p50", tot.raw.p50, "ms"),
        ("p95", tot.raw.p95, "ms"),
        ("p99", tot.raw.p99, "ms"),
        ("p99 corrected", tot.corrected.p99, "ms"),
        ("error_rate", tot.error_rate * 100.0, "%"),
    ] {
        cx.figure(name, value, unit);
    }
    cx.note(format!("serving backends: {:?}", tot.backends));
    let violated: Vec<String> = summary
        .thresholds
        .iter()
        .filter(|r| !r.passed)
        .map(|r| r.to_string())
        .collect();
    let requests = tot.requests;
    cx.load_summary(summary);
    ensure!(requests > 0, "the attack sent no requests");
    ensure!(
        violated.is_empty(),
        "thresholds violated: {}",
        violated.join("; ")
    );
    Ok(())
}

/// What every transaction of an attack shares.
struct Shared {
    rec: Arc<Recorders>,
    headers: Vec<(String, String)>,
    script: String,
    article: String,
    pages: Vec<String>,
    next: AtomicUsize,
    counter: AtomicU64,
    run: String,
}

impl Shared {
    /// State of one attack on `pages`, with fresh recorders sized for `settings`.
    fn new(cx: &TrialCx, settings: &LoadSettings, pages: Vec<String>) -> Arc<Self> {
        let t = cx.target();
        Arc::new(Shared {
            rec: Recorders::new(settings),
            headers: t
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            script: t.script_path.clone(),
            article: t.article_path.clone(),
            pages,
            next: AtomicUsize::new(0),
            counter: AtomicU64::new(0),
            run: cx.run_id().to_owned(),
        })
    }

    /// The next page, round robin.
    fn page(&self) -> &str {
        &self.pages[self.next.fetch_add(1, Ordering::Relaxed) % self.pages.len()]
    }

    fn view_path(&self, title: &str) -> String {
        format!("{}{}", self.article, encode_title(title))
    }

    fn api(&self, query: &str) -> String {
        format!(
            "{}/api.php?format=json&formatversion=2&servedby=1&{query}",
            self.script
        )
    }

    async fn get(
        &self,
        user: &mut GooseUser,
        endpoint: &str,
        path: &str,
        ok: impl Fn(u16, &str) -> bool,
    ) -> Result<String, Box<TransactionError>> {
        let call = Call {
            endpoint,
            method: GooseMethod::Get,
            path,
            form: None,
            headers: &self.headers,
        };
        Ok(attack::timed(user, &self.rec, call, ok).await?.1)
    }

    /// A logged-in user's API edit: `field` is `text` or `appendtext`.
    async fn edit(
        &self,
        user: &mut GooseUser,
        endpoint: &str,
        title: &str,
        field: &str,
        value: &str,
    ) -> Result<String, Box<TransactionError>> {
        let tok = token(user);
        let f = form(&[
            ("action", "edit"),
            ("title", title),
            (field, value),
            ("summary", "wikiharness load"),
            ("assert", "user"),
            ("token", &tok),
        ]);
        self.post(user, endpoint, f, |st, b| {
            st == 200 && b.contains("\"Success\"")
        })
        .await
    }

    async fn post(
        &self,
        user: &mut GooseUser,
        endpoint: &str,
        form: Vec<(String, String)>,
        ok: impl Fn(u16, &str) -> bool,
    ) -> Result<String, Box<TransactionError>> {
        let path = format!("{}/api.php", self.script);
        let call = Call {
            endpoint,
            method: GooseMethod::Post,
            path: &path,
            form: Some(form),
            headers: &self.headers,
        };
        Ok(attack::timed(user, &self.rec, call, ok).await?.1)
    }
}

fn api_ok(status: u16, body: &str) -> bool {
    status == 200 && !body.contains("\"error\":")
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = [
        ("format", "json"),
        ("formatversion", "2"),
        ("servedby", "1"),
    ]
    .iter()
    .chain(pairs)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    v.dedup();
    v
}

/// Creates `n` sandbox pages named `name N` with the bot; returns their titles.
async fn make_pages(
    cx: &TrialCx,
    name: &str,
    n: usize,
    text: impl Fn(usize) -> String,
) -> Result<Vec<String>, TrialError> {
    let bot = cx.login("bot").await?;
    let mut pages = Vec::new();
    for i in 1..=n {
        let title = cx.sandbox_title(&format!("{name} {i}"))?;
        wiki::edit(cx, &bot, &title, &text(i), &[]).await?;
        pages.push(title);
    }
    Ok(pages)
}

fn host(cx: &TrialCx) -> String {
    cx.target()
        .base_url
        .as_str()
        .trim_end_matches('/')
        .to_owned()
}

async fn attack(
    cx: &TrialCx,
    scenario: &str,
    settings: LoadSettings,
    sh: &Shared,
    steps: Vec<Step>,
) -> Result<LoadSummary, TrialError> {
    let plan = Plan {
        scenario: scenario.into(),
        host: host(cx),
        settings,
        steps,
    };
    attack::run(plan, sh.rec.clone(), &[])
        .await
        .map_err(TrialError::Failed)
}

/// A GET transaction: the path from the shared state and the user, judged by `ok`.
fn get_step(
    sh: &Arc<Shared>,
    name: &'static str,
    weight: usize,
    path: fn(&Shared, &GooseUser) -> String,
    ok: fn(u16, &str) -> bool,
) -> Step {
    let sh = sh.clone();
    step(
        name,
        weight,
        step_fn(move |u| {
            let s = sh.clone();
            Box::pin(async move {
                let p = path(&s, u);
                s.get(u, name, &p, ok).await?;
                Ok(())
            })
        }),
    )
}

fn step(name: &str, weight: usize, function: goose::prelude::TransactionFunction) -> Step {
    Step {
        name: name.into(),
        weight,
        function,
        on_start: false,
    }
}

async fn readers(cx: TrialCx, settings: LoadSettings) -> Result<LoadSummary, TrialError> {
    let run = cx.run_id().to_owned();
    let pages = make_pages(&cx, "Load read", READ_PAGES, |i| format!("Reader page {i} of run {run}.\n\n* [[Main Page]]\n* '''bold''' text\n\n== Section ==\nMore text.")).await?;
    let sh = Shared::new(&cx, &settings, pages);
    let steps = vec![
        get_step(
            &sh,
            "page view",
            6,
            |s, _| s.view_path(s.page()),
            |st, b| st == 200 && b.contains("mw-content-text"),
        ),
        get_step(
            &sh,
            "load.php startup",
            2,
            |s, _| {
                format!(
                    "{}/load.php?modules=startup&only=scripts&raw=1&skin=vector",
                    s.script
                )
            },
            |st, b| st == 200 && b.contains("mw.loader"),
        ),
        get_step(
            &sh,
            "static asset",
            2,
            |s, _| {
                format!(
                    "{}/resources/assets/poweredby_mediawiki_88x31.png",
                    s.script
                )
            },
            |st, _| st == 200,
        ),
    ];
    attack(&cx, "anonymous_readers", settings, &sh, steps).await
}

async fn api_readers(cx: TrialCx, settings: LoadSettings) -> Result<LoadSummary, TrialError> {
    let run = cx.run_id().to_owned();
    let pages = make_pages(&cx, "Load API", 2, |i| {
        format!("API page {i} of run {run}. [[Main Page]]")
    })
    .await?;
    let sh = Shared::new(&cx, &settings, pages);
    let steps = vec![
        get_step(
            &sh,
            "api siteinfo",
            3,
            |s, _| s.api("action=query&meta=siteinfo&siprop=general|statistics"),
            api_ok,
        ),
        get_step(
            &sh,
            "api parse",
            2,
            |s, _| {
                s.api("action=parse&contentmodel=wikitext&title=Load&text=%27%27%27bold%27%27%27+%7B%7B%23if%3Ax%7Cyes%7Cno%7D%7D")
            },
            |st, b| api_ok(st, b) && b.contains("<b>bold</b>"),
        ),
        get_step(
            &sh,
            "rest page",
            2,
            |s, _| format!("{}/rest.php/v1/page/{}", s.script, route_title(s.page())),
            |st, b| st == 200 && b.contains("\"source\""),
        ),
        get_step(
            &sh,
            "rest html",
            1,
            |s, _| {
                format!(
                    "{}/rest.php/v1/page/{}/html",
                    s.script,
                    route_title(s.page())
                )
            },
            |st, b| st == 200 && b.contains("<body"),
        ),
    ];
    attack(&cx, "api_readers", settings, &sh, steps).await
}

/// A logged-in goose user's CSRF token.
#[derive(Clone)]
struct Token(String);

/// Logs the goose user in with the bot password and keeps its CSRF token.
fn login_step(sh: &Arc<Shared>, creds: &Credentials) -> Step {
    let (sh, user, password) = (
        sh.clone(),
        creds.user.clone(),
        creds.password.expose().to_owned(),
    );
    Step {
        name: "login".into(),
        weight: 1,
        on_start: true,
        function: step_fn(move |u| {
            let (s, user, password) = (sh.clone(), user.clone(), password.clone());
            Box::pin(async move {
                let body = s
                    .get(
                        u,
                        "login token",
                        &s.api("action=query&meta=tokens&type=login"),
                        api_ok,
                    )
                    .await?;
                let token = json_str(&body, &["query", "tokens", "logintoken"]);
                let f = form(&[
                    ("action", "login"),
                    ("lgname", &user),
                    ("lgpassword", &password),
                    ("lgtoken", &token),
                ]);
                s.post(u, "login", f, |st, b| {
                    st == 200 && b.contains("\"Success\"")
                })
                .await?;
                let body = s
                    .get(
                        u,
                        "csrf token",
                        &s.api("action=query&meta=tokens&type=csrf"),
                        api_ok,
                    )
                    .await?;
                u.set_session_data(Token(json_str(&body, &["query", "tokens", "csrftoken"])));
                Ok(())
            })
                as std::pin::Pin<
                    Box<dyn std::future::Future<Output = TransactionResult> + Send + '_>,
                >
        }),
    }
}

fn json_str(body: &str, path: &[&str]) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    wikiharness_harness::client::api::str_at(&v, path)
        .unwrap_or_default()
        .to_owned()
}

fn token(u: &GooseUser) -> String {
    u.get_session_data::<Token>()
        .map(|t| t.0.clone())
        .unwrap_or_default()
}

fn capped(mut settings: LoadSettings, rps: u32) -> LoadSettings {
    settings.max_rps = Some(settings.max_rps.map_or(rps, |r| r.min(rps)));
    settings
}

async fn editors(cx: TrialCx, settings: LoadSettings) -> Result<LoadSummary, TrialError> {
    let settings = capped(settings, WRITE_RPS);
    let creds = cx.credentials("bot")?;
    let pages: Vec<String> = (0..settings.users)
        .map(|i| cx.sandbox_title(&format!("Load editor {i}")))
        .collect::<Result<_, _>>()?;
    for p in &pages {
        cx.created(p);
    }
    let sh = Shared::new(&cx, &settings, pages);
    let a = sh.clone();
    let steps = vec![
        login_step(&sh, &creds),
        step(
            "edit",
            1,
            step_fn(move |u| {
                let s = a.clone();
                Box::pin(async move {
                    let title = s.pages[u.weighted_users_index % s.pages.len()].clone();
                    let n = s.counter.fetch_add(1, Ordering::Relaxed);
                    let line = format!("\n* edit {n} of run {}", s.run);
                    s.edit(u, "api edit", &title, "appendtext", &line).await?;
                    Ok(())
                })
            }),
        ),
        get_step(
            &sh,
            "read own page",
            4,
            |s, u| s.view_path(&s.pages[u.weighted_users_index % s.pages.len()]),
            |st, _| st == 200 || st == 404,
        ),
    ];
    attack(&cx, "editors", settings, &sh, steps).await
}

async fn shellbox_heavy(cx: TrialCx, settings: LoadSettings) -> Result<LoadSummary, TrialError> {
    let settings = capped(settings, 10);
    let module = titles::in_namespace(&cx, "Module", "Load")?;
    let bot = cx.login("bot").await?;
    wiki::edit(&cx, &bot, &module, "local p = {}\nfunction p.hello(frame)\n  return 'Lua says ' .. frame.args[1]\nend\nreturn p", &[("contentmodel", "Scribunto")]).await?;
    let invoke_name = module.trim_start_matches("Module:").to_owned();
    let sh = Shared::new(&cx, &settings, vec![invoke_name]);
    let (a, b) = (sh.clone(), sh.clone());
    let steps = vec![
        step(
            "syntaxhighlight",
            1,
            step_fn(move |u| {
                let s = a.clone();
                Box::pin(async move {
                    let n = s.counter.fetch_add(1, Ordering::Relaxed);
                    let code = format!(
                        "<syntaxhighlight lang=\"python\">def f_{}_{n}(x):\n    return x</syntaxhighlight>",
                        s.run.replace('-', "_")
                    );
                    let f = form(&[
                        ("action", "parse"),
                        ("title", "Load"),
                        ("contentmodel", "wikitext"),
                        ("text", &code),
                    ]);
                    s.post(u, "parse syntaxhighlight", f, |st, b| {
                        api_ok(st, b) && b.contains("mw-highlight") && b.contains("class=\\\"k\\\"")
                    })
                    .await?;
                    Ok(())
                })
            }),
        ),
        step(
            "scribunto",
            1,
            step_fn(move |u| {
                let s = b.clone();
                Box::pin(async move {
                    let n = s.counter.fetch_add(1, Ordering::Relaxed);
                    let text = format!("{{{{#invoke:{}|hello|{}-{n}}}}}", s.pages[0], s.run);
                    let f = form(&[
                        ("action", "parse"),
                        ("title", "Load"),
                        ("contentmodel", "wikitext"),
                        ("text", &text),
                    ]);
                    s.post(u, "parse invoke", f, |st, b| {
                        api_ok(st, b) && b.contains("Lua says")
                    })
                    .await?;
                    Ok(())
                })
            }),
        ),
    ];
    attack(&cx, "shellbox_heavy", settings, &sh, steps).await
}

async fn job_heavy(cx: TrialCx, settings: LoadSettings) -> Result<LoadSummary, TrialError> {
    let settings = capped(settings, WRITE_RPS);
    let creds = cx.credentials("bot")?;
    let template = titles::in_namespace(&cx, "Template", "Load jobs")?;
    let category = format!(
        "Category:{}",
        capitalise(&titles::unique_word(&cx, "loadjobs"))
    );
    let bot = cx.login("bot").await?;
    wiki::edit(&cx, &bot, &template, "jobload-start", &[]).await?;
    let tpl = template.clone();
    let pages = make_pages(&cx, "Load jobs page", JOB_PAGES, |_| {
        format!("{{{{{tpl}}}}}")
    })
    .await?;
    let sh = Shared::new(&cx, &settings, pages.clone());
    let a = sh.clone();
    let (tpl, cat) = (template.clone(), category.clone());
    let steps = vec![
        login_step(&sh, &creds),
        step(
            "template edit",
            1,
            step_fn(move |u| {
                let (s, tpl, cat) = (a.clone(), tpl.clone(), cat.clone());
                Box::pin(async move {
                    let n = s.counter.fetch_add(1, Ordering::Relaxed) + 1;
                    let text = format!("jobload-{n}-{}<includeonly>[[{cat}]]</includeonly>", s.run);
                    s.edit(u, "template edit", &tpl, "text", &text).await?;
                    Ok(())
                })
            }),
        ),
        get_step(
            &sh,
            "transcluding page view",
            3,
            |s, _| s.view_path(s.page()),
            |st, b| st == 200 && b.contains("mw-content-text"),
        ),
    ];
    let summary = attack(&cx, "job_heavy", settings, &sh, steps).await?;

    // Drain: every page must be in the category the template adds (refreshLinks
    // jobs), and where the target exposes the queue, none of the jobs this
    // trial's edits caused may still be queued. Other trials' jobs and old
    // abandoned ones are not this trial's work: a note, never the verdict.
    let started = Instant::now();
    let anon = cx.session()?;
    let drained = poll::until(&cx, "queue drained after load", || async {
        let members = anon
            .api_get(&[
                ("action", "query"),
                ("list", "categorymembers"),
                ("cmtitle", &category),
                ("cmlimit", "max"),
            ])
            .await?;
        let members = wiki::titles(&members["query"]["categorymembers"]);
        let missing = pages.iter().filter(|p| !members.contains(p)).count();
        let own = crate::jobs::own_jobs(&cx).await;
        if let Some(abandoned) = own.as_ref().and_then(|q| q.abandoned()) {
            return Err(TrialError::fail(format!(
                "{abandoned} among the jobs of this trial: they failed and will never run"
            )));
        }
        let pending = own.as_ref().map(|q| q.pending()).unwrap_or(0);
        Ok(if missing == 0 && pending == 0 {
            Ok(())
        } else {
            Err(format!(
                "{missing} of {} pages not yet in {category}{}",
                pages.len(),
                own.map(|q| format!(
                    "; this trial's jobs still queued: {:?}",
                    q.pending_by_type()
                ))
                .unwrap_or_default()
            ))
        })
    })
    .await;
    cx.figure(
        "queue drain after load",
        started.elapsed().as_secs_f64() * 1000.0,
        "ms",
    );
    crate::jobs::note_abandoned(&cx).await;
    drained.map_err(|e| e.context("jobs did not drain after the load"))?;
    Ok(summary)
}
