//! Load figures as data: per-endpoint latency recording into HDR histograms
//! (raw and coordinated-omission corrected), their serialisable summaries, and
//! k6-style thresholds judged on them.
//!
//! - [`stats`]: recorders and summaries; histograms travel as V2+deflate,
//!   base64, so shards can be merged;
//! - [`threshold`]: rules such as `p95 < 500ms` or `error_rate < 1%`, and
//!   their verdicts, which suites, the runner and `merge` all read as data.

pub mod stats;
pub mod threshold;

pub use stats::{EndpointRecorder, EndpointSummary, LoadSummary, Percentiles};
pub use threshold::{Threshold, ThresholdResult};
