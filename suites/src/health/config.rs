//! Config sanity: what the wiki says about itself (siteinfo) against the
//! target file: server, paths, wiki id, site name, MediaWiki version and the
//! read-only flag. Each difference is named by its setting.

use wikiharness_harness::client::api::str_at;
use wikiharness_harness::target::WritePolicy;
use wikiharness_harness::{TrialCx, TrialError, TrialOutcome};

/// Compares siteinfo's `general` with the target; fails naming every setting
/// that differs.
pub async fn matches_the_target(cx: TrialCx) -> TrialOutcome {
    let v = cx
        .session()?
        .api_get(&[
            ("action", "query"),
            ("meta", "siteinfo"),
            ("siprop", "general"),
        ])
        .await?;
    let general = |key: &str| {
        str_at(&v, &["query", "general", key])
            .unwrap_or_default()
            .to_owned()
    };
    let target = cx.target();
    let mut wrong = Vec::new();
    let mut differ = |setting: &str, seen: &str, want: &str| {
        wrong.push(format!("`{setting}` is {seen}, the target is {want}"));
    };

    let server = general("server");
    let want_server = target.base_url.as_str().trim_end_matches('/');
    if !same_server(&server, want_server) {
        differ("$wgServer", &server, want_server);
    }
    let article = general("articlepath");
    let want_article = format!("{}$1", target.article_path);
    if article != want_article {
        differ("$wgArticlePath", &article, &want_article);
    }
    let script = general("scriptpath");
    if script != target.script_path {
        differ("$wgScriptPath", &script, &target.script_path);
    }
    let expect = &target.expect;
    let wikiid = general("wikiid");
    if let Some(want) = expect.wikiid.as_deref().filter(|w| *w != wikiid) {
        differ("wikiid ($wgDBname)", &wikiid, want);
    }
    let sitename = general("sitename");
    if let Some(want) = expect.sitename.as_deref().filter(|w| *w != sitename) {
        differ("$wgSitename", &sitename, want);
    }
    let generator = general("generator");
    let version = generator.strip_prefix("MediaWiki ").unwrap_or(&generator);
    if let Some(range) = expect.mediawiki.as_ref().filter(|r| !r.contains(version)) {
        differ(
            "the MediaWiki version",
            version,
            &format!("`{}`", range.text),
        );
    }
    let read_only = v["query"]["general"]["readonly"].as_bool() == Some(true);
    if read_only && matches!(target.write, WritePolicy::Sandbox { .. }) {
        let reason = general("readonlyreason");
        differ(
            "$wgReadOnly",
            &format!("set (\"{reason}\")"),
            "writable (write.policy = \"sandbox\")",
        );
    }
    cx.note(format!(
        "siteinfo: server {server}, articlepath {article}, scriptpath {script}, wikiid {wikiid}, sitename {sitename}, {generator}"
    ));
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(TrialError::fail(wrong.join("; ")))
    }
}

/// Whether siteinfo's `server` names the target's base URL; a
/// protocol-relative server (`//test2.wikipedia.org`) matches either scheme.
pub(crate) fn same_server(server: &str, base: &str) -> bool {
    match server.strip_prefix("//") {
        Some(host) => base.split_once("://").is_some_and(|(_, rest)| rest == host),
        None => server == base,
    }
}
