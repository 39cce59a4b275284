//! Helpers shared by the suites: polling for effects, wiki operations through
//! the action API, HTML form scraping, sandbox titles, and text for messages.

pub mod html;
pub mod poll;
pub mod text;
pub mod titles;
pub mod wiki;
