//! Placeholders in check files: `{script_path}`, `{article_path}`,
//! `{main_page}` (URL form, e.g. `Main_Page`).

use crate::target::{Target, encode_title};

/// Values of the placeholders for one target.
#[derive(Debug, Clone)]
pub struct Vars {
    pairs: Vec<(&'static str, String)>,
}

impl Vars {
    /// The placeholders' values for `target`.
    pub fn for_target(target: &Target) -> Self {
        Vars {
            pairs: vec![
                ("{script_path}", target.script_path.clone()),
                ("{article_path}", target.article_path.clone()),
                ("{main_page}", encode_title(&target.main_page)),
            ],
        }
    }

    /// `text` with placeholders replaced.
    pub fn expand(&self, text: &str) -> String {
        self.pairs
            .iter()
            .fold(text.to_owned(), |t, (k, v)| t.replace(k, v))
    }

    /// `pattern` with placeholders replaced by their regex-escaped values.
    pub fn expand_regex(&self, pattern: &str) -> String {
        self.pairs.iter().fold(pattern.to_owned(), |t, (k, v)| {
            t.replace(k, &regex::escape(v))
        })
    }

    /// Known placeholder names.
    pub fn names() -> &'static [&'static str] {
        &["{script_path}", "{article_path}", "{main_page}"]
    }
}
