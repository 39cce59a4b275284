//! Migration diff: the same read-only request to a baseline and a candidate
//! back end, answers normalised and compared.
//!
//! - [`rules`]: the normalisation rules (a data file): volatile parts such as
//!   host names, request ids, timestamps and parser reports are masked;
//! - [`canonical`]: an answer as `path = value` lines (JSON structurally, HTML
//!   by its DOM), so that a difference reads as a few changed lines;
//! - [`compare`]: noise cancellation (what differs between two fetches of the
//!   baseline is volatile and ignored) and the readable diff.

pub mod canonical;
pub mod compare;
pub mod rules;

pub use canonical::Snapshot;
pub use compare::{ProbeDiff, compare};
pub use rules::Rules;
