//! The faqbot binary: parses arguments, sets up logging, runs a command, and turns the outcome into an exit code.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    args.color.apply();
    cli::init_tracing(args.verbose, args.color);
    match cli::run(args) {
        Ok(code) => code,
        // A reader that stopped reading (`faqbot ask … | head`) is not an error.
        Err(error) if cli::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            cli::print_error(&error);
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
