//! The wiki as one attack's goose users see it: the target's paths and
//! headers, the attack's recorders and pages, and the timed requests its
//! transactions send (page views, API reads, logged-in edits).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use goose::prelude::{GooseMethod, GooseUser, TransactionError, TransactionResult};
use wikiharness_harness::TrialCx;
use wikiharness_harness::client::api::str_at;
use wikiharness_harness::target::{Credentials, LoadSettings, encode_title};
use wikiharness_load::Recorders;
use wikiharness_load::attack::{self, Call, Step, step_fn};

/// What every transaction of one attack shares.
pub(super) struct GooseWiki {
    /// The attack's latency recorders.
    pub recorders: Arc<Recorders>,
    headers: Vec<(String, String)>,
    /// The target's script path (`/w`).
    pub script: String,
    article: String,
    /// The pages the attack works on.
    pub pages: Vec<String>,
    next_page: AtomicUsize,
    /// Numbers the attack's edits and renders, so that no two are alike.
    pub counter: AtomicU64,
    /// The run id, written into edits.
    pub run_id: String,
}

/// A GET judged by its status and body.
pub(super) type Judge = fn(u16, &str) -> bool;

impl GooseWiki {
    /// The wiki of one attack on `pages`, with fresh recorders sized for `settings`.
    pub fn new(cx: &TrialCx, settings: &LoadSettings, pages: Vec<String>) -> Arc<Self> {
        let target = cx.target();
        Arc::new(GooseWiki {
            recorders: Recorders::new(settings),
            headers: target
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            script: target.script_path.clone(),
            article: target.article_path.clone(),
            pages,
            next_page: AtomicUsize::new(0),
            counter: AtomicU64::new(0),
            run_id: cx.run_id().to_owned(),
        })
    }

    /// The next page, round robin.
    pub fn page(&self) -> &str {
        &self.pages[self.next_page.fetch_add(1, Ordering::Relaxed) % self.pages.len()]
    }

    /// The page a goose user keeps to (one per user).
    pub fn own_page(&self, user: &GooseUser) -> &str {
        &self.pages[user.weighted_users_index % self.pages.len()]
    }

    /// The path that views `title`.
    pub fn view_path(&self, title: &str) -> String {
        format!("{}{}", self.article, encode_title(title))
    }

    /// The path of an action API GET with `query`.
    pub fn api(&self, query: &str) -> String {
        format!(
            "{}/api.php?format=json&formatversion=2&servedby=1&{query}",
            self.script
        )
    }

    /// A timed GET of `path`, recorded as `endpoint`; the body when `ok` holds.
    pub async fn get(
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
        Ok(attack::timed(user, &self.recorders, call, ok).await?.1)
    }

    /// A logged-in user's API edit: `field` is `text` or `appendtext`.
    pub async fn edit(
        &self,
        user: &mut GooseUser,
        endpoint: &str,
        title: &str,
        field: &str,
        value: &str,
    ) -> Result<String, Box<TransactionError>> {
        let csrf = csrf_token(user);
        let fields = form(&[
            ("action", "edit"),
            ("title", title),
            (field, value),
            ("summary", "wikiharness load"),
            ("assert", "user"),
            ("token", &csrf),
        ]);
        self.post(user, endpoint, fields, |status, body| {
            status == 200 && body.contains("\"Success\"")
        })
        .await
    }

    /// A timed action API POST of `fields`, recorded as `endpoint`.
    pub async fn post(
        &self,
        user: &mut GooseUser,
        endpoint: &str,
        fields: Vec<(String, String)>,
        ok: impl Fn(u16, &str) -> bool,
    ) -> Result<String, Box<TransactionError>> {
        let path = format!("{}/api.php", self.script);
        let call = Call {
            endpoint,
            method: GooseMethod::Post,
            path: &path,
            form: Some(fields),
            headers: &self.headers,
        };
        Ok(attack::timed(user, &self.recorders, call, ok).await?.1)
    }
}

/// An action API answer without an error.
pub(super) fn api_ok(status: u16, body: &str) -> bool {
    status == 200 && !body.contains("\"error\":")
}

/// An action API form: JSON, format version 2, `servedby`, then `pairs`.
pub(super) fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("format", "json"),
        ("formatversion", "2"),
        ("servedby", "1"),
    ]
    .iter()
    .chain(pairs)
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    fields.dedup();
    fields
}

/// A transaction running `function`, `weight` times as often as a weight-1 one.
pub(super) fn step(
    name: &str,
    weight: usize,
    function: goose::prelude::TransactionFunction,
) -> Step {
    Step {
        name: name.into(),
        weight,
        function,
        on_start: false,
    }
}

/// A GET transaction: the path from the wiki and the user, judged by `ok`.
pub(super) fn get_step(
    wiki: &Arc<GooseWiki>,
    name: &'static str,
    weight: usize,
    path: fn(&GooseWiki, &GooseUser) -> String,
    ok: Judge,
) -> Step {
    let wiki = wiki.clone();
    step(
        name,
        weight,
        step_fn(move |user| {
            let wiki = wiki.clone();
            Box::pin(async move {
                let p = path(&wiki, user);
                wiki.get(user, name, &p, ok).await?;
                Ok(())
            })
        }),
    )
}

/// A goose user's CSRF token, kept in its session data.
#[derive(Clone)]
struct CsrfToken(String);

fn csrf_token(user: &GooseUser) -> String {
    user.get_session_data::<CsrfToken>()
        .map(|t| t.0.clone())
        .unwrap_or_default()
}

/// Logs each goose user in with the bot password when it starts, and keeps
/// its CSRF token for [`GooseWiki::edit`].
pub(super) fn login_step(wiki: &Arc<GooseWiki>, creds: &Credentials) -> Step {
    let (wiki, name, password) = (
        wiki.clone(),
        creds.user.clone(),
        creds.password.expose().to_owned(),
    );
    Step {
        name: "login".into(),
        weight: 1,
        on_start: true,
        function: step_fn(move |user| {
            let (wiki, name, password) = (wiki.clone(), name.clone(), password.clone());
            Box::pin(async move {
                let body = wiki
                    .get(
                        user,
                        "login token",
                        &wiki.api("action=query&meta=tokens&type=login"),
                        api_ok,
                    )
                    .await?;
                let login_token = json_str(&body, &["query", "tokens", "logintoken"]);
                let fields = form(&[
                    ("action", "login"),
                    ("lgname", &name),
                    ("lgpassword", &password),
                    ("lgtoken", &login_token),
                ]);
                wiki.post(user, "login", fields, |status, body| {
                    status == 200 && body.contains("\"Success\"")
                })
                .await?;
                let body = wiki
                    .get(
                        user,
                        "csrf token",
                        &wiki.api("action=query&meta=tokens&type=csrf"),
                        api_ok,
                    )
                    .await?;
                user.set_session_data(CsrfToken(json_str(
                    &body,
                    &["query", "tokens", "csrftoken"],
                )));
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
    str_at(&v, path).unwrap_or_default().to_owned()
}
