//! VisualEditor's API on top of Parsoid: parse to HTML, save HTML (the stored
//! wikitext must match), and serialise HTML back to the same wikitext.

use wikiharness_harness::client::Session;
use wikiharness_harness::client::api::str_at;
use wikiharness_harness::{Capability, TrialError, TrialSpec, ensure};

use crate::support::{text, wiki};

/// Wikitext that Parsoid must round-trip unchanged.
const ROUND_TRIP: &str = "'''Bold''' and ''italic'' with a [[Main Page|link]].\n\n* item one\n* item two\n\n{| class=\"wikitable\"\n|-\n! head\n|-\n| cell\n|}";

/// The VisualEditor trials.
pub fn trials() -> Vec<TrialSpec> {
    let t = |check: &str| TrialSpec::build("visualeditor", check);
    vec![
        t("parse_returns_parsoid_html").run(|cx| async move {
            let s = cx.session()?;
            let v = ve_parse(&s, &cx.target().main_page).await?;
            let html = str_at(&v, &["visualeditor", "content"]).unwrap_or_default();
            ensure!(html.contains("<body") && html.contains("data-mw-section-id"), "paction=parse content is not Parsoid HTML: {}", text::excerpt(html));
            Ok(())
        }),
        t("save_html_stores_matching_wikitext").needs(Capability::Write).account("bot").run(|cx| async move {
            let title = cx.sandbox_title("VisualEditor save")?;
            let bot = cx.login("bot").await?;
            let first = format!("First paragraph of run {}.", cx.run_id());
            wiki::edit(&cx, &bot, &title, &first, &[]).await?;
            let v = ve_parse(&bot, &title).await?;
            let html = str_at(&v, &["visualeditor", "content"]).unwrap_or_default();
            let added = format!("Added in VisualEditor, run {}.", cx.run_id());
            let cut = html.rfind("</section>").or_else(|| html.rfind("</body>")).ok_or_else(|| TrialError::fail("no </body> in Parsoid HTML"))?;
            let new_html = format!("{}<p>{added}</p>{}", &html[..cut], &html[cut..]);
            let token = bot.token("csrf").await?;
            let saved = bot
                .api_post(&[
                    ("action", "visualeditoredit"),
                    ("paction", "save"),
                    ("page", &title),
                    ("html", &new_html),
                    ("etag", &ve_field(&v, "etag")),
                    ("oldid", &ve_field(&v, "oldid")),
                    ("basetimestamp", &ve_field(&v, "basetimestamp")),
                    ("starttimestamp", &ve_field(&v, "starttimestamp")),
                    ("summary", "wikiharness VisualEditor save"),
                    ("assert", "user"),
                    ("token", &token),
                ])
                .await?;
            let result = str_at(&saved, &["visualeditoredit", "result"]).unwrap_or("missing");
            ensure!(result == "success", "visualeditoredit save: result `{result}`: {saved}");
            let (text, _) = wiki::current(&bot, &title).await?.ok_or_else(|| TrialError::fail("page missing"))?;
            ensure!(text == format!("{first}\n\n{added}"), "stored wikitext after the VisualEditor save is {text:?}");
            Ok(())
        }),
        t("serialize_round_trips").needs(Capability::Write).account("bot").run(|cx| async move {
            let title = cx.sandbox_title("VisualEditor round trip")?;
            let bot = cx.login("bot").await?;
            wiki::edit(&cx, &bot, &title, ROUND_TRIP, &[]).await?;
            let v = ve_parse(&bot, &title).await?;
            let html = str_at(&v, &["visualeditor", "content"]).unwrap_or_default().to_owned();
            let token = bot.token("csrf").await?;
            // With the revision and etag, Parsoid uses selective serialisation, as
            // VisualEditor does: unchanged content keeps its exact wikitext.
            let out = bot
                .api_post(&[
                    ("action", "visualeditoredit"),
                    ("paction", "serialize"),
                    ("page", &title),
                    ("html", &html),
                    ("oldid", &ve_field(&v, "oldid")),
                    ("etag", &ve_field(&v, "etag")),
                    ("token", &token),
                ])
                .await?;
            let text = str_at(&out, &["visualeditoredit", "content"]).unwrap_or_default();
            ensure!(text.trim() == ROUND_TRIP, "HTML -> wikitext did not round-trip.\nexpected: {ROUND_TRIP:?}\n     got: {text:?}");
            Ok(())
        }),
    ]
}

async fn ve_parse(s: &Session, title: &str) -> Result<serde_json::Value, TrialError> {
    let v = s
        .api_get(&[
            ("action", "visualeditor"),
            ("paction", "parse"),
            ("page", title),
        ])
        .await?;
    let result = str_at(&v, &["visualeditor", "result"]).unwrap_or("missing");
    ensure!(
        result == "success",
        "visualeditor paction=parse of [[{title}]]: result `{result}`"
    );
    Ok(v)
}

/// A field of the `paction=parse` answer as text (ids and timestamps alike).
fn ve_field(v: &serde_json::Value, key: &str) -> String {
    let f = &v["visualeditor"][key];
    f.as_str()
        .map(str::to_owned)
        .or_else(|| f.as_u64().map(|n| n.to_string()))
        .unwrap_or_default()
}
