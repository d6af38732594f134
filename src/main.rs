//! The `supc` binary: parse arguments, run the library, exit.

fn main() {
    std::process::exit(supc::cli::main());
}
