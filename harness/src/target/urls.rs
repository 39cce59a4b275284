//! Page-title encoding as MediaWiki does it (`wfUrlencode`).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters MediaWiki leaves unescaped in page URLs, besides letters and digits.
const TITLE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b';')
    .remove(b'@')
    .remove(b'$')
    .remove(b'!')
    .remove(b'*')
    .remove(b'(')
    .remove(b')')
    .remove(b',')
    .remove(b'/')
    .remove(b':');

/// Encodes a page title for the path of a URL: spaces become underscores and
/// the rest is percent-encoded like MediaWiki's `wfUrlencode`.
pub fn encode_title(title: &str) -> String {
    utf8_percent_encode(&title.trim().replace(' ', "_"), TITLE).to_string()
}
