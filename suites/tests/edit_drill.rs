//! Edit drills: `concurrency::simultaneous_edits_lose_nothing` must fail when
//! the wiki says it saved an edit that it then lost, and when it saves one
//! edit twice. Run through the harness's entry (the `wiki` binary) against the
//! local wiki: once as it is (must pass), then with PHP in the wiki's
//! configuration that rewrites the drill's edit requests before MediaWiki
//! reads them — dropping each editor's second line (the API answers Success,
//! `nochange`: an accepted edit lost) or doubling it (one edit saved twice).
//! Only requests carrying the drill's header are touched.

mod common;

use libtest_mimic::Failed;

/// The trial the drills break.
const TRIAL: &str = "concurrency::simultaneous_edits_lose_nothing";

fn main() {
    common::main(
        vec![
            ("a_lost_accepted_edit_fails", lost_edit),
            ("an_edit_saved_twice_fails", doubled_edit),
        ],
        "edit-drill",
    )
}

fn lost_edit() -> Result<(), Failed> {
    // The text without its last line is the page as it was: nothing changes.
    let php = rewrite_second_lines("lose", "$m[1]");
    let message = control_then_broken("lose", &php)?;
    expect(&message, "lost update: accepted edits")
}

fn doubled_edit() -> Result<(), Failed> {
    let php = rewrite_second_lines("twice", "$m[1] . $m[2] . $m[2]");
    let message = control_then_broken("twice", &php)?;
    expect(&message, "saved twice: accepted edits")
}

/// PHP that, for drill requests marked `mark`, replaces an edit's text whose
/// last line is an editor's second line (`line 1 from ROLE`) by `replacement`
/// (`$m[1]`: the text before it, `$m[2]`: the line with its newline).
fn rewrite_second_lines(mark: &str, replacement: &str) -> String {
    format!(
        "if ( {} && ( $_POST['action'] ?? '' ) === 'edit'
            && preg_match( '/^(.*)(\\nline 1 from \\w+)$/s', $_POST['text'] ?? '', $m ) ) {{
            $_POST['text'] = {replacement};
        }}",
        common::drill_request(mark)
    )
}

/// Runs the trial as the wiki is (it must pass), then with `php` in force;
/// the second run's failure message.
fn control_then_broken(mark: &str, php: &str) -> Result<String, Failed> {
    let tmp = tempfile::tempdir()?;
    let (_, trial) = common::passes_then_fails(tmp.path(), mark, "", &[], TRIAL, php)?;
    Ok(trial["message"].as_str().unwrap_or_default().to_owned())
}

fn expect(message: &str, start: &str) -> Result<(), Failed> {
    if !message.starts_with(start) {
        return Err(format!("failed, but not with `{start}…`: {message}").into());
    }
    eprintln!("edit drill: {TRIAL} failed: {message}");
    Ok(())
}
