//! Renderers: library data → text. The library never prints; the CLI
//! calls these. Human rendering lives with the other reports in
//! [`crate::report`]; `output::human` stays as its old name.

pub use crate::report::human;
pub mod json;
