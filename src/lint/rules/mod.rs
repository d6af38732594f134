//! One rule per file; see `registry.rs` for the order.

pub mod misplaced_key;
pub mod unknown_key;
pub mod unknown_section;
pub mod unused_suppression;
// --- block A ---
// --- end block A ---
// --- block B ---
// --- end block B ---
// --- block C ---
// --- end block C ---
