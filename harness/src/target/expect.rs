//! `expect`: what the wiki must say about itself (siteinfo), beyond the URLs
//! the target already names: its wiki id, site name and MediaWiki version.

/// The siteinfo values a target expects; absent fields are not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// `wikiid` (`test2wiki`).
    pub wikiid: Option<String>,
    /// `sitename` (`Wikipedia`).
    pub sitename: Option<String>,
    /// MediaWiki versions accepted: comparisons joined by commas
    /// (`>=1.39, <1.40`).
    pub mediawiki: Option<VersionRange>,
}

/// A range of versions: every comparison must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRange {
    /// As written.
    pub text: String,
    bounds: Vec<(String, Vec<u32>)>,
}

impl VersionRange {
    /// Parses `>=1.39, <1.40` (operators `>=`, `>`, `<=`, `<`, `=`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut bounds = Vec::new();
        for part in text.split(',').map(str::trim) {
            let op_len = part
                .find(|c: char| c.is_ascii_digit())
                .ok_or_else(|| format!("`{part}` has no version"))?;
            let (op, version) = part.split_at(op_len);
            let op = op.trim();
            if !matches!(op, ">=" | ">" | "<=" | "<" | "=") {
                return Err(format!("`{part}`: `{op}` is not one of >= > <= < ="));
            }
            bounds.push((op.to_owned(), numbers(version)));
        }
        Ok(VersionRange {
            text: text.to_owned(),
            bounds,
        })
    }

    /// Whether `version` (`1.39.17`, `1.44.0-wmf.3`) is in the range.
    pub fn contains(&self, version: &str) -> bool {
        let v = numbers(version);
        self.bounds.iter().all(|(op, b)| match op.as_str() {
            ">=" => v >= *b,
            ">" => v > *b,
            "<=" => v <= *b,
            "<" => v < *b,
            _ => v.starts_with(b),
        })
    }
}

/// The leading dotted numbers of a version: `1.44.0-wmf.3` is [1, 44, 0].
fn numbers(version: &str) -> Vec<u32> {
    version
        .trim()
        .split(['-', '+', ' '])
        .next()
        .unwrap_or_default()
        .split('.')
        .map_while(|n| n.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_compare_dotted_numbers() {
        let r = VersionRange::parse(">=1.39, <1.40").unwrap();
        assert!(r.contains("1.39.17") && !r.contains("1.40.0") && !r.contains("1.38.4"));
        assert!(
            VersionRange::parse(">=1.44")
                .unwrap()
                .contains("1.46.0-wmf.5")
        );
        assert!(VersionRange::parse("=1.39").unwrap().contains("1.39.2"));
        assert!(VersionRange::parse("~1.39").is_err() && VersionRange::parse(">=").is_err());
    }
}
