//! Unit tests of the suites' pure helpers (the files the media suite makes,
//! text for messages). The suites' library has no libtest unit-test binary
//! (`cargo test -- --target NAME` would pass it flags libtest refuses), so
//! the helpers' sources are included here and their tests run through
//! libtest-mimic, like every test binary of this package.

#[allow(dead_code)]
#[path = "../src/health/balance.rs"]
mod balance;
#[allow(dead_code)]
#[path = "../src/health/config.rs"]
mod config;
#[allow(dead_code)]
#[path = "../src/media/files.rs"]
mod files;
#[allow(dead_code)]
#[path = "../src/httpbb.rs"]
mod httpbb;
#[allow(dead_code)]
#[path = "../src/support/text.rs"]
mod text;
#[allow(dead_code)]
#[path = "../src/support/titles.rs"]
mod titles;

use libtest_mimic::{Arguments, Failed, Trial};

/// A named unit test.
type Unit = (&'static str, fn() -> Result<(), Failed>);

fn main() {
    let (_, rest) = wikiharness_harness::cli::split_args(std::env::args()).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    });
    let tests: Vec<Unit> = vec![
        (
            "pngs_of_different_seeds_differ_and_decode_to_their_width",
            pngs_differ_and_decode,
        ),
        ("a_pdf_has_its_pages_and_a_consistent_xref", pdf_xref),
        ("capitalise_changes_the_first_letter_only", capitalise),
        (
            "a_protocol_relative_server_matches_either_scheme",
            protocol_relative_server,
        ),
        ("an_even_spread_over_the_replicas_passes", even_spread),
        ("a_replica_that_stops_answering_is_gone", replica_gone),
        ("failed_reads_beyond_the_allowance_fail", failed_reads),
        (
            "a_minimum_of_replicas_is_judged_without_gone",
            minimum_replicas,
        ),
        (
            "httpbb_files_of_one_name_get_their_folders",
            httpbb_suite_names,
        ),
        ("job_titles_are_db_keys_without_namespace", job_title_keys),
    ];
    let trials = tests
        .into_iter()
        .map(|(name, f)| Trial::test(name, f).with_kind("units"))
        .collect();
    libtest_mimic::run(&Arguments::from_iter(rest), trials).exit()
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), Failed> {
    if ok { Ok(()) } else { Err(what().into()) }
}

fn pngs_differ_and_decode() -> Result<(), Failed> {
    let (a, b) = (files::png("run-a", 64, 48), files::png("run-b", 64, 48));
    check(a.bytes != b.bytes, || "two seeds gave the same PNG".into())?;
    check(files::decoded_width(&a.bytes) == Ok(64), || {
        format!("decoded width {:?}", files::decoded_width(&a.bytes))
    })?;
    check(
        files::decoded_width(&a.bytes[..a.bytes.len() / 2]).is_err(),
        || "half a PNG decoded".into(),
    )
}

fn pdf_xref() -> Result<(), Failed> {
    let made = files::pdf(&["one (1)".into(), "two".into()]);
    let text = String::from_utf8(made.bytes)?;
    check(
        text.starts_with("%PDF-1.4") && text.ends_with("%%EOF\n"),
        || "not framed as a PDF".into(),
    )?;
    check(
        text.contains("/Count 2") && text.contains("(one \\(1\\)) Tj"),
        || format!("pages or escaping wrong: {text}"),
    )?;
    let startxref: usize = text
        .rsplit("startxref\n")
        .next()
        .and_then(|rest| rest.lines().next())
        .ok_or("no startxref")?
        .parse()?;
    check(text[startxref..].starts_with("xref\n0 8\n"), || {
        format!("no xref table at {startxref}")
    })?;
    for (i, entry) in text[startxref..].lines().skip(3).take(7).enumerate() {
        let offset: usize = entry[..10].parse()?;
        check(
            text[offset..].starts_with(&format!("{} 0 obj", i + 1)),
            || format!("xref entry {} points at {offset}, not at its object", i + 1),
        )?;
    }
    Ok(())
}

fn capitalise() -> Result<(), Failed> {
    check(
        text::capitalise("ärger im Dorf") == "Ärger im Dorf",
        || "ä".into(),
    )?;
    check(text::capitalise("").is_empty(), || "empty".into())?;
    check(text::excerpt(&"x".repeat(400)).len() == 300, || {
        "excerpt length".into()
    })
}

