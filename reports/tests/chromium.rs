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
        let rendered = wikiharness_browser::render(&url).unwrap();
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

/// Appended to a copy of a page: opens every `<details>`, then lists every
/// element that reaches past the window's right edge or clips its content,
/// into `body[data-layout]` (the DOM dump carries it out).
const MEASURE: &str = r#"<script>
document.querySelectorAll('details').forEach(d => { d.open = true; });
const width = document.documentElement.clientWidth;
const bad = [];
if (document.documentElement.scrollWidth > width + 1) {
  bad.push('page is ' + document.documentElement.scrollWidth + ' px wide');
}
for (const el of document.querySelectorAll('th, td, pre, code, li, p, summary, figure')) {
  const r = el.getBoundingClientRect();
  const what = el.tagName.toLowerCase() + ' "' + el.textContent.trim().slice(0, 50) + '"';
  if (r.right > width + 1) bad.push(what + ' ends at ' + Math.round(r.right) + ' px');
  const style = getComputedStyle(el);
  if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible' && style.overflowX !== 'auto') {
    bad.push(what + ' clips its content');
  }
}
document.body.setAttribute('data-layout', JSON.stringify(bad));
</script>"#;

#[test]
fn pages_are_readable_at_1280_px_with_long_messages() {
    use wikiharness_record::Status;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut run = common::sample(&dir);
    let long_url = format!(
        "http://127.0.0.1:18080/w/api.php?action=parse&format=json&text={}",
        "x".repeat(300)
    );
    for t in run.trials.iter_mut().filter(|t| t.status == Status::Failed) {
        t.message = Some(format!(
            "{} {long_url}\n  last request: POST {long_url} -> 500",
            "a long failure message that goes on and on ".repeat(12)
        ));
        t.evidence[0].url = long_url.clone();
        t.evidence[0].excerpt = format!("{{\"error\":{{\"info\":\"{}\"}}}}", "y".repeat(400));
    }
    common::write(&run, &dir, Changes::default());
    for page in [
        "index.html",
        "team-sre-service-ops.html",
        "team-mediawiki-platform.html",
    ] {
        let html = std::fs::read_to_string(dir.join(page)).unwrap();
        let measured = dir.join(format!("measured-{page}"));
        std::fs::write(
            &measured,
            html.replace("</body>", &format!("{MEASURE}</body>")),
        )
        .unwrap();
        let rendered =
            wikiharness_browser::render(&format!("file://{}", measured.display())).unwrap();
        let doc = scraper::Html::parse_document(&rendered.dom);
        let layout = doc
            .select(&scraper::Selector::parse("body").unwrap())
            .next()
            .and_then(|b| b.value().attr("data-layout").map(str::to_owned))
            .unwrap_or_else(|| {
                panic!(
                    "the measuring script did not run: {:?} {}",
                    rendered.console,
                    &rendered.dom[rendered.dom.len().saturating_sub(600)..]
                )
            });
        let bad: Vec<String> = serde_json::from_str(&layout).unwrap();
        assert!(bad.is_empty(), "{page} at 1280 px: {bad:#?}");
    }
}
