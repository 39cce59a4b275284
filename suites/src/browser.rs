//! UI that calls the API behind it, in a real browser (headless Chromium via
//! ChromeDriver and fantoccini): login, VisualEditor edit and save,
//! VisualEditor's source/visual switch (a Parsoid round trip), and the classic
//! editor's preview. Every trial fails on JavaScript errors from the wiki's own
//! code, and a failing trial attaches a screenshot.

use std::future::Future;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use serde_json::json;
use wikiharness_browser::{self as browser, Driver};
use wikiharness_harness::{Capability, TrialCx, TrialError, TrialOutcome, TrialSpec, ensure};

use crate::support::{titles, wiki};

/// How long a browser trial may wait for one thing to appear.
const WAIT: Duration = Duration::from_secs(45);

/// The browser trials.
pub fn trials() -> Vec<TrialSpec> {
    let t = |check: &str| {
        TrialSpec::build("browser", check)
            .needs(Capability::Browser)
            .account("user")
            .timeout(Duration::from_secs(240))
    };
    vec![
        t("login_through_the_login_page").run(|cx| async move {
            let c = cx.clone();
            with_browser(&cx, |b| async move {
                let user = login(&c, &b).await?;
                let shown = text(&b, "#pt-userpage").await?;
                ensure!(shown == user, "after the browser login the user menu shows `{shown}`, expected `{user}`");
                Ok(())
            })
            .await
        }),
        t("visualeditor_edit_and_save").needs(Capability::Write).account("bot").run(|cx| async move {
            let title = cx.sandbox_title("Browser VE save")?;
            let bot = cx.login("bot").await?;
            let first = format!("First paragraph of run {}.", cx.run_id());
            wiki::edit(&cx, &bot, &title, &first, &[]).await?;
            let typed = titles::unique_word(&cx, "typed");
            let before = wiki::revision_count(&bot, &title).await?;
            let (c, t, word) = (cx.clone(), title.clone(), typed.clone());
            with_browser(&cx, |b| async move {
                login(&c, &b).await?;
                open_visualeditor(&c, &b, &t).await?;
                let doc = wait_interactable(&b, ".ve-ce-documentNode[contenteditable=true]").await?;
                doc.click().await.map_err(cmd("click the editing surface"))?;
                b.execute("ve.init.target.getSurface().getModel().getLinearFragment(new ve.Range(1)).select();", vec![])
                    .await
                    .map_err(cmd("put the cursor at the start"))?;
                doc.send_keys(&format!("{word} ")).await.map_err(cmd("type into VisualEditor"))?;
                let save = wait_interactable(&b, ".oo-ui-tool-name-showSave a").await?;
                save.click().await.map_err(cmd("open the save dialog"))?;
                let summary = wait_interactable(&b, ".ve-ui-mwSaveDialog-summary textarea").await?;
                summary.send_keys("wikiharness browser save").await.map_err(cmd("type the summary"))?;
                let confirm = wait_interactable(&b, ".oo-ui-processDialog-actions-primary a").await?;
                confirm.click().await.map_err(cmd("save"))?;
                let saved = wait_js(&b, "return !document.documentElement.classList.contains('ve-activated') && !!document.querySelector('#mw-content-text');", "the page after saving").await;
                if let Err(e) = saved {
                    let shown = b.execute("var e = document.querySelector('.oo-ui-processDialog-errors'); return e ? e.innerText : '';", vec![]).await.ok();
                    let shown = shown.as_ref().and_then(|v| v.as_str()).unwrap_or_default().trim().to_owned();
                    return Err(if shown.is_empty() { e } else { e.context(&format!("VisualEditor says: {shown}")) });
                }
                Ok(())
            })
            .await?;
            let (text, _) = wiki::current(&bot, &title).await?.ok_or_else(|| TrialError::fail("page missing after the save"))?;
            ensure!(text.contains(&typed) && text.contains(&first), "the saved wikitext lacks the typed text or lost the original: {text:?}");
            ensure!(wiki::revision_count(&bot, &title).await? == before + 1, "the save made no new revision");
            Ok(())
        }),
        t("visualeditor_source_switch_round_trips").needs(Capability::Write).account("bot").run(|cx| async move {
            let title = cx.sandbox_title("Browser VE switch")?;
            let bot = cx.login("bot").await?;
            let text = format!("'''Bold''' text of run {} with a [[Main Page|link]].\n\n* one\n* two", cx.run_id());
            wiki::edit(&cx, &bot, &title, &text, &[]).await?;
            let before = wiki::revision_count(&bot, &title).await?;
            let (c, t, run, expected) = (cx.clone(), title.clone(), cx.run_id().to_owned(), text.clone());
            with_browser(&cx, |b| async move {
                login(&c, &b).await?;
                open_visualeditor(&c, &b, &t).await?;
                // Visual -> source: VisualEditor serialises its HTML through Parsoid and
                // hands the wikitext to the classic source editor (the default on
                // Wikimedia wikis, where the 2017 wikitext editor is a beta feature).
                wait_interactable(&b, ".ve-ui-toolbar-group-editMode .oo-ui-popupToolGroup-handle").await?.click().await.map_err(cmd("open the edit-mode menu"))?;
                wait_interactable(&b, ".oo-ui-tool-name-editModeSource a").await?.click().await.map_err(cmd("switch to source editing"))?;
                let area = wait_for(&b, "#wpTextbox1").await.map_err(|e| e.context("source editing did not open"))?;
                wait_js(&b, "return !!document.querySelector('#wpTextbox1') && document.querySelector('#wpTextbox1').value.length > 0;", "the wikitext in the source editor").await?;
                let wikitext = area.prop("value").await.map_err(cmd("read the wikitext"))?.unwrap_or_default();
                ensure!(wikitext.trim() == expected.trim(), "visual -> source changed the wikitext:\nexpected: {expected:?}\n     got: {wikitext:?}");
                // Source -> visual: the wikitext goes back through Parsoid into VisualEditor.
                wait_interactable(&b, ".ve-init-mw-editSwitch .oo-ui-popupToolGroup-handle").await?.click().await.map_err(cmd("open the edit-mode menu of the source editor"))?;
                wait_interactable(&b, ".oo-ui-tool-name-editModeVisual a").await?.click().await.map_err(cmd("switch to visual editing"))?;
                wait_activation(&b).await?;
                let shown = b
                    .execute("return document.querySelector('.ve-ce-documentNode').innerText;", vec![])
                    .await
                    .map_err(cmd("read the surface"))?;
                let shown = shown.as_str().unwrap_or_default().to_owned();
                ensure!(shown.contains(&format!("text of run {run}")) && shown.contains("two"), "after source -> visual the surface shows {shown:?}");
                let modified = b.execute("return ve.init.target.getSurface().getModel().hasBeenModified();", vec![]).await.map_err(cmd("ask VisualEditor"))?;
                ensure!(modified == json!(false), "switching modes changed the document (hasBeenModified = {modified})");
                Ok(())
            })
            .await?;
            ensure!(wiki::revision_count(&bot, &title).await? == before, "switching modes saved a revision");
            let (stored, _) = wiki::current(&bot, &title).await?.unwrap_or_default();
            ensure!(stored == text, "the stored wikitext changed: {stored:?}");
            Ok(())
        }),
        t("classic_editor_preview").needs(Capability::Write).run(|cx| async move {
            let title = cx.sandbox_title("Browser preview")?;
            let marker = titles::unique_word(&cx, "preview");
            let (c, t) = (cx.clone(), title.clone());
            with_browser(&cx, |b| async move {
                login(&c, &b).await?;
                let mut url = c.target().index_url();
                // The welcome dialog VisualEditor shows a user once, over the classic
                // editor too, is not what this trial checks (the VisualEditor trials
                // suppress it the same way).
                url.query_pairs_mut().append_pair("title", &t).append_pair("action", "edit").append_pair("vehidebetadialog", "1");
                b.goto(url.as_str()).await.map_err(cmd("open the edit form"))?;
                let area = wait_interactable(&b, "#wpTextbox1").await?;
                area.send_keys(&format!("'''{marker}'''")).await.map_err(cmd("type in the textarea"))?;
                wait_interactable(&b, "#wpPreview").await?.click().await.map_err(cmd("preview"))?;
                let bold = wait_for(&b, "#wikiPreview b").await?;
                let shown = bold.text().await.map_err(cmd("read the preview"))?;
                ensure!(shown == marker, "the preview shows `{shown}` in bold, expected `{marker}`");
                Ok(())
            })
            .await?;
            let anon = cx.session()?;
            ensure!(wiki::current(&anon, &title).await?.is_none(), "preview saved the page");
            Ok(())
        }),
    ]
}

