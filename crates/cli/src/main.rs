//! The `pymem` command: CPython's command line for pymem's VM.
//!
//! ```text
//! pymem [option] ... [-c cmd | file | -] [arg] ...
//! ```
//!
//! * `pymem FILE [ARGS]` runs a script (`sys.argv == [FILE, ARGS...]`);
//! * `pymem -c CODE [ARGS]` runs a string (`sys.argv == ["-c", ARGS...]`);
//! * `pymem -` runs standard input as a script;
//! * `pymem` alone starts the interactive prompt (`repl.rs`).
//!
//! As in CPython, option parsing stops at the script name (or after `-c`'s argument): what
//! follows is passed to the program untouched. An uncaught exception prints CPython's
//! traceback to stderr and exits 1; a file that cannot be read exits 2.
//!
//! The environment is read as CPython reads it (see `env.rs`): `PYTHONMALLOC` and
//! `PYTHONMALLOCSTATS`.

mod env;
mod repl;

use std::io::Read;
use std::process::ExitCode;

use clap::Parser;

/// The interpreter's own small allocations (a tuple's item array, a frame's vectors, a
/// dict's table) come from obmalloc too, as CPython's `PyMem_Malloc` ones come from
/// pymalloc. This is a separate allocator from the heap's: `sys._debugmallocstats()` and
/// `sys.getallocatedblocks()` report objects only, as CPython's `PyObject_Malloc` family.
#[global_allocator]
static ALLOC: obmalloc::ObmallocGlobal = obmalloc::ObmallocGlobal;

/// The `--version` text.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (Python 3.11 subset)");

/// Command-line options (the part before the script name; see [`split_args`]).
#[derive(Parser, Debug)]
#[command(
    name = "pymem",
    version = VERSION,
    about = "Runs Python (a 3.11 subset) on pymem's allocator, heap and cycle collector.",
    override_usage = "pymem [option] ... [-c cmd | file | -] [arg] ...",
    after_help = "Arguments:\n  file   program read from script file\n  -      program read from stdin\n  arg    arguments passed to the program in sys.argv[1:]\n\n\
                  With neither -c nor file: an interactive prompt.\n\n\
                  Environment variables:\n  PYTHONMALLOC       the object allocator: default or pymalloc (pymalloc), debug or\n                     pymalloc_debug (pymalloc with debug hooks: guard bytes, fills,\n                     API checks), malloc (the system allocator), malloc_debug (malloc\n                     with debug hooks)\n  PYTHONMALLOCSTATS  if non-empty, print pymalloc's statistics to stderr at exit",
    disable_version_flag = true
)]
struct Cli {
    /// Program passed in as string (terminates option list)
    #[arg(short = 'c', value_name = "cmd", allow_hyphen_values = true)]
    command: Option<String>,

    /// Print the version number and exit
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version)]
    version: Option<bool>,

    /// Program read from script file, or `-` for stdin
    #[arg(value_name = "file", hide = true)]
    file: Option<String>,
}

/// Splits the command line where CPython stops parsing options: after `-c`'s argument, or at
/// the first argument that is not an option (the script name, included in the head). The
/// tail is the program's own arguments.
fn split_args(args: &[String]) -> (Vec<String>, Vec<String>) {
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "-c" {
            let end = (i + 2).min(args.len());
            return (args[..end].to_vec(), args[end..].to_vec());
        }
        if a.starts_with("-c") {
            // `-cCODE`
            return (args[..=i].to_vec(), args[i + 1..].to_vec());
        }
        if a == "--" {
            let end = (i + 2).min(args.len());
            return (args[..end].to_vec(), args[end..].to_vec());
        }
        if a == "-" || !a.starts_with('-') {
            return (args[..=i].to_vec(), args[i + 1..].to_vec());
        }
        i += 1;
    }
    (args.to_vec(), Vec::new())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (head, tail) = split_args(&args);
    let cli = match Cli::try_parse_from(&head) {
        Ok(cli) => cli,
        Err(e) => {
            let status = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(status);
        }
    };
    let settings = match env::Settings::from_env() {
        Ok(s) => s,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(1);
        }
    };
    if let Err(message) = settings.apply() {
        eprintln!("{message}");
        return ExitCode::from(1);
    }

    let status = if let Some(code) = cli.command {
        let mut argv = vec!["-c".to_owned()];
        argv.extend(tail);
        vm::runtime::run::run_main(&code, "<string>", argv)
    } else if let Some(path) = cli.file {
        let mut argv = vec![path.clone()];
        argv.extend(tail);
        let (source, filename) = if path == "-" {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                eprintln!("pymem: can't read <stdin>: {e}");
                return ExitCode::from(2);
            }
            (s, "<stdin>".to_owned())
        } else {
            match read_script(&path) {
                Ok(s) => (s, path.clone()),
                Err(message) => {
                    eprintln!("{message}");
                    return ExitCode::from(2);
                }
            }
        };
        vm::runtime::run::run_main(&source, &filename, argv)
    } else {
        let mut argv = vec![String::new()];
        argv.extend(tail);
        repl::run(argv)
    };
    settings.report_at_exit();
    ExitCode::from(status.clamp(0, 255) as u8)
}

/// Reads a script, with CPython's message when it cannot.
fn read_script(path: &str) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        let errno = e.raw_os_error().unwrap_or(0);
        let text = e.to_string();
        // "No such file or directory (os error 2)" -> CPython's "[Errno 2] No such file or directory".
        let text = text.split(" (os error").next().unwrap_or(&text).to_owned();
        let exe = std::env::args()
            .next()
            .unwrap_or_else(|| "pymem".to_owned());
        let abs = std::path::absolute(path)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.to_owned());
        format!("{exe}: can't open file '{abs}': [Errno {errno}] {text}")
    })?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "SyntaxError: Non-UTF-8 code starting with '\\x{:02x}' in file {path} on line {}, but no encoding declared",
            e.as_bytes()[e.utf8_error().valid_up_to()],
            e.as_bytes()[..e.utf8_error().valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_stop_at_the_script() {
        let (h, t) = split_args(&v(&["pymem", "s.py", "-c", "--help"]));
        assert_eq!(h, v(&["pymem", "s.py"]));
        assert_eq!(t, v(&["-c", "--help"]));
        let (h, t) = split_args(&v(&["pymem", "-c", "pass", "-V", "x"]));
        assert_eq!(h, v(&["pymem", "-c", "pass"]));
        assert_eq!(t, v(&["-V", "x"]));
        let (h, t) = split_args(&v(&["pymem", "--version"]));
        assert_eq!(h, v(&["pymem", "--version"]));
        assert!(t.is_empty());
    }
}
