//! Answers as comparable `path = value` lines.

use std::collections::{BTreeMap, BTreeSet};

use scraper::{Html, Node};
use serde_json::Value;

use super::rules::Rules;

/// Headers compared between back ends.
pub const COMPARED_HEADERS: &[&str] = &["content-type", "location", "content-language"];

/// A normalised answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// `path = value` lines, keyed by path.
    pub fields: BTreeMap<String, String>,
}

impl Snapshot {
    /// Normalises an answer: status, selected headers, and the body (JSON
    /// structurally, HTML by its DOM, anything else by lines). `hosts` are the
    /// hosts (host:port) of both back ends: each is masked wherever it appears
    /// (a shared cache can hand one front the other's URLs).
    pub fn of(
        status: u16,
        headers: &[(String, String)],
        content_type: &str,
        body: &str,
        rules: &Rules,
        hosts: &[&str],
    ) -> Self {
        let mut fields = BTreeMap::new();
        fields.insert("status".to_owned(), status.to_string());
        for (name, value) in headers {
            if COMPARED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                fields.insert(
                    format!("header {}", name.to_ascii_lowercase()),
                    apply_all(rules, value, hosts),
                );
            }
        }
        let body = apply_all(rules, body, hosts);
        if content_type.contains("json") {
            match serde_json::from_str::<Value>(&body) {
                Ok(v) => json_fields(&v, "body", &rules.json_ignore, &mut fields),
                Err(_) => text_fields(&body, &mut fields),
            }
        } else if content_type.contains("html") {
            html_fields(&body, &mut fields);
        } else if content_type.contains("javascript") || content_type.contains("css") {
            code_fields(&body, "code", &mut fields);
        } else {
            text_fields(&body, &mut fields);
        }
        Snapshot { fields }
    }

    /// Paths whose values differ from `other`'s (or exist on one side only).
    pub fn differing_paths(&self, other: &Snapshot) -> BTreeSet<String> {
        self.fields
            .keys()
            .chain(other.fields.keys())
            .filter(|k| self.fields.get(*k) != other.fields.get(*k))
            .cloned()
            .collect()
    }

    /// The lines, skipping `ignored` paths.
    pub fn lines(&self, ignored: &BTreeSet<String>) -> String {
        self.fields
            .iter()
            .filter(|(k, _)| !ignored.contains(*k))
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect()
    }
}

fn apply_all(rules: &Rules, text: &str, hosts: &[&str]) -> String {
    hosts
        .iter()
        .fold(text.to_owned(), |t, h| rules.apply(&t, h))
}

fn json_fields(v: &Value, path: &str, ignore: &[String], out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                if !ignore.iter().any(|i| i == k) {
                    json_fields(child, &format!("{path}.{k}"), ignore, out);
                }
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                json_fields(child, &format!("{path}[{i}]"), ignore, out);
            }
        }
        Value::String(s) if s.contains('<') => html_fields_under(s, path, out),
        other => {
            out.insert(path.to_owned(), other.to_string());
        }
    }
}

