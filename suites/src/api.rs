//! The action API (`api.php`): site information, query modules, parse, edits
//! with CSRF tokens, both login flows, token errors and `servedby`.

use std::time::Duration;

use serde_json::Value;
use wikiharness_harness::client::api::str_at;
use wikiharness_harness::{Capability, ClientError, TrialError, TrialSpec, ensure};

use crate::support::{poll, text, titles, wiki};

/// Extensions the suites rely on; siteinfo must list them.
const EXTENSIONS: &[&str] = &[
    "ParserFunctions",
    "Cite",
    "SyntaxHighlight",
    "Scribunto",
    "TemplateData",
    "VisualEditor",
];

/// The action API trials.
pub fn trials() -> Vec<TrialSpec> {
    let t = |check: &str| TrialSpec::build("api", check);
    vec![
        t("siteinfo_general_extensions_statistics").run(|cx| async move {
            let s = cx.session()?;
            let v = s.api_get(&[("action", "query"), ("meta", "siteinfo"), ("siprop", "general|extensions|statistics")]).await?;
            ensure!(v["servedby"].as_str().is_some_and(|b| !b.is_empty()), "no `servedby` in the API answer (servedby=1 was sent)");
            let generator = str_at(&v, &["query", "general", "generator"]).unwrap_or_default();
            ensure!(generator.starts_with("MediaWiki "), "general.generator is `{generator}`");
            let main = str_at(&v, &["query", "general", "mainpage"]).unwrap_or_default();
            ensure!(main == cx.target().main_page, "general.mainpage is `{main}`, the target says `{}`", cx.target().main_page);
            let names: Vec<&str> = v["query"]["extensions"].as_array().map(|a| a.iter().filter_map(|e| e["name"].as_str()).collect()).unwrap_or_default();
            let missing: Vec<_> = EXTENSIONS.iter().filter(|e| !names.contains(e)).collect();
            ensure!(missing.is_empty(), "siteinfo does not list extensions {missing:?}");
            // Site statistics are cached counters that drift (a save that fails half-way
            // loses its increment): assert they are served, not their exact values.
            let stats = &v["query"]["statistics"];
            let absent: Vec<_> = ["pages", "articles", "edits", "users"].into_iter().filter(|k| stats[k].as_i64().is_none()).collect();
            ensure!(absent.is_empty(), "statistics lacks the counters {absent:?}: {stats}");
            let edits = stats["edits"].as_i64().unwrap_or(0);
            ensure!(edits >= 1, "statistics.edits is {edits}");
            Ok(())
        }),
        t("query_modules_info_revisions_categories_links_rc").needs(Capability::Write).account("bot").timeout(Duration::from_secs(120)).run(|cx| async move {
            let title = cx.sandbox_title("Query modules")?;
            let category = titles::unique_word(&cx, "querycat");
            let link = cx.sandbox_title("Query link target")?;
            let bot = cx.login("bot").await?;
            let saved = wiki::edit(&cx, &bot, &title, &format!("Run {}. [[{link}]] [[Category:{category}]]", cx.run_id()), &[]).await?;
            let page = wiki::page_query(&bot, &title, &[("prop", "info|revisions"), ("rvprop", "ids|user|comment")]).await?;
            ensure!(page["lastrevid"].as_u64() == Some(saved.revid), "prop=info lastrevid {} != saved revision {}", page["lastrevid"], saved.revid);
            ensure!(page["revisions"][0]["revid"].as_u64() == Some(saved.revid), "prop=revisions does not show revision {}", saved.revid);
            let s = cx.session()?;
            poll::until(&cx, "categories and links recorded", || async {
                let p = wiki::page_query(&s, &title, &[("prop", "categories|links")]).await?;
                let cats = wiki::titles(&p["categories"]);
                let links = wiki::titles(&p["links"]);
                let want_cat = format!("Category:{}", text::capitalise(&category));
                Ok(if cats.contains(&want_cat) && links.contains(&link) { Ok(()) } else { Err(format!("categories {cats:?}, links {links:?}")) })
            })
            .await?;
            poll::until(&cx, "recent changes lists the edit", || async {
                let v = s.api_get(&[("action", "query"), ("list", "recentchanges"), ("rctitle", &title), ("rcprop", "ids|title")]).await?;
                let ids: Vec<u64> = v["query"]["recentchanges"].as_array().map(|a| a.iter().filter_map(|r| r["revid"].as_u64()).collect()).unwrap_or_default();
                Ok(if ids.contains(&saved.revid) { Ok(()) } else { Err(format!("rc revids {ids:?}")) })
            })
            .await
        }),
        t("parse_renders_wikitext").run(|cx| async move {
            let s = cx.session()?;
            let marker = titles::unique_word(&cx, "parse");
            let (html, _) = wiki::parse(&s, "API parse", &format!("'''{marker}''' {{{{#if: x | pf-yes | pf-no }}}}")).await?;
            ensure!(html.contains(&format!("<b>{marker}</b>")), "parse did not render bold text: {}", text::excerpt(&html));
            ensure!(html.contains("pf-yes") && !html.contains("pf-no"), "ParserFunctions #if did not render: {}", text::excerpt(&html));
            Ok(())
        }),
        t("edit_create_append_section").needs(Capability::Write).account("bot").run(|cx| async move {
            let title = cx.sandbox_title("API edit")?;
            let bot = cx.login("bot").await?;
            let run = cx.run_id().to_owned();
            let created = wiki::edit(&cx, &bot, &title, &format!("Intro {run}.\n\n== One ==\nfirst section\n\n== Two ==\nsecond section"), &[("createonly", "1")]).await?;
            ensure!(created.changed, "create made no revision");
            wiki::append(&cx, &bot, &title, "\nappended line").await?;
            wiki::edit(&cx, &bot, &title, "== One ==\nfirst section, edited", &[("section", "1")]).await?;
            let (text, _) = wiki::current(&bot, &title).await?.ok_or_else(|| TrialError::fail("page missing after create"))?;
            let expected = format!("Intro {run}.\n\n== One ==\nfirst section, edited\n\n== Two ==\nsecond section\nappended line");
            ensure!(text == expected, "stored text differs.\nexpected: {expected:?}\n     got: {text:?}");
            ensure!(wiki::revision_count(&bot, &title).await? == 3, "expected 3 revisions (create, append, section edit)");
            Ok(())
        }),
        t("bot_password_login").account("bot").run(|cx| async move {
            let creds = cx.credentials("bot")?;
            let s = cx.login("bot").await?;
            let me = wiki::whoami(&s).await?;
            ensure!(me == creds.wiki_user(), "after bot-password login the API says the user is `{me}`, expected `{}`", creds.wiki_user());
            Ok(())
        }),
        t("clientlogin").account("user").run(|cx| async move {
            let creds = cx.credentials("user")?;
            let s = cx.session()?;
            s.client_login(&creds).await?;
            let me = wiki::whoami(&s).await?;
            ensure!(me == creds.user, "after clientlogin the API says the user is `{me}`, expected `{}`", creds.user);
            Ok(())
        }),
        t("bad_token_gives_badtoken").needs(Capability::Write).account("bot").run(|cx| async move {
            let title = cx.sandbox_title("API bad token")?;
            let bot = cx.login("bot").await?;
            let r = bot
                .api_post(&[("action", "edit"), ("title", &title), ("text", "must not be saved"), ("assert", "user"), ("token", "0123456789abcdef0123456789abcdef+\\")])
                .await;
            match r {
                Err(ClientError::Api { code, .. }) if code == "badtoken" => {}
                Err(e) => return Err(TrialError::fail(format!("expected API error `badtoken`, got: {e}"))),
                Ok(v) => return Err(TrialError::fail(format!("an edit with a bad token was accepted: {v}"))),
            }
            ensure!(wiki::current(&bot, &title).await?.is_none(), "the page was created despite the bad token");
            Ok(())
        }),
    ]
}

/// Whether a JSON array of objects holds one whose `key` equals `value`.
pub fn has_entry(list: &Value, key: &str, value: &str) -> bool {
    list.as_array()
        .is_some_and(|a| a.iter().any(|e| e[key].as_str() == Some(value)))
}
