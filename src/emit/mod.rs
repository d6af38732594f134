//! Emitters: the resolved model or the loaded config → text other tools
//! read.
//!
//! `ini` and `sample` write native supervisord config text that
//! supervisord 4.3.0 reads back as meant (`docs/semantics.md` §11): values escaped for `%` expansion, nothing that its parser
//! would take for a comment or a continuation line. `json` writes the
//! resolved config as the oracle's JSON contract (`supc expand --format
//! json`), an output only: configs are compared through the model
//! ([`crate::model::Setting`]), never through this text.

pub mod ini;
pub mod json;
pub mod sample;
