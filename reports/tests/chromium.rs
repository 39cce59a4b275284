//! The generated index opens in headless Chromium (Debian's) without console
//! errors, and its filter script runs (it reveals the filter controls).

mod common;

use wikiharness_readiness::history::Changes;

#[test]
fn index_renders_in_chromium_without_console_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let run = common::sample(&dir);
    common::write(&run, &dir, Changes::default());
    for page in ["index.html", "team-sre-service-ops.html"] {
        let url = format!("file://{}", dir.join(page).display());
        let rendered = wikiharness_harness::browser::render(&url).unwrap();
        assert!(
            rendered.console.is_empty(),
            "{page}: console messages {:?}",
            rendered.console
        );
        let doc = scraper::Html::parse_document(&rendered.dom);
        let filters = doc
            .select(&scraper::Selector::parse(".filters").unwrap())
            .next()
            .expect("filters in the DOM");
        assert!(
            filters.value().attr("hidden").is_none(),
            "{page}: the filter script did not run"
        );
    }
}
