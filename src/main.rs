//! The `socketio-lab` binary: the command-line layer over the library.
//!
//! - `cli`: the clap types, nothing else;
//! - `commands/`: one small file per subcommand, each calling one library operation;
//! - `error`: the one error type, its exit codes, and the one place it is printed;
//! - `term`: terminal facts decided once: colour, prompts, Enter, Ctrl-C.
//!
//! The library (`socketio_lab`) never uses any of these.

mod cli;
mod commands;
mod error;
mod term;

use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    term::watch_interrupts();
    let (cli, given) = cli::parse();
    let paint = term::paint(cli.color);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return error::report(error::Error::Runtime(e), paint),
    };
    let outcome = runtime.block_on(commands::dispatch(cli, given, paint));
    // Lab servers and clients are stopped before this point; do not wait for stragglers.
    runtime.shutdown_timeout(Duration::from_millis(200));
    match outcome {
        Ok(code) => code,
        Err(e) => {
            // A prompt may have hidden the cursor.
            if e.is_interrupt() {
                term::restore_cursor();
            }
            error::report(e, paint)
        }
    }
}
