//! Form submits over plain HTTP (no browser): the login form, the edit form
//! with every hidden field, preview, edit conflicts, the search form, and a
//! post with a bad token. A broken session store after a migration shows up here.

use std::time::Duration;

use url::Url;
use wikiharness_harness::client::{Fetched, Request, Session};
use wikiharness_harness::{Capability, TrialCx, TrialError, TrialSpec, ensure};

use crate::support::html::{self, Form};
use crate::support::{poll, titles, wiki};

/// Hidden fields the edit form must carry for a save to be accepted.
const EDIT_FIELDS: &[&str] = &[
    "wpEditToken",
    "wpStarttime",
    "wpEdittime",
    "wpUnicodeCheck",
    "wpUltimateParam",
    "model",
    "format",
];

/// The form-submit trials.
pub fn trials() -> Vec<TrialSpec> {
    let t = |check: &str| TrialSpec::build("forms", check);
    vec![
        t("login_form_shows_user_menu").account("user").run(|cx| async move {
            let (s, user) = form_login(&cx, "user").await?;
            let page = s.view(&cx.target().main_page).await?;
            let shown = html::text_of(&page.body, "#pt-userpage").unwrap_or_default();
            ensure!(shown == user, "after logging in through the form, the user menu shows `{shown}`, expected `{user}`");
            Ok(())
        }),
        t("edit_form_saves_and_history_shows_it").needs(Capability::Write).account("user").run(|cx| async move {
            let title = cx.sandbox_title("Form edit")?;
            let (s, _) = form_login(&cx, "user").await?;
            let text = format!("Saved through the edit form in run {}.", cx.run_id());
            let summary = format!("form edit {}", cx.run_id());
            save_through_form(&cx, &s, edit_form(&s, &title).await?, &text, &summary).await?;
            let history = s.index(&[("title", &title), ("action", "history")]).await?;
            let rows = html::text_of(&history.body, "#pagehistory").unwrap_or_default();
            ensure!(rows.contains(&summary), "history does not list the revision with summary `{summary}`");
            Ok(())
        }),
        t("preview_renders_without_saving").needs(Capability::Write).account("user").run(|cx| async move {
            let title = cx.sandbox_title("Form preview")?;
            let (s, _) = form_login(&cx, "user").await?;
            save_through_form(&cx, &s, edit_form(&s, &title).await?, &format!("Base text of run {}.", cx.run_id()), "base").await?;
            let before = wiki::revision_count(&s, &title).await?;
            let marker = format!("preview{}", cx.run_id().replace('-', ""));
            let preview = submit_edit_form(&cx, &s, &title, &format!("'''{marker}'''"), "preview", "wpPreview").await?;
            let shown = html::text_of(&preview.body, "#wikiPreview").unwrap_or_default();
            ensure!(html::has(&preview.body, "#wikiPreview b") && shown.contains(&marker), "the preview does not render `'''{marker}'''` as bold text");
            let after = wiki::revision_count(&s, &title).await?;
            ensure!(after == before, "preview saved a revision: {before} revisions before, {after} after");
            Ok(())
        }),
        t("edit_conflict_keeps_both_texts").needs(Capability::Write).account("user").account("user2").run(|cx| async move {
            let title = cx.sandbox_title("Form conflict")?;
            let (a, _) = form_login(&cx, "user").await?;
            let (b, _) = form_login(&cx, "user2").await?;
            let base = format!("Conflict base of run {}.", cx.run_id());
            save_through_form(&cx, &a, edit_form(&a, &title).await?, &base, "base").await?;
            // MediaWiki 1.39 spots a conflict by revision timestamps, which have
            // one-second resolution: saves in the same second as the base revision
            // would look unconflicted. Editors are never that fast; do not race it.
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
            let form_a = edit_form(&a, &title).await?;
            let form_b = edit_form(&b, &title).await?;
            let line_a = format!("{base}\nLine from the first editor.");
            let line_b = format!("{base}\nLine from the second editor.");
            save_through_form(&cx, &a, form_a, &line_a, "first").await?;
            let second = post_edit_form(&cx, &b, form_b, &line_b, "second", "wpSave").await?;
            let conflict = Form::find(&second.body, "#editform", &Url::parse(&second.url).map_err(|e| TrialError::fail(e.to_string()))?);
            let (current, yours) = match &conflict {
                Ok(f) => (f.get("wpTextbox1").unwrap_or_default().to_owned(), f.get("wpTextbox2").unwrap_or_default().to_owned()),
                Err(_) => Default::default(),
            };
            ensure!(!yours.is_empty(), "the second save did not get the edit-conflict form (no wpTextbox2); HTTP {}", second.status);
            ensure!(yours.contains("second editor"), "the conflict form lost the second editor's text");
            ensure!(current.contains("first editor"), "the conflict form does not show the first editor's saved text");
            let (saved, _) = wiki::current(&a, &title).await?.ok_or_else(|| TrialError::fail("page vanished"))?;
            ensure!(saved.contains("first editor") && !saved.contains("second editor"), "stored text after the conflict: {saved:?}");
            Ok(())
        }),
        t("search_form_finds_page_of_this_run").needs(Capability::Write).account("bot").timeout(Duration::from_secs(120)).run(|cx| async move {
            let title = cx.sandbox_title("Search target")?;
            let word = titles::unique_word(&cx, "search");
            let bot = cx.login("bot").await?;
            wiki::edit(&cx, &bot, &title, &format!("This page carries the word {word}."), &[]).await?;
            let s = cx.session()?;
            poll::until(&cx, "search index has the page", || async {
                let page = s.index(&[("title", "Special:Search"), ("search", &word), ("fulltext", "1"), ("profile", "all")]).await?;
                let results = html::text_of(&page.body, ".mw-search-results").unwrap_or_default();
                Ok(if results.contains(&title) { Ok(()) } else { Err(format!("results: {:?}", results.chars().take(200).collect::<String>())) })
            })
            .await
        }),
        t("bad_token_is_refused_as_session_loss").needs(Capability::Write).account("user").run(|cx| async move {
            let title = cx.sandbox_title("Form bad token")?;
            let (s, _) = form_login(&cx, "user").await?;
            for (label, token) in [("stale", Some("0123456789abcdef0123456789abcdef+\\")), ("missing", None)] {
                let mut form = edit_form(&s, &title).await?;
                match token {
                    Some(t) => {
                        form.set("wpEditToken", t);
                    }
                    None => {
                        form.fields.remove("wpEditToken");
                    }
                }
                let resp = post_edit_form(&cx, &s, form, &format!("Must not be saved ({label} token, run {}).", cx.run_id()), label, "wpSave").await?;
                ensure!(resp.body.contains("loss of session data"), "a post with a {label} token did not get the session-loss message (HTTP {})", resp.status);
            }
            ensure!(wiki::current(&s, &title).await?.is_none(), "a post with a bad token created the page");
            Ok(())
        }),
    ]
}

