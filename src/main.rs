use std::process::ExitCode;

fn main() -> ExitCode {
    socketio_lab::cli::main()
}