fn cmd(what: &str) -> impl Fn(fantoccini::error::CmdError) -> TrialError + '_ {
    move |e| TrialError::fail(format!("browser: {what}: {e}"))
}

/// Runs `body` with a fresh browser session; checks the console for the
/// wiki's JavaScript errors, attaches a screenshot when the trial fails.
/// Skips (with the reason) when no browser can be started.
async fn with_browser<F, Fut>(cx: &TrialCx, body: F) -> TrialOutcome
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = TrialOutcome>,
{
    // Installs Chromium and ChromeDriver when missing and allowed (root), like the local wiki.
    let installed = tokio::task::spawn_blocking(browser::ensure_installed)
        .await
        .map_err(|e| TrialError::fail(e.to_string()))?;
    installed.map_err(|e| TrialError::skip(format!("no browser: {e}")))?;
    let started = Instant::now();
    let driver = Driver::start().await.map_err(TrialError::Skipped)?;
    let session = driver.session().await.map_err(TrialError::Skipped)?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    cx.figure("browser session start", ms, "ms");
    eprintln!(
        "wikiharness: {}: browser session started in {ms:.0} ms",
        cx.meta().name
    );
    let result = tokio::time::timeout(Duration::from_secs(180), body(session.client.clone()))
        .await
        .unwrap_or_else(|_| {
            Err(TrialError::fail(
                "the browser trial did not finish within 180 s",
            ))
        });
    let origin = cx
        .target()
        .base_url
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    let console = session.console().await.unwrap_or_default();
    for e in console.iter().filter(|e| e.level == "SEVERE") {
        cx.note(format!("browser console ({}): {}", e.source, e.message));
    }
    let errors: Vec<String> = browser::script_errors(&console, &origin)
        .iter()
        .map(|e| e.message.clone())
        .collect();
    let result = match result {
        Ok(()) if !errors.is_empty() => Err(TrialError::fail(format!(
            "JavaScript errors from the wiki's code: {}",
            errors.join(" | ")
        ))),
        other => other,
    };
    if matches!(result, Err(TrialError::Failed(_))) {
        match session.screenshot().await {
            Ok(png) => {
                cx.attach("screenshot.png", &png)?;
            }
            Err(e) => cx.note(format!("no screenshot: {e}")),
        }
    }
    session.close().await;
    drop(driver);
    result
}

