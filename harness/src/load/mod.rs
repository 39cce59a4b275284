//! Load generation and judging: goose attacks run programmatically, latencies
//! recorded by the harness itself into HDR histograms (raw and
//! coordinated-omission corrected), and k6-style thresholds judged on them.
//!
//! - [`stats`]: per-endpoint recorders and their serialisable summaries;
//!   histograms travel as V2+deflate, base64, so shards can be merged;
//! - [`threshold`]: rules such as `p95 < 500ms` or `error_rate < 1%`;
//! - [`attack`]: a bounded goose attack with its settings.

pub mod attack;
pub mod stats;
pub mod threshold;

pub use attack::{LoadSettings, Plan, Recorders};
pub use stats::{EndpointSummary, LoadSummary, Percentiles};
pub use threshold::{Threshold, ThresholdResult};
