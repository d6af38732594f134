//! `supc server`: the language server on stdin/stdout (see
//! [`crate::server`]). Exit codes: 0 after `shutdown` + `exit` or when the
//! client closes the stream, 1 for `exit` without `shutdown` (as the
//! protocol says), 2 on a protocol or I/O error.

use clap::Args;

#[derive(Args, Debug)]
#[command(
    after_help = "Exit codes: 0 after shutdown and exit (or when the client closes \
the stream), 1 exit without shutdown, 2 protocol or I/O error."
)]
pub struct ServerArgs {
    /// Accepted for clients that pass it (`vscode-languageclient` does);
    /// stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

pub fn run(_args: &ServerArgs) -> i32 {
    match crate::server::run_stdio() {
        Ok(()) => 0,
        Err(crate::server::ServerError::ExitWithoutShutdown) => 1,
        Err(e) => {
            eprintln!("supc server: {e}");
            2
        }
    }
}
