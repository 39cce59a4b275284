//! Helpers shared by the suites: polling for effects, wiki operations through
//! the action API, HTML form scraping, and sandbox titles.

pub mod html;
pub mod poll;
pub mod titles;
pub mod wiki;

/// Team names, as used in trial metadata and the readiness registry.
pub mod teams {
    /// Core platform: API, jobs, sessions, page rendering.
    pub const PLATFORM: &str = "MediaWiki Platform";
    /// Editing: edit form, VisualEditor.
    pub const EDITING: &str = "Editing";
    /// Content Transform: Parsoid, Scribunto.
    pub const CONTENT_TRANSFORM: &str = "Content Transform";
    /// Search Platform: search index and search pages.
    pub const SEARCH: &str = "Search Platform";
    /// Community Tech: diffs.
    pub const COMMUNITY_TECH: &str = "Community Tech";
    /// SRE Service Ops: Shellbox and the services behind external binaries.
    pub const SERVICE_OPS: &str = "SRE Service Ops";
}
