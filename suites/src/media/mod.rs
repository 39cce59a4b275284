//! Files and media: uploads of files the run makes (PNG, SVG, PDF), the file
//! store serving their originals, thumbnails scaled by ImageMagick and rsvg,
//! PDF metadata (pdfinfo and pdftotext, run by Shellbox) and page images,
//! upload by URL from a service outside the cluster, and deletion moving a
//! file to the deleted zone and back.
//!
//! Every file's bytes are unique to the run and trial; every file name is in
//! the target's sandbox (`File:<sandbox prefix, flattened>…`); uploads need
//! the account's `upload` right (on production targets its absence is a skip).

mod files;
mod outside;
mod store;

use wikiharness_harness::{Capability, TrialCx, TrialError, TrialOutcome, TrialSpec, ensure};

use files::Made;
use outside::OutsideService;
use store::Stored;

/// Width asked of raster and SVG thumbnails.
const THUMB_WIDTH: u32 = 120;
/// Width asked of the PDF page image.
const PDF_THUMB_WIDTH: u32 = 150;

/// The media trials.
pub fn trials() -> Vec<TrialSpec> {
    let t = |check: &str| {
        TrialSpec::build("media", check)
            .needs(Capability::Write)
            .account("bot")
    };
    vec![
        t("upload_png_is_stored_and_served").run(|cx| async move {
            let made = files::png(&seed(&cx), 64, 48);
            stored_and_served(&cx, "Dot.png", &made).await
        }),
        t("upload_svg_is_stored_and_served").run(|cx| async move {
            let made = files::svg(&seed(&cx), 300, 150);
            stored_and_served(&cx, "Drawing.svg", &made).await
        }),
        t("file_page_shows_the_file_and_its_history").run(|cx| async move {
            let bot = cx.login("bot").await?;
            let file = upload(&cx, &bot, "Page.png", &files::png(&seed(&cx), 80, 60)).await?;
            let page = bot.view(&file.title).await?;
            ensure!(page.status.as_u16() == 200, "{}: HTTP {}", file.title, page.status);
            let path = url::Url::parse(&file.url).map(|u| u.path().to_owned()).unwrap_or_default();
            for (what, needle) in [("the image", path.as_str()), ("the file box", "id=\"file\""), ("the file history", "id=\"filehistory\"")] {
                ensure!(page.body.contains(needle), "the file page {} does not show {what} (`{needle}`)", file.title);
            }
            Ok(())
        }),
        t("thumbnail_has_the_asked_width").run(|cx| async move {
            let bot = cx.login("bot").await?;
            let file = upload(&cx, &bot, "Scaled.png", &files::png(&seed(&cx), 640, 400)).await?;
            thumbnail_width(&cx, &bot, &file, THUMB_WIDTH, &[], "image/png").await
        }),
        t("svg_renders_to_png").run(|cx| async move {
            let bot = cx.login("bot").await?;
            let file = upload(&cx, &bot, "Rendered.svg", &files::svg(&seed(&cx), 300, 150)).await?;
            thumbnail_width(&cx, &bot, &file, THUMB_WIDTH, &[], "image/png").await
        }),
        t("pdf_metadata_through_shellbox").run(|cx| async move {
            let bot = cx.login("bot").await?;
            let word = format!("wh{}", seed(&cx).replace(|c: char| !c.is_ascii_alphanumeric(), ""));
            let pages = [format!("{word} page one"), format!("{word} page two")];
            let file = upload(&cx, &bot, "Document.pdf", &files::pdf(&pages)).await?;
            let info = store::imageinfo(&bot, &file.title, &[("iiprop", "size|metadata")]).await?;
            ensure!(info["pagecount"].as_u64() == Some(2), "PdfHandler reports pagecount {} for a 2-page PDF (pdfinfo runs in Shellbox): {info}", info["pagecount"]);
            let metadata = info["metadata"].to_string();
            for page in &pages {
                ensure!(metadata.contains(page.as_str()), "the PDF's text layer (pdftotext, in Shellbox) lacks `{page}`: metadata {}", crate::support::text::excerpt(&metadata));
            }
            Ok(())
        }),
        t("pdf_page_thumbnail_has_the_asked_width").run(|cx| async move {
            let bot = cx.login("bot").await?;
            let pages = [format!("{} one", seed(&cx)), format!("{} two", seed(&cx))];
            let file = upload(&cx, &bot, "Paged.pdf", &files::pdf(&pages)).await?;
            let param = format!("page2-{PDF_THUMB_WIDTH}px");
            thumbnail_width(&cx, &bot, &file, PDF_THUMB_WIDTH, &[("iiurlparam", &param)], "image/jpeg").await
        }),
        t("upload_by_url_from_an_outside_service").run(|cx| async move {
            let target = cx.target();
            if !target.reaches_harness {
                return Err(TrialError::skip(format!(
                    "target `{}` cannot fetch from the harness's machine (reaches_harness in {})",
                    target.name,
                    target.file.display()
                )));
            }
            let bot = cx.login("bot").await?;
            let made = files::png(&seed(&cx), 50, 50);
            let outside = OutsideService::serve("outside.png", made.mime, made.bytes.clone())
                .await
                .map_err(|e| TrialError::fail(format!("cannot start the outside service: {e}")))?;
            let title = cx.sandbox_file("Fetched.png")?;
            let file = store::upload_from(&cx, &bot, &title, &outside.url).await?;
            let fetches = outside.fetches();
            ensure!(!fetches.is_empty(), "the wiki stored {title} without fetching {}", outside.url);
            cx.note(format!("fetched from {}: {}", outside.url, fetches.join("; ")));
            same_bytes(&bot, &file, &made).await
        }),
        t("delete_and_undelete_move_the_file").run(|cx| async move {
            let bot = cx.login("bot").await?;
            let made = files::png(&seed(&cx), 40, 30);
            let file = upload(&cx, &bot, "Deleted.png", &made).await?;
            let token = bot.token("csrf").await?;
            let reason = format!("wikiharness run {}: deletion trial", cx.run_id());
            bot.api_post(&[("action", "delete"), ("title", &file.title), ("reason", &reason), ("token", &token)]).await?;
            let gone = store::status_of(&bot, &file.url).await?;
            ensure!(gone == 404, "after deletion the original {} answers HTTP {gone} (expected 404)", file.url);
            let name = file.title.trim_start_matches("File:");
            let archive = bot.api_get(&[("action", "query"), ("list", "filearchive"), ("faprefix", name), ("faprop", "sha1")]).await?;
            let archived = archive["query"]["filearchive"].as_array().is_some_and(|a| a.iter().any(|f| f["sha1"].as_str() == Some(file.sha1.as_str())));
            ensure!(archived, "the deleted zone holds no file of SHA-1 {}: {}", file.sha1, archive["query"]);
            bot.api_post(&[("action", "undelete"), ("title", &file.title), ("reason", &reason), ("token", &token)]).await?;
            same_bytes(&bot, &file, &made).await.map_err(|e| e.context("after undeletion"))
        }),
    ]
}

