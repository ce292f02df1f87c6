//! `samtalebank`: a thin binary over the library crates. One file per subcommand in `cmd/`.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse(); // usage errors exit with code 2
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A message may quote a path or a value: no CPR number reaches the log.
            eprintln!(
                "samtalebank: {}",
                samtalebank_model::cpr::mask(&e.to_string())
            );
            ExitCode::FAILURE
        }
    }
}
