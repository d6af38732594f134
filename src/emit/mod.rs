//! Emitters: library data → native supervisord config text.
//!
//! Every emitter returns text that supervisord 4.3.0 reads back as meant
//! (spec §11): values escaped for `%` expansion, nothing that its parser
//! would take for a comment or a continuation line.

pub mod ini;
pub mod sample;
