//! Bounds supc keeps on hostile input (README: "Compatibility").
//!
//! supervisord has none of these: it would build a billion processes or read
//! a million include files until memory runs out. supc refuses above these
//! bounds with a clear diagnostic instead.

/// Largest config file (main or included) supc reads.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Most files all `[include]` patterns together may bring in.
pub const MAX_INCLUDED_FILES: usize = 10_000;

/// Most process instances one program section may expand to.
pub const MAX_NUMPROCS: i64 = 100_000;

/// Most process instances in the whole config.
pub const MAX_TOTAL_PROCESSES: usize = 1_000_000;

/// Most bytes of option text all instances of the config may expand to
/// (each instance gets its own copy of command, environment and log
/// paths, so numprocs times a huge value is what explodes).
pub const MAX_EXPANDED_BYTES: u64 = 1 << 30;

/// Longest text one `%` expansion may produce (the longest value a config
/// file can hold): a width like `%(program_name)3000000000s` would
/// otherwise build gigabytes.
pub const MAX_VALUE_BYTES: usize = MAX_FILE_BYTES as usize;

/// Whether `(processes, expanded bytes)` so far passes either total limit.
pub fn over((processes, bytes): (u64, u64)) -> bool {
    processes > MAX_TOTAL_PROCESSES as u64 || bytes > MAX_EXPANDED_BYTES
}