fn fail(e: String) -> TrialError {
    TrialError::Failed(e)
}

/// Logs in through Special:UserLogin; returns the session and the user name.
pub async fn form_login(cx: &TrialCx, role: &str) -> Result<(Session, String), TrialError> {
    let creds = cx.credentials(role)?;
    let s = cx.session()?;
    let page = s.view("Special:UserLogin").await?;
    let mut form =
        Form::find(&page.body, "form[name=userlogin]", &page_url(&page)?).map_err(fail)?;
    form.require(&["wpLoginToken"]).map_err(fail)?;
    form.set("wpName", &creds.user)
        .set("wpPassword", creds.password.expose())
        .set("wploginattempt", "Log in");
    let after = s
        .send(Request::post_form(form.action.clone(), &form.pairs()))
        .await?;
    let shown = html::text_of(&after.body, "#pt-userpage").unwrap_or_default();
    if shown != creds.user {
        let error = html::text_of(&after.body, ".mw-message-box-error, .errorbox, .error")
            .unwrap_or_else(|| "no error shown".into());
        return Err(TrialError::fail(format!(
            "login form as `{}` did not log in (HTTP {}): {error}",
            creds.user, after.status
        )));
    }
    Ok((s, creds.user))
}

fn page_url(f: &Fetched) -> Result<Url, TrialError> {
    Url::parse(&f.url).map_err(|e| TrialError::fail(format!("bad page URL {}: {e}", f.url)))
}

/// The edit form of `title`, with every field it carries.
pub async fn edit_form(s: &Session, title: &str) -> Result<Form, TrialError> {
    let page = s.index(&[("title", title), ("action", "edit")]).await?;
    ensure!(
        page.status.is_success(),
        "edit form of [[{title}]]: HTTP {}",
        page.status
    );
    let form = Form::find(&page.body, "#editform", &page_url(&page)?).map_err(fail)?;
    form.require(EDIT_FIELDS).map_err(fail)?;
    Ok(form)
}

/// Posts an edit form with new text and the chosen button (`wpSave`, `wpPreview`).
pub async fn post_edit_form(
    cx: &TrialCx,
    s: &Session,
    mut form: Form,
    text: &str,
    summary: &str,
    button: &str,
) -> Result<Fetched, TrialError> {
    form.set("wpTextbox1", text)
        .set("wpSummary", summary)
        .set(button, "1");
    let title = form
        .action
        .query_pairs()
        .find(|(k, _)| k == "title")
        .map(|(_, v)| v.into_owned());
    if let (Some(t), "wpSave") = (&title, button) {
        cx.created(t);
    }
    Ok(
        s.send(Request::post_form(form.action.clone(), &form.pairs()))
            .await?,
    )
}

/// Saves through a loaded edit form and checks the page then shows the text.
pub async fn save_through_form(
    cx: &TrialCx,
    s: &Session,
    form: Form,
    text: &str,
    summary: &str,
) -> Result<Fetched, TrialError> {
    let saved = post_edit_form(cx, s, form, text, summary, "wpSave").await?;
    ensure!(
        saved.status.is_success(),
        "saving through the form ended with HTTP {}",
        saved.status
    );
    if html::has(&saved.body, "#editform") {
        let why = [
            "#mw-read-only-warning",
            ".mw-message-box-error",
            ".errorbox",
            ".mw-message-box-warning",
        ]
        .iter()
        .find_map(|css| html::text_of(&saved.body, css))
        .unwrap_or_else(|| "no message shown".into());
        return Err(TrialError::fail(format!(
            "the save came back to the edit form instead of the page: {why}"
        )));
    }
    let first_line = text.lines().next().unwrap_or_default();
    ensure!(
        saved.body.contains(first_line),
        "after the save redirect, the page does not show the new text"
    );
    Ok(saved)
}

/// Loads the edit form of `title` and submits it.
pub async fn submit_edit_form(
    cx: &TrialCx,
    s: &Session,
    title: &str,
    text: &str,
    summary: &str,
    button: &str,
) -> Result<Fetched, TrialError> {
    let form = edit_form(s, title).await?;
    post_edit_form(cx, s, form, text, summary, button).await
}
