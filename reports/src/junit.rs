//! `junit.xml` in the shape GitLab reads: one `testsuite` per suite,
//! `classname` = suite, `name` = check, `time` in seconds, failure text,
//! skipped with its reason, attachments as `[[ATTACHMENT|path]]`.

use std::collections::BTreeMap;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use wikiharness_record::{Counts, Status, TrialRecord};

use crate::ReportInput;

/// The `junit.xml` bytes.
pub fn junit(input: &ReportInput<'_>) -> Vec<u8> {
    let mut suites: BTreeMap<&str, Vec<&TrialRecord>> = BTreeMap::new();
    for t in &input.run.trials {
        suites.entry(t.meta.suite.as_str()).or_default().push(t);
    }
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let mut ev = |e: Event<'_>| w.write_event(e).expect("writing to memory");
    ev(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let c = input.run.counts;
    let mut root = BytesStart::new("testsuites");
    root.push_attribute((
        "name",
        format!("wikiharness {}", input.run.info.target).as_str(),
    ));
    push_counts(
        &mut root,
        c,
        input.run.trials.iter().map(|t| t.duration_ms).sum(),
    );
    ev(Event::Start(root));
    for (suite, trials) in suites {
        let mut s = BytesStart::new("testsuite");
        s.push_attribute(("name", suite));
        s.push_attribute(("timestamp", input.run.info.started_at.as_str()));
        push_counts(
            &mut s,
            Counts::of(trials.iter().copied()),
            trials.iter().map(|t| t.duration_ms).sum(),
        );
        ev(Event::Start(s));
        for t in trials {
            let check = t
                .meta
                .name
                .split_once("::")
                .map_or(t.meta.name.as_str(), |(_, c)| c);
            let mut case = BytesStart::new("testcase");
            case.push_attribute(("classname", suite));
            case.push_attribute(("name", check));
            case.push_attribute(("time", format!("{:.3}", t.duration_ms / 1000.0).as_str()));
            ev(Event::Start(case));
            let message = t.message.clone().unwrap_or_default();
            match t.status {
                Status::Passed => {}
                Status::Failed => {
                    let mut f = BytesStart::new("failure");
                    f.push_attribute(("message", message.lines().next().unwrap_or("failed")));
                    f.push_attribute(("type", "failure"));
                    ev(Event::Start(f));
                    ev(Event::Text(BytesText::new(&failure_text(t))));
                    ev(Event::End(BytesEnd::new("failure")));
                }
                Status::Skipped => {
                    let mut s = BytesStart::new("skipped");
                    s.push_attribute(("message", message.as_str()));
                    ev(Event::Empty(s));
                }
            }
            let mut out = format!("team: {}\nfeature: {}\n", t.meta.team, t.meta.feature);
            for a in &t.attachments {
                out.push_str(&format!(
                    "[[ATTACHMENT|{}]]\n",
                    input.run_dir.join(a).display()
                ));
            }
            ev(Event::Start(BytesStart::new("system-out")));
            ev(Event::Text(BytesText::new(&out)));
            ev(Event::End(BytesEnd::new("system-out")));
            ev(Event::End(BytesEnd::new("testcase")));
        }
        ev(Event::End(BytesEnd::new("testsuite")));
    }
    ev(Event::End(BytesEnd::new("testsuites")));
    w.into_inner()
}

fn push_counts(e: &mut BytesStart<'_>, c: Counts, ms: f64) {
    e.push_attribute((
        "tests",
        (c.passed + c.failed + c.skipped).to_string().as_str(),
    ));
    e.push_attribute(("failures", c.failed.to_string().as_str()));
    e.push_attribute(("errors", "0"));
    e.push_attribute(("skipped", c.skipped.to_string().as_str()));
    e.push_attribute(("time", format!("{:.3}", ms / 1000.0).as_str()));
}

/// Failure message plus the evidence, for the JUnit body.
fn failure_text(t: &TrialRecord) -> String {
    let mut s = t.message.clone().unwrap_or_default();
    for e in &t.evidence {
        s.push('\n');
        s.push_str(&e.summary());
    }
    s
}
