//! The rule registry, in documentation order.
//!
//! Each helper-owned block below is edited only by whoever owns that block
//! of rules; keep one rule per line.

use super::rules;
use super::{Rule, RuleMeta};

pub static RULES: &[&dyn Rule] = &[
    // --- sections and keys ---
    &rules::unknown_section::UnknownSection,
    &rules::unknown_key::UnknownKey,
    &rules::misplaced_key::MisplacedKey,
    // --- block A ---
    &rules::duplicate_section::DuplicateSection,
    &rules::duplicate_key::DuplicateKey,
    &rules::inline_comment_truncation::InlineCommentTruncation,
    &rules::swallowed_section_header::SwallowedSectionHeader,
    &rules::environment_truncated::EnvironmentTruncated,
    &rules::bare_percent_s::BarePercentS,
    &rules::double_expansion_escape::DoubleExpansionEscape,
    &rules::escaped_process_num::EscapedProcessNum,
    &rules::empty_exitcodes::EmptyExitcodes,
    &rules::negative_value::NegativeValue,
    &rules::relative_command_with_directory::RelativeCommandWithDirectory,
    &rules::unparsable_command::UnparsableCommand,
    &rules::include_comma_separated::IncludeCommaSeparated,
    &rules::tilde_in_program_directory::TildeInProgramDirectory,
    // --- end block A ---
    // --- block B ---
    &rules::shared_log_file::SharedLogFile,
    &rules::shared_port::SharedPort,
    &rules::numprocs_not_positive::NumprocsNotPositive,
    &rules::program_in_multiple_groups::ProgramInMultipleGroups,
    &rules::duplicate_group_name::DuplicateGroupName,
    &rules::fcgi_in_group::FcgiInGroup,
    &rules::duplicate_process_name::DuplicateProcessName,
    &rules::redirect_stderr_with_stderr_logfile::RedirectStderrWithStderrLogfile,
    &rules::killasgroup_without_stopasgroup::KillasgroupWithoutStopasgroup,
    &rules::relative_path::RelativePath,
    &rules::eventlistener_process_priority::EventlistenerProcessPriority,
    // --- end block B ---
    // --- block C ---
    &rules::missing_rpcinterface::MissingRpcinterface,
    &rules::serverurl_mismatch::ServerurlMismatch,
    &rules::credentials_mismatch::CredentialsMismatch,
    &rules::duplicate_server_address::DuplicateServerAddress,
    &rules::duplicate_fcgi_socket::DuplicateFcgiSocket,
    &rules::no_server_section::NoServerSection,
    &rules::default_leaks_into_plugin::DefaultLeaksIntoPlugin,
    &rules::inet_server_without_auth::InetServerWithoutAuth,
    &rules::plaintext_password::PlaintextPassword,
    &rules::socket_writable_by_others::SocketWritableByOthers,
    &rules::runs_as_root::RunsAsRoot,
    &rules::world_readable_credentials::WorldReadableCredentials,
    // --- end block C ---
    // --- engine ---
    &rules::unused_suppression::UnusedSuppression,
];

/// A rule by code or name, in any case.
pub fn find(code_or_name: &str) -> Option<&'static RuleMeta> {
    let code = crate::codes::Code::lookup(code_or_name)?;
    rule_of(code)
}

/// The rule behind a lint code (none for supervisord's and the YAML
/// front-end's codes).
pub fn rule_of(code: crate::codes::Code) -> Option<&'static RuleMeta> {
    RULES.iter().map(|r| r.meta()).find(|m| m.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lint_code_has_one_documented_rule() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            let m = r.meta();
            assert!(m.code.is_lint(), "{} is not a lint code", m.code);
            assert!(seen.insert(m.code), "two rules for {}", m.code);
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
            ] {
                assert!(m.doc.contains(heading), "{} lacks {heading}", m.code);
            }
        }
        for c in crate::codes::Code::ALL.iter().filter(|c| c.is_lint()) {
            assert!(seen.contains(c), "{c} has no rule in RULES");
        }
    }
}
