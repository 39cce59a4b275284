//! Uploading the run's files through the action API and reading them back:
//! imageinfo, the original's bytes, a thumbnail's bytes.

use serde_json::Value;
use wikiharness_harness::client::{Fetched, FilePart, Session};
use wikiharness_harness::{TrialCx, TrialError, ensure};

use super::files::Made;
use crate::support::{text, wiki};

/// A file the wiki stored.
#[derive(Debug, Clone)]
pub struct Stored {
    /// `File:…`.
    pub title: String,
    /// The original's URL.
    pub url: String,
    /// SHA-1 of the original, as the wiki computed it.
    pub sha1: String,
}

/// Fails (or, on a production target, skips) unless the logged-in account
/// has `right`.
pub async fn require_right(cx: &TrialCx, session: &Session, right: &str) -> Result<(), TrialError> {
    let v = session
        .api_get(&[
            ("action", "query"),
            ("meta", "userinfo"),
            ("uiprop", "rights"),
        ])
        .await?;
    let rights = &v["query"]["userinfo"]["rights"];
    let has = rights
        .as_array()
        .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(right)));
    match (has, cx.target().production) {
        (true, _) => Ok(()),
        (false, true) => Err(TrialError::skip(format!(
            "account `{}` lacks the `{right}` right on target `{}`",
            session.user().unwrap_or_default(),
            cx.target().name
        ))),
        (false, false) => Err(TrialError::fail(format!(
            "account `{}` lacks the `{right}` right (rights: {rights})",
            session.user().unwrap_or_default()
        ))),
    }
}

/// Where an upload's bytes come from.
enum Source<'a> {
    /// Sent with the request.
    File(FilePart),
    /// Fetched by the wiki (upload by URL).
    Url(&'a str),
}

/// Uploads `made` as `title` (`File:…`) with a CSRF token and `assert=user`,
/// registers it for clean-up, and returns what the wiki stored.
pub async fn upload(
    cx: &TrialCx,
    session: &Session,
    title: &str,
    made: &Made,
) -> Result<Stored, TrialError> {
    require_right(cx, session, "upload").await?;
    let file = FilePart {
        field: "file".into(),
        file_name: title.trim_start_matches("File:").into(),
        mime: made.mime.into(),
        bytes: made.bytes.clone(),
    };
    send_upload(cx, session, title, Source::File(file)).await
}

/// Asks the wiki to fetch `url` and store it as `title` (upload by URL).
pub async fn upload_from(
    cx: &TrialCx,
    session: &Session,
    title: &str,
    url: &str,
) -> Result<Stored, TrialError> {
    require_right(cx, session, "upload_by_url").await?;
    send_upload(cx, session, title, Source::Url(url)).await
}

/// An `action=upload` of `title`: `Success`, or a failure that names the
/// API's warnings.
async fn send_upload(
    cx: &TrialCx,
    session: &Session,
    title: &str,
    source: Source<'_>,
) -> Result<Stored, TrialError> {
    let token = session.token("csrf").await?;
    let name = title.trim_start_matches("File:");
    let description = format!("Uploaded by wikiharness run {}.", cx.run_id());
    let mut params = vec![
        ("action", "upload"),
        ("filename", name),
        ("comment", "wikiharness media trial"),
        ("text", description.as_str()),
        ("assert", "user"),
        ("token", token.as_str()),
    ];
    let answer = match source {
        Source::File(file) => session.api_post_file(&params, file).await,
        Source::Url(url) => {
            params.push(("url", url));
            session.api_post(&params).await
        }
    };
    // Registered even when the answer is lost: the file may exist.
    cx.created(title);
    let answer = answer?;
    let result = answer["upload"]["result"].as_str().unwrap_or_default();
    ensure!(
        result == "Success",
        "upload of {title}: result `{result}` (warnings: {}): {}",
        answer["upload"]["warnings"],
        text::excerpt(&answer.to_string())
    );
    stored(title, &answer)
}

fn stored(title: &str, answer: &Value) -> Result<Stored, TrialError> {
    let info = &answer["upload"]["imageinfo"];
    let field = |name: &str| {
        info[name].as_str().map(str::to_owned).ok_or_else(|| {
            TrialError::fail(format!("upload of {title}: no imageinfo.{name}: {answer}"))
        })
    };
    Ok(Stored {
        title: title.to_owned(),
        url: field("url")?,
        sha1: field("sha1")?,
    })
}

/// The first `imageinfo` entry of `title`, with `params` (`iiprop`, `iiurlwidth`, ...).
pub async fn imageinfo(
    session: &Session,
    title: &str,
    params: &[(&str, &str)],
) -> Result<Value, TrialError> {
    let mut all = vec![("prop", "imageinfo")];
    all.extend_from_slice(params);
    let page = wiki::page_query(session, title, &all).await?;
    let info = page["imageinfo"][0].clone();
    ensure!(info.is_object(), "{title} has no imageinfo: {page}");
    Ok(info)
}

/// The bytes at `url`, which must answer 200.
pub async fn fetch(session: &Session, url: &str) -> Result<Vec<u8>, TrialError> {
    let answer = get(session, url).await?;
    ensure!(
        answer.status.as_u16() == 200,
        "GET {url}: HTTP {} (expected 200): {}",
        answer.status.as_u16(),
        text::excerpt(&answer.body)
    );
    Ok(answer.raw)
}

/// The HTTP status of `url`.
pub async fn status_of(session: &Session, url: &str) -> Result<u16, TrialError> {
    Ok(get(session, url).await?.status.as_u16())
}

/// A GET of an absolute URL the wiki gave (imageinfo's `url`, `thumburl`).
async fn get(session: &Session, url: &str) -> Result<Fetched, TrialError> {
    let parsed = url::Url::parse(url).map_err(|e| TrialError::fail(format!("`{url}`: {e}")))?;
    Ok(session.get(parsed).await?)
}
