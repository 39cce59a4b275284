//! HTML scraping with `scraper`: forms (every field, hidden ones included) and text.

use std::collections::BTreeMap;

use scraper::{ElementRef, Html, Selector};
use url::Url;

fn sel(css: &str) -> Selector {
    Selector::parse(css).expect("valid selector in suite code")
}

/// A form as the browser would submit it.
#[derive(Debug, Clone)]
pub struct Form {
    /// Absolute action URL.
    pub action: Url,
    /// Field values by name (inputs, textareas; unchecked checkboxes left out).
    pub fields: BTreeMap<String, String>,
}

impl Form {
    /// Reads the form matching `css` from `html` (a page at `base`).
    pub fn find(html: &str, css: &str, base: &Url) -> Result<Form, String> {
        let doc = Html::parse_document(html);
        let form = doc
            .select(&sel(css))
            .next()
            .ok_or_else(|| format!("no form `{css}` in the page"))?;
        let action = form.value().attr("action").unwrap_or("");
        let action = base
            .join(action)
            .map_err(|e| format!("form action `{action}`: {e}"))?;
        let mut fields = BTreeMap::new();
        for input in form.select(&sel("input[name]")) {
            let v = input.value();
            let kind = v.attr("type").unwrap_or("text");
            if matches!(kind, "submit" | "button" | "image" | "file")
                || (matches!(kind, "checkbox" | "radio") && v.attr("checked").is_none())
            {
                continue;
            }
            fields.insert(
                v.attr("name").unwrap_or_default().to_owned(),
                v.attr("value").unwrap_or("").to_owned(),
            );
        }
        for area in form.select(&sel("textarea[name]")) {
            fields.insert(
                area.value().attr("name").unwrap_or_default().to_owned(),
                area.text().collect(),
            );
        }
        Ok(Form { action, fields })
    }

    /// Sets a field.
    pub fn set(&mut self, name: &str, value: &str) -> &mut Self {
        self.fields.insert(name.to_owned(), value.to_owned());
        self
    }

    /// The field's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// Checks that the fields are present (e.g. the hidden ones a POST needs).
    pub fn require(&self, names: &[&str]) -> Result<(), String> {
        let missing: Vec<_> = names
            .iter()
            .filter(|n| !self.fields.contains_key(**n))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "form lacks fields {missing:?} (has {:?})",
                self.fields.keys().collect::<Vec<_>>()
            ))
        }
    }

    /// The fields as pairs, for a POST.
    pub fn pairs(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// Text of the first element matching `css`, whitespace-collapsed.
pub fn text_of(html: &str, css: &str) -> Option<String> {
    let doc = Html::parse_document(html);
    doc.select(&sel(css)).next().map(|e| collapse(e))
}

/// Whether an element matching `css` exists.
pub fn has(html: &str, css: &str) -> bool {
    Html::parse_document(html)
        .select(&sel(css))
        .next()
        .is_some()
}

/// Number of elements matching `css` inside the first element matching `within`.
pub fn count_within(html: &str, within: &str, css: &str) -> usize {
    let doc = Html::parse_document(html);
    doc.select(&sel(within))
        .next()
        .map(|w| w.select(&sel(css)).count())
        .unwrap_or(0)
}

fn collapse(e: ElementRef<'_>) -> String {
    e.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