/// Bytes and names unique to this run and trial.
fn seed(cx: &TrialCx) -> String {
    format!("{}-{}", cx.run_id(), cx.trial_tag())
}

/// Uploads `made` as this trial's sandbox file `name`.
async fn upload(
    cx: &TrialCx,
    session: &wikiharness_harness::client::Session,
    name: &str,
    made: &Made,
) -> Result<Stored, TrialError> {
    let title = cx.sandbox_file(name)?;
    store::upload(cx, session, &title, made).await
}

/// Uploads `made`, then its original URL must serve the same bytes.
async fn stored_and_served(cx: &TrialCx, name: &str, made: &Made) -> TrialOutcome {
    let bot = cx.login("bot").await?;
    let file = upload(cx, &bot, name, made).await?;
    same_bytes(&bot, &file, made).await
}

async fn same_bytes(
    session: &wikiharness_harness::client::Session,
    file: &Stored,
    made: &Made,
) -> TrialOutcome {
    let served = store::fetch(session, &file.url).await?;
    ensure!(
        served == made.bytes,
        "the original {} serves {} bytes that differ from the {} uploaded",
        file.url,
        served.len(),
        made.bytes.len()
    );
    Ok(())
}

/// The thumbnail of `file` at `width` (with `params`) is a `mime` image that
/// decodes to that width.
async fn thumbnail_width(
    cx: &TrialCx,
    session: &wikiharness_harness::client::Session,
    file: &Stored,
    width: u32,
    params: &[(&str, &str)],
    mime: &str,
) -> TrialOutcome {
    let asked = width.to_string();
    let mut all = vec![("iiprop", "url|mime"), ("iiurlwidth", asked.as_str())];
    all.extend_from_slice(params);
    let info = store::imageinfo(session, &file.title, &all).await?;
    let thumb = info["thumburl"].as_str().unwrap_or_default().to_owned();
    ensure!(
        !thumb.is_empty() && thumb != file.url,
        "no thumbnail URL for {} at {width}px: {info}",
        file.title
    );
    let bytes = store::fetch(session, &thumb).await?;
    let decoded = files::decoded_width(&bytes)
        .map_err(|e| TrialError::fail(format!("the thumbnail {thumb}: {e}")))?;
    ensure!(
        decoded == width,
        "the thumbnail {thumb} is {decoded} px wide, {width} px were asked"
    );
    let magic_ok = match mime {
        "image/png" => bytes.starts_with(b"\x89PNG"),
        "image/jpeg" => bytes.starts_with(&[0xff, 0xd8]),
        _ => true,
    };
    ensure!(magic_ok, "the thumbnail {thumb} is not {mime}");
    cx.figure("thumbnail bytes", bytes.len() as f64, "bytes");
    Ok(())
}