/// Logs in through the login page as the `user` account; returns the user name.
async fn login(cx: &TrialCx, b: &Client) -> Result<String, TrialError> {
    let creds = cx.credentials("user")?;
    b.goto(cx.target().article_url("Special:UserLogin").as_str())
        .await
        .map_err(cmd("open the login page"))?;
    wait_interactable(b, "#wpName1")
        .await?
        .send_keys(&creds.user)
        .await
        .map_err(cmd("type the user name"))?;
    wait_interactable(b, "#wpPassword1")
        .await?
        .send_keys(creds.password.expose())
        .await
        .map_err(cmd("type the password"))?;
    wait_interactable(b, "#wpLoginAttempt")
        .await?
        .click()
        .await
        .map_err(cmd("log in"))?;
    wait_for(b, "#pt-userpage")
        .await
        .map_err(|e| e.context("the login page did not log in"))?;
    Ok(creds.user)
}

/// Opens `title` with `?veaction=edit` and waits until VisualEditor says it is ready.
async fn open_visualeditor(cx: &TrialCx, b: &Client, title: &str) -> Result<(), TrialError> {
    let mut url = cx.target().article_url(title);
    url.query_pairs_mut()
        .append_pair("veaction", "edit")
        .append_pair("vehidebetadialog", "1")
        .append_pair("hidewelcomedialog", "1");
    b.goto(url.as_str())
        .await
        .map_err(cmd("open VisualEditor"))?;
    wait_activation(b).await
}

