//! Ctrl-C: clean up, write the report of what finished, exit 130.

use std::sync::Arc;
use std::time::Duration;

use super::closing::Closing;
use super::console;
use crate::context::RunShared;

/// How long clean-up may take after Ctrl-C before the report is written anyway.
const CLEANUP_AFTER_INTERRUPT: Duration = Duration::from_secs(20);

/// Closes the run on Ctrl-C. ctrlc allows one handler per process: installed
/// before any trial starts, it also keeps goose from taking SIGINT over
/// during load trials.
pub(super) fn close_on_interrupt(
    closing: Arc<Closing>,
    shared: Arc<RunShared>,
    keep_pages: bool,
    rt: tokio::runtime::Handle,
) {
    let handler = ctrlc::set_handler(move || {
        console::interrupted();
        let cleanup = closing.clean_up(&shared, keep_pages);
        let _ = rt.block_on(async { tokio::time::timeout(CLEANUP_AFTER_INTERRUPT, cleanup).await });
        closing.close(true);
        std::process::exit(130);
    });
    if let Err(e) = handler {
        console::no_interrupt_handler(&e.to_string());
    }
}
