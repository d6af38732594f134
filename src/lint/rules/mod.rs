//! One rule per file; see `registry.rs` for the order.

pub mod misplaced_key;
pub mod unknown_key;
pub mod unknown_section;
pub mod unused_suppression;
// --- block A ---
pub mod bare_percent_s;
pub mod double_expansion_escape;
pub mod duplicate_key;
pub mod duplicate_section;
pub mod empty_exitcodes;
pub mod environment_truncated;
pub mod escaped_process_num;
pub mod include_comma_separated;
pub mod inline_comment_truncation;
pub mod negative_value;
pub mod percent;
pub mod relative_command_with_directory;
pub mod swallowed_section_header;
pub mod tilde_in_program_directory;
pub mod unparsable_command;
pub mod value_text;
// --- end block A ---
// --- block B ---
pub mod duplicate_group_name;
pub mod duplicate_process_name;
pub mod eventlistener_process_priority;
pub mod fcgi_in_group;
pub mod killasgroup_without_stopasgroup;
pub mod numprocs_not_positive;
pub mod program_in_multiple_groups;
pub mod redirect_stderr_with_stderr_logfile;
pub mod relative_path;
pub mod shared_log_file;
pub mod shared_port;
// --- end block B ---
// --- block C ---
pub mod credentials_mismatch;
pub mod default_leaks_into_plugin;
pub mod duplicate_fcgi_socket;
pub mod duplicate_server_address;
pub mod inet_server_without_auth;
pub mod missing_rpcinterface;
pub mod no_server_section;
pub mod plaintext_password;
pub mod runs_as_root;
pub mod server_client;
pub mod serverurl_mismatch;
pub mod socket_writable_by_others;
pub mod world_readable_credentials;
// --- end block C ---
// --- fixes (issue 17) ---
pub mod device_logfile_rotation;
pub mod numprocs_from_environment;
pub mod pidfile_dev_null;
pub mod process_num_port_out_of_range;
pub mod relative_program_directory;
pub mod removed_log_keys;
pub mod stdout_and_stderr_in_one_file;
pub mod unexpanded_shell_syntax;
// --- end fixes ---
