//! Wiki operations through the action API, each asserting what it relies on
//! (`assert=user` on writes, so a lost session fails instead of editing anonymously).

use serde_json::Value;
use wikiharness_harness::client::Session;
use wikiharness_harness::client::api::str_at;
use wikiharness_harness::{ClientError, TrialCx, TrialError};

/// The result of a saved edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    /// The new revision id (the current one when the edit changed nothing).
    pub revid: u64,
    /// Whether a new revision was made.
    pub changed: bool,
}

fn fail_with(what: &str) -> impl Fn(ClientError) -> TrialError + '_ {
    move |e| TrialError::fail(format!("{what}: {e}"))
}

/// How an edit request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditOutcome {
    /// Saved (or accepted without change).
    Saved(Saved),
    /// Refused with the API error `editconflict` (the base revision is not
    /// the current one): the caller may retry.
    Conflict,
}

/// Saves `text` as `title` (extra API parameters in `extra`), registering the
/// page for clean-up. The text should carry the run id.
pub async fn edit(
    cx: &TrialCx,
    s: &Session,
    title: &str,
    text: &str,
    extra: &[(&str, &str)],
) -> Result<Saved, TrialError> {
    match edit_or_conflict(cx, s, title, text, extra).await? {
        EditOutcome::Saved(saved) => Ok(saved),
        EditOutcome::Conflict => Err(TrialError::fail(format!(
            "edit of [[{title}]]: API error `editconflict`"
        ))),
    }
}

/// Like [`edit`], but an edit conflict is an outcome, not a failure.
pub async fn edit_or_conflict(
    cx: &TrialCx,
    s: &Session,
    title: &str,
    text: &str,
    extra: &[(&str, &str)],
) -> Result<EditOutcome, TrialError> {
    let token = s.token("csrf").await?;
    let summary = format!("wikiharness run {}", cx.run_id());
    let mut params = vec![
        ("action", "edit"),
        ("title", title),
        ("text", text),
        ("summary", summary.as_str()),
        ("assert", "user"),
        ("token", token.as_str()),
    ];
    params.extend_from_slice(extra);
    post_edit(cx, s, title, &params).await
}

/// Appends `text` to `title`.
pub async fn append(
    cx: &TrialCx,
    s: &Session,
    title: &str,
    text: &str,
) -> Result<Saved, TrialError> {
    let token = s.token("csrf").await?;
    let summary = format!("wikiharness run {} append", cx.run_id());
    let params = [
        ("action", "edit"),
        ("title", title),
        ("appendtext", text),
        ("summary", summary.as_str()),
        ("assert", "user"),
        ("token", token.as_str()),
    ];
    match post_edit(cx, s, title, &params).await? {
        EditOutcome::Saved(saved) => Ok(saved),
        EditOutcome::Conflict => Err(TrialError::fail(format!(
            "append to [[{title}]]: API error `editconflict`"
        ))),
    }
}

async fn post_edit(
    cx: &TrialCx,
    s: &Session,
    title: &str,
    params: &[(&str, &str)],
) -> Result<EditOutcome, TrialError> {
    let v = match s.api_post(params).await {
        Err(ClientError::Api { code, .. }) if code == "editconflict" => {
            return Ok(EditOutcome::Conflict);
        }
        other => other.map_err(fail_with(&format!("edit of [[{title}]]")))?,
    };
    cx.created(title);
    let result = str_at(&v, &["edit", "result"]).unwrap_or("missing");
    if result != "Success" {
        return Err(TrialError::fail(format!(
            "edit of [[{title}]]: result `{result}`: {v}"
        )));
    }
    let changed = v["edit"].get("nochange").is_none();
    let revid = v["edit"]["newrevid"]
        .as_u64()
        .or_else(|| v["edit"]["oldrevid"].as_u64())
        .unwrap_or(0);
    Ok(EditOutcome::Saved(Saved { revid, changed }))
}

/// The current wikitext and revision id of `title`, or `None` if it does not exist.
pub async fn current(s: &Session, title: &str) -> Result<Option<(String, u64)>, TrialError> {
    let v = s
        .api_get(&[
            ("action", "query"),
            ("prop", "revisions"),
            ("titles", title),
            ("rvprop", "ids|content"),
            ("rvslots", "main"),
        ])
        .await?;
    let page = &v["query"]["pages"][0];
    if page.get("missing").is_some() {
        return Ok(None);
    }
    let rev = &page["revisions"][0];
    let text = rev["slots"]["main"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Ok(Some((text, rev["revid"].as_u64().unwrap_or(0))))
}

/// Number of revisions of `title`.
pub async fn revision_count(s: &Session, title: &str) -> Result<usize, TrialError> {
    let v = s
        .api_get(&[
            ("action", "query"),
            ("prop", "revisions"),
            ("titles", title),
            ("rvprop", "ids"),
            ("rvlimit", "max"),
        ])
        .await?;
    Ok(v["query"]["pages"][0]["revisions"]
        .as_array()
        .map(Vec::len)
        .unwrap_or(0))
}

/// `action=parse` of wikitext (POST), returning the HTML and the categories.
pub async fn parse(
    s: &Session,
    title: &str,
    wikitext: &str,
) -> Result<(String, Vec<String>), TrialError> {
    let v = s
        .api_post(&[
            ("action", "parse"),
            ("title", title),
            ("text", wikitext),
            ("prop", "text|categories|limitreportdata"),
            ("contentmodel", "wikitext"),
            ("disablelimitreport", "0"),
        ])
        .await?;
    let html = v["parse"]["text"].as_str().unwrap_or_default().to_owned();
    Ok((html, categories(&v["parse"]["categories"])))
}

/// Category names from a `categories` array.
pub fn categories(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["category"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// One page object of a `query` answer for `title`.
pub async fn page_query(
    s: &Session,
    title: &str,
    params: &[(&str, &str)],
) -> Result<Value, TrialError> {
    let mut all = vec![("action", "query"), ("titles", title)];
    all.extend_from_slice(params);
    let v = s.api_get(&all).await?;
    Ok(v["query"]["pages"][0].clone())
}

/// Titles in a list of page objects (`[{"title": ...}]`).
pub fn titles(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["title"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The current user of a session as the wiki sees it (`meta=userinfo`).
pub async fn whoami(s: &Session) -> Result<String, TrialError> {
    let v = s
        .api_get(&[("action", "query"), ("meta", "userinfo")])
        .await?;
    Ok(str_at(&v, &["query", "userinfo", "name"])
        .unwrap_or("?")
        .to_owned())
}