/// Waits for VisualEditor's `ve.activationComplete` hook. The hook remembers
/// that it fired, so a handler added late still runs.
async fn wait_activation(b: &Client) -> Result<(), TrialError> {
    let script = "var done = arguments[arguments.length - 1];
        (function wait() {
            if (window.mw && mw.hook) { mw.hook('ve.activationComplete').add(function () { done(true); }); }
            else { setTimeout(wait, 50); }
        }());";
    tokio::time::timeout(WAIT, b.execute_async(script, vec![]))
        .await
        .map_err(|_| {
            TrialError::fail(format!(
                "VisualEditor did not become ready within {} s",
                WAIT.as_secs()
            ))
        })?
        .map_err(cmd("wait for VisualEditor"))?;
    Ok(())
}

/// Waits until the element at `css` can take a click or keys the way a user's
/// would: displayed, enabled, and not covered by anything else (a dialog, an
/// overlay still fading out) at its centre. Returns it, or fails saying what
/// stood in the way.
async fn wait_interactable(
    b: &Client,
    css: &str,
) -> Result<fantoccini::elements::Element, TrialError> {
    let script = "var el = document.querySelector(arguments[0]);
        if (!el) { return 'not in the page'; }
        var r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') { return 'not displayed'; }
        if (el.disabled || el.getAttribute('aria-disabled') === 'true') { return 'disabled'; }
        if (r.top < 0 || r.bottom > innerHeight) { el.scrollIntoView({ block: 'center' }); r = el.getBoundingClientRect(); }
        var top = document.elementFromPoint(r.left + r.width / 2, r.top + Math.min(r.height / 2, 10));
        if (top && (top === el || el.contains(top))) { return 'ok'; }
        return top ? 'covered by ' + top.tagName.toLowerCase() + (top.className ? '.' + String(top.className).trim().split(/\\s+/).join('.') : '') : 'outside the window';";
    let deadline = Instant::now() + WAIT;
    loop {
        let state = b
            .execute(script, vec![json!(css)])
            .await
            .map_err(cmd("look at the page"))?;
        let state = state.as_str().unwrap_or("unknown").to_owned();
        if state == "ok" {
            return b
                .find(Locator::Css(css))
                .await
                .map_err(cmd(&format!("find `{css}`")));
        }
        ensure!(
            Instant::now() < deadline,
            "`{css}` was not interactable within {} s: {state}",
            WAIT.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for(b: &Client, css: &str) -> Result<fantoccini::elements::Element, TrialError> {
    b.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| {
            TrialError::fail(format!(
                "`{css}` did not appear within {} s: {e}",
                WAIT.as_secs()
            ))
        })
}

/// Waits until `script` returns true.
async fn wait_js(b: &Client, script: &str, what: &str) -> Result<(), TrialError> {
    let deadline = Instant::now() + WAIT;
    loop {
        if b.execute(script, vec![]).await.ok() == Some(json!(true)) {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "{what}: not reached within {} s",
            WAIT.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn text(b: &Client, css: &str) -> Result<String, TrialError> {
    wait_for(b, css)
        .await?
        .text()
        .await
        .map_err(cmd("read text"))
}