/// Scripts and styles, one statement or list item per line.
fn code_fields(code: &str, path: &str, out: &mut BTreeMap<String, String>) {
    for (i, stmt) in code
        .split([';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .enumerate()
    {
        out.insert(format!("{path}[{:05}]", i + 1), stmt.to_owned());
    }
}

fn text_fields(body: &str, out: &mut BTreeMap<String, String>) {
    for (i, line) in body.lines().enumerate() {
        out.insert(format!("line {:05}", i + 1), line.to_owned());
    }
}

fn html_fields(body: &str, out: &mut BTreeMap<String, String>) {
    html_fields_under(body, "html", out)
}

/// HTML (a document, or a fragment inside JSON) as DOM paths: element keys are
/// the tag with its id, numbered among same-key siblings (classes are an
/// attribute line); scripts
/// and styles are split into statements so that one changed value is one line.
fn html_fields_under(body: &str, root: &str, out: &mut BTreeMap<String, String>) {
    let doc =
        if body.trim_start().starts_with("<!DOCTYPE") || body.trim_start().starts_with("<html") {
            Html::parse_document(body)
        } else {
            Html::parse_fragment(body)
        };
    walk(doc.tree.root(), root, out);
}

fn walk(node: ego_tree::NodeRef<'_, Node>, path: &str, out: &mut BTreeMap<String, String>) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for child in node.children() {
        match child.value() {
            Node::Element(e) => {
                let mut key = e.name().to_owned();
                if let Some(id) = e.id() {
                    key.push('#');
                    key.push_str(id);
                }
                let n = seen.entry(key.clone()).or_default();
                *n += 1;
                let p = format!("{path}/{key}[{n}]");
                let mut attrs: Vec<(&str, &str)> = e
                    .attrs()
                    .filter(|(k, _)| *k != "id" && *k != "class")
                    .collect();
                attrs.sort_unstable();
                for (k, v) in attrs {
                    out.insert(format!("{p}@{k}"), v.to_owned());
                }
                if matches!(e.name(), "script" | "style") {
                    let code: String = child
                        .children()
                        .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                        .collect();
                    code_fields(&code, &format!("{p}/code"), out);
                } else {
                    walk(child, &p, out);
                }
            }
            Node::Comment(c) => {
                let n = seen.entry("comment()".into()).or_default();
                *n += 1;
                out.insert(
                    format!("{path}/comment()[{n}]"),
                    c.split_whitespace().collect::<Vec<_>>().join(" "),
                );
            }
            Node::Text(t) => {
                let text = t.split_whitespace().collect::<Vec<_>>().join(" ");
                if !text.is_empty() {
                    let n = seen.entry("text()".into()).or_default();
                    *n += 1;
                    out.insert(format!("{path}/text()[{n}]"), text);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules {
            json_ignore: vec!["ignored".into()],
            rules: vec![],
        }
    }

    #[test]
    fn json_is_compared_structurally() {
        let a = Snapshot::of(
            200,
            &[],
            "application/json",
            r#"{"b":1,"a":{"x":[1,2]},"ignored":5}"#,
            &rules(),
            &["h"],
        );
        let b = Snapshot::of(
            200,
            &[],
            "application/json",
            r#"{"a":{"x":[1,2]},"b":1,"ignored":6}"#,
            &rules(),
            &["h"],
        );
        assert_eq!(a, b, "key order and ignored keys do not matter");
        let c = Snapshot::of(
            200,
            &[],
            "application/json",
            r#"{"a":{"x":[1,3]},"b":1}"#,
            &rules(),
            &["h"],
        );
        assert_eq!(a.differing_paths(&c), ["body.a.x[1]".to_string()].into());
    }

    #[test]
    fn html_is_compared_by_dom_path_and_text() {
        let a = Snapshot::of(
            200,
            &[],
            "text/html",
            "<!DOCTYPE html><html><body><p class='x y'>Hello   world</p><p>Two</p><!-- note --></body></html>",
            &rules(),
            &["h"],
        );
        let b = Snapshot::of(
            200,
            &[],
            "text/html",
            "<!DOCTYPE html><html><body>\n<p class='y x'>Hello world</p>\n<p>Two</p><!--   note --></body></html>",
            &rules(),
            &["h"],
        );
        assert_eq!(a, b, "whitespace and class order do not matter");
        let c = Snapshot::of(
            200,
            &[],
            "text/html",
            "<!DOCTYPE html><html><body><p class='x y'>Hello world</p><p>2</p><!-- note --></body></html>",
            &rules(),
            &["h"],
        );
        let d = a.differing_paths(&c);
        assert_eq!(d.len(), 1);
        assert!(
            d.iter().next().unwrap().ends_with("/p[1]/text()[1]")
                || d.iter().next().unwrap().contains("/p[2]/"),
            "{d:?}"
        );
    }

    #[test]
    fn status_and_selected_headers_count() {
        let h = |ct: &str| {
            vec![
                ("Content-Type".to_string(), ct.to_string()),
                ("Date".to_string(), "now".to_string()),
            ]
        };
        let a = Snapshot::of(200, &h("text/css"), "text/css", "a{}", &rules(), &["h"]);
        let b = Snapshot::of(404, &h("text/plain"), "text/css", "a{}", &rules(), &["h"]);
        let d = a.differing_paths(&b);
        assert_eq!(
            d,
            ["header content-type".to_string(), "status".to_string()].into()
        );
    }
}
