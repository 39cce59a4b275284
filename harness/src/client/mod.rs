//! The wiki client: sessions with their own cookie jar, sharing the target's
//! concurrency cap, recording evidence and serving backends as they go.
//!
//! - [`Session`] sends requests ([`send`](Session::send)) with retries on
//!   throttling ([`retry`]), and helpers for page views and REST;
//! - [`api`] adds the action API (errors as typed [`ClientError::Api`], maxlag);
//! - [`auth`] adds logins and tokens;
//! - [`backend`] finds which server answered.

pub mod api;
pub mod auth;
pub mod backend;
pub mod retry;
mod session;
pub mod symptom;
pub mod user_agent;

pub use retry::RetryPolicy;
pub use session::{ClientConfig, Fetched, FilePart, Request, Session};
