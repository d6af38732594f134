//! Renderers: library data → text. The library never prints; the CLI
//! calls these.

pub mod human;
