//! `pymem FILE [ARGS]` / `pymem -c CODE`: runs a Python program on pymem.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (source, filename, argv) = match args.get(1).map(String::as_str) {
        Some("-c") => {
            let code = args.get(2).cloned().unwrap_or_default();
            let mut argv = vec!["-c".to_owned()];
            argv.extend(args.iter().skip(3).cloned());
            (code, "<string>".to_owned(), argv)
        }
        Some(path) => match std::fs::read_to_string(path) {
            Ok(s) => (s, path.to_owned(), args[1..].to_vec()),
            Err(e) => {
                eprintln!("pymem: can't open file '{path}': {e}");
                return ExitCode::from(2);
            }
        },
        None => {
            eprintln!("usage: pymem FILE [ARGS] | pymem -c CODE");
            return ExitCode::from(2);
        }
    };
    let status = vm::runtime::run::run_main(&source, &filename, argv);
    ExitCode::from(status.clamp(0, 255) as u8)
}
