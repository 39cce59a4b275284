//! Features that run external binaries: SyntaxHighlight (pygmentize, through
//! the Shellbox service), Scribunto (Lua), the Shellbox service itself, and
//! diffs. Content is unique to the run so that no cache answers for the renderer.

use wikiharness_harness::client::api::str_at;
use wikiharness_harness::{Capability, TrialError, TrialSpec, ensure};

use crate::support::{html, text, titles, wiki};

/// The tracking category of failed highlights.
const HIGHLIGHT_ERRORS: &str = "Pages_with_syntax_highlighting_errors";

/// The external-binary trials.
pub fn trials() -> Vec<TrialSpec> {
    let t = |check: &str| TrialSpec::build("shellbox", check);
    vec![
        t("syntaxhighlight_parse_has_token_spans").run(|cx| async move {
            let s = cx.session()?;
            let (out, categories) = wiki::parse(&s, "SyntaxHighlight check", &code_block(&titles::unique_word(&cx, "parse"))).await?;
            ensure!(!categories.iter().any(|c| c == HIGHLIGHT_ERRORS), "parse put the page in {HIGHLIGHT_ERRORS}");
            highlighted(&out)
        }),
        t("syntaxhighlight_page_view_has_token_spans").needs(Capability::Write).account("bot").run(|cx| async move {
            let title = cx.sandbox_title("SyntaxHighlight page")?;
            let bot = cx.login("bot").await?;
            wiki::edit(&cx, &bot, &title, &code_block(&titles::unique_word(&cx, "view")), &[]).await?;
            let page = cx.session()?.view(&title).await?;
            ensure!(page.status == 200, "page view: HTTP {}", page.status);
            ensure!(!page.body.contains(HIGHLIGHT_ERRORS.replace('_', " ").as_str()), "the page is in the syntax-highlighting error category");
            highlighted(&page.body)
        }),
        t("scribunto_invoke_runs_lua").needs(Capability::Write).account("bot").run(|cx| async move {
            let module = titles::in_namespace(&cx, "Module", "Hello")?;
            let bot = cx.login("bot").await?;
            let word = titles::unique_word(&cx, "lua");
            let code = "local p = {}\nfunction p.hello(frame)\n  return 'Lua says ' .. string.upper(frame.args[1])\nend\nreturn p";
            wiki::edit(&cx, &bot, &module, code, &[("contentmodel", "Scribunto")]).await?;
            let name = module.trim_start_matches("Module:");
            let v = bot
                .api_post(&[("action", "parse"), ("title", "Scribunto check"), ("text", &format!("{{{{#invoke:{name}|hello|{word}}}}}")), ("prop", "text|limitreportdata"), ("contentmodel", "wikitext")])
                .await?;
            let out = str_at(&v, &["parse", "text"]).unwrap_or_default();
            let want = format!("Lua says {}", word.to_uppercase());
            ensure!(out.contains(&want), "#invoke did not return `{want}`: {}", html::text_of(out, "body").unwrap_or_else(|| text::excerpt(out)));
            let report = v["parse"]["limitreportdata"].to_string();
            ensure!(report.contains("scribunto-limitreport-timeusage"), "the limit report has no Scribunto entries: {report}");
            let engine = if report.contains("scribunto-limitreport-profile") { "LuaSandbox" } else { "LuaStandalone" };
            cx.note(format!("Scribunto engine (from the limit report): {engine}"));
            Ok(())
        }),
        t("shellbox_service_health").run(|cx| async move {
            let Some(base) = cx.target().shellbox_url.clone() else {
                return Err(TrialError::skip(format!("target `{}` names no shellbox_url", cx.target().name)));
            };
            let url = base.join(&format!("{}/healthz", base.path().trim_end_matches('/'))).map_err(|e| TrialError::fail(e.to_string()))?;
            let f = cx.session()?.get(url).await?;
            ensure!(f.status == 200, "healthz: HTTP {}", f.status);
            let v = f.json()?;
            ensure!(v["__"].as_str() == Some("Shellbox running"), "healthz answered {v}");
            Ok(())
        }),
        t("diffs_render").needs(Capability::Write).account("bot").run(|cx| async move {
            let title = cx.sandbox_title("Diff")?;
            let bot = cx.login("bot").await?;
            let base = format!("Diff base of run {}.", cx.run_id());
            let added = titles::unique_word(&cx, "added");
            let old = wiki::edit(&cx, &bot, &title, &base, &[]).await?.revid;
            let new = wiki::edit(&cx, &bot, &title, &format!("{base}\n\nLine {added}."), &[]).await?.revid;
            let v = bot.api_get(&[("action", "compare"), ("fromrev", &old.to_string()), ("torev", &new.to_string())]).await?;
            let body = str_at(&v, &["compare", "body"]).unwrap_or_default();
            ensure!(body.contains("diff-addedline") && body.contains(&added), "action=compare does not show the added line: {}", text::excerpt(body));
            let page = cx.session()?.index(&[("title", &title), ("diff", &new.to_string()), ("oldid", &old.to_string())]).await?;
            let table = html::text_of(&page.body, "table.diff").unwrap_or_default();
            ensure!(table.contains(&added), "the diff page view does not show the added line (table.diff: {:?})", table.chars().take(200).collect::<String>());
            Ok(())
        }),
    ]
}

/// Python code with a unique function name, so that no cache holds its highlight.
fn code_block(word: &str) -> String {
    format!(
        "<syntaxhighlight lang=\"python\">\ndef f_{word}(x):\n    return x + 1\n</syntaxhighlight>"
    )
}

/// Highlight spans inside `div.mw-highlight`; a plain `<pre>` fallback fails.
fn highlighted(page: &str) -> Result<(), TrialError> {
    ensure!(
        html::has(page, "div.mw-highlight"),
        "no div.mw-highlight in the output: SyntaxHighlight did not render"
    );
    let keywords = html::count_within(page, "div.mw-highlight", "span.k");
    ensure!(
        keywords > 0,
        "div.mw-highlight holds a plain <pre> without token spans: pygmentize did not run (Shellbox down or failing?)"
    );
    Ok(())
}