fn protocol_relative_server() -> Result<(), Failed> {
    check(
        config::same_server("//test2.wikipedia.org", "https://test2.wikipedia.org"),
        || "protocol-relative".into(),
    )?;
    check(
        config::same_server("http://127.0.0.1:18080", "http://127.0.0.1:18080"),
        || "absolute".into(),
    )?;
    check(
        !config::same_server("http://wiki.invalid", "http://127.0.0.1:18080"),
        || "a different server matched".into(),
    )?;
    check(
        !config::same_server("//test.wikipedia.org", "https://test2.wikipedia.org"),
        || "another host matched".into(),
    )
}

/// The local target's `replicas` (exactly 2, `mw-web-N`), with `failures_allowed`.
fn two_replicas(failures_allowed: u32) -> wikiharness_harness::target::Replicas {
    wikiharness_harness::target::Replicas {
        count: wikiharness_harness::target::ReplicaCount::Exactly(2),
        identity: None,
        reads: 60,
        failures_allowed,
    }
}

/// Reads `a`, `b`, `a`, `b`, ... then `tail` after `switch` reads.
fn stream(reads: usize, switch: usize, tail: &[balance::Read]) -> Vec<balance::Read> {
    (0..reads)
        .map(|i| {
            if i < switch {
                balance::Read::Served(["a", "b"][i % 2].into())
            } else {
                tail[i % tail.len()].clone()
            }
        })
        .collect()
}

fn even_spread() -> Result<(), Failed> {
    let spread = balance::Spread::of(&stream(60, 60, &[]));
    let wrong = spread.problems(&two_replicas(0));
    check(wrong.is_empty(), || format!("{wrong:?}"))?;
    check(spread.summary() == "a 30 (50%), b 30 (50%)", || {
        spread.summary()
    })
}

fn replica_gone() -> Result<(), Failed> {
    let a = balance::Read::Served("a".into());
    let spread = balance::Spread::of(&stream(60, 20, &[a]));
    let wrong = spread.problems(&two_replicas(0)).join("; ");
    check(
        wrong == "b is gone: it served 10 reads, the last one read 20 of 60, then none",
        || wrong.clone(),
    )
}

fn failed_reads() -> Result<(), Failed> {
    let reads = stream(
        60,
        58,
        &[balance::Read::Failed("HTTP 502 from /w/api.php".into())],
    );
    let spread = balance::Spread::of(&reads);
    let wrong = spread.problems(&two_replicas(0)).join("; ");
    check(
        wrong == "2 of 60 reads failed (allowance 0), first at read 59: HTTP 502 from /w/api.php",
        || wrong.clone(),
    )?;
    check(spread.problems(&two_replicas(2)).is_empty(), || {
        "allowance 2".into()
    })
}

fn minimum_replicas() -> Result<(), Failed> {
    let mut at_least = two_replicas(0);
    at_least.count = wikiharness_harness::target::ReplicaCount::AtLeast(3);
    let a = balance::Read::Served("a".into());
    let spread = balance::Spread::of(&stream(60, 20, &[a]));
    let wrong = spread.problems(&at_least).join("; ");
    check(
        wrong == "2 replicas answered, the target expects at least 3",
        || wrong.clone(),
    )
}

fn httpbb_suite_names() -> Result<(), Failed> {
    let files: Vec<std::path::PathBuf> = [
        "suites/httpbb/local.yaml",
        "/srv/httpbb/appserver/test_main.yaml",
        "/srv/httpbb/wikifunctions/test_main.yaml",
        "/a/x/test_main.yaml",
        "/b/x/test_main.yaml",
    ]
    .iter()
    .map(Into::into)
    .collect();
    let names = httpbb::suite_names(&files);
    check(
        names
            == [
                "local",
                "appserver/test_main",
                "wikifunctions/test_main",
                "a/x/test_main",
                "b/x/test_main",
            ],
        || format!("{names:?}"),
    )
}

fn job_title_keys() -> Result<(), Failed> {
    let keys = [
        titles::db_key("Wikiharness/R/jobs/template edit fans out/"),
        titles::db_key("User:Alice/Wikiharness/R/x y/"),
        titles::db_key("Wikiharness/R/a:b/"),
    ];
    check(
        keys == [
            "Wikiharness/R/jobs/template_edit_fans_out/",
            "Alice/Wikiharness/R/x_y/",
            "Wikiharness/R/a:b/",
        ],
        || format!("{keys:?}"),
    )
}
