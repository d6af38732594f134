//! The parts of CPython that supervisord's config handling inherits.
//!
//! supervisord never states its own syntax rules: it leans on `configparser`,
//! `int()`, the `%` operator, `shlex`, `glob` and `posixpath`. Each file here
//! re-creates one of those with CPython 3.11's exact results and messages,
//! so the stages above can be written in supervisord's terms.

pub mod format;
pub mod glob;
pub mod int;
pub mod path;
pub mod percent;
pub mod repr;
pub mod shlex;
pub mod unicode;
