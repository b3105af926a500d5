//! The interactive prompt: rustyline for line editing and history, the VM's
//! [`vm::runtime::run::repl`] for everything else (one persistent `__main__`, `_`,
//! multi-line blocks, tracebacks that do not end the session).
//!
//! When standard input is not a terminal, rustyline reads plain lines from it, so a piped
//! session behaves like a typed one (the prompts go to stdout).

use std::io::IsTerminal;
use std::path::PathBuf;

use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;
use vm::runtime::run::{self, ReplLine};

/// Where the history is kept between sessions (only for a terminal session).
fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pymem_history"))
}

/// Runs the prompt until end of input or `SystemExit`; returns the exit status.
pub(crate) fn run(argv: Vec<String>) -> i32 {
    let interactive = std::io::stdin().is_terminal();
    let mut editor = match DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("pymem: cannot start the prompt: {e}");
            return 1;
        }
    };
    let history = if interactive { history_path() } else { None };
    if interactive {
        eprintln!(
            "pymem {} (Python 3.11 subset)\nType Ctrl-D to exit.",
            env!("CARGO_PKG_VERSION")
        );
        if let Some(p) = &history {
            let _ = editor.load_history(p);
        }
    }
    let status = run::repl(argv, |prompt| match editor.readline(prompt) {
        Ok(line) => {
            if !line.trim().is_empty() {
                let _ = editor.add_history_entry(line.as_str());
            }
            ReplLine::Line(line)
        }
        Err(ReadlineError::Interrupted) => ReplLine::Interrupt,
        Err(ReadlineError::Eof) => ReplLine::Eof,
        Err(e) => {
            eprintln!("pymem: {e}");
            ReplLine::Eof
        }
    });
    if interactive && let Some(p) = &history {
        let _ = editor.save_history(p);
    }
    status
}
