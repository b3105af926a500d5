//! Every script of the conformance corpus (`tests/conformance/**/*.py`) goes through the front
//! end: it must lower, unless its `# needs:` header names the construct the front end rejects,
//! or it is one of the `errors/` scripts that CPython itself refuses to compile.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use vm::syntax::parse;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

fn scripts(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            scripts(&path, out);
        } else if path.extension().is_some_and(|x| x == "py")
            && path.file_name().is_some_and(|n| n != "record.py")
        {
            out.push(path);
        }
    }
}

/// The tags on `# needs:` lines of the leading comment block (as record.py reads them).
fn needs(source: &str) -> BTreeSet<String> {
    let mut tags = BTreeSet::new();
    for line in source.lines() {
        if !line.starts_with('#') {
            break;
        }
        if let Some(rest) = line.strip_prefix('#').map(str::trim_start)
            && let Some(list) = rest.strip_prefix("needs:")
        {
            tags.extend(
                list.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(String::from),
            );
        }
    }
    tags
}

/// `errors/` scripts that CPython 3.11 refuses to compile, with what `python3 <script>`
/// reports (class, message, line, column), recorded by running python3.11 (3.11.7):
/// `compile(open(f).read(), f, "exec")` in `tests/conformance`.
const CPYTHON_SYNTAX_ERRORS: &[(&str, &str, &str, u32, u32)] = &[
    (
        "errors/syntax_indent.py",
        "IndentationError",
        "unexpected indent",
        4,
        4,
    ),
    (
        "errors/syntax_invalid.py",
        "SyntaxError",
        "invalid syntax",
        3,
        5,
    ),
    (
        "errors/syntax_late_line.py",
        "SyntaxError",
        "invalid syntax",
        7,
        20,
    ),
    (
        "errors/syntax_unclosed.py",
        "SyntaxError",
        "'(' was never closed",
        3,
        6,
    ),
];

#[test]
fn every_script_lowers_unless_it_needs_what_is_rejected() {
    let mut paths = Vec::new();
    scripts(&corpus(), &mut paths);
    assert!(paths.len() >= 150, "corpus has {} scripts", paths.len());
    let mut failures = Vec::new();
    let mut lowered = 0;
    let mut rejected = Vec::new();
    let mut hostile_rejected = 0;
    for path in &paths {
        let name = path
            .strip_prefix(corpus())
            .expect("inside the corpus")
            .display()
            .to_string();
        let source = std::fs::read_to_string(path).expect("readable script");
        let tags = needs(&source);
        if name.starts_with("hostile/syntax_") {
            // Hostile programs CPython refuses to compile: the front end or the compiler must
            // refuse them too, with a SyntaxError (never a panic or an overflow).
            match vm::compile::compile_source(&source, &name) {
                Ok(_) => failures.push(format!("{name}: compiled, CPython refuses it")),
                Err(_) => hostile_rejected += 1,
            }
            continue;
        }
        match parse(&source, &name) {
            Ok(_) => lowered += 1,
            Err(err) => match (
                err.unsupported,
                CPYTHON_SYNTAX_ERRORS.iter().find(|c| c.0 == name),
            ) {
                (Some(tag), _) if tags.contains(tag) => rejected.push(format!("{name}: {tag}")),
                (None, Some(&(_, class, msg, line, col))) => {
                    let got = (err.kind.class_name(), err.msg.as_str(), err.line, err.col);
                    if got != (class, msg, line, col) {
                        failures.push(format!(
                            "{name}: got {got:?}, CPython {:?}",
                            (class, msg, line, col)
                        ));
                    }
                }
                _ => failures.push(format!("{name} (needs {tags:?}):\n{err}")),
            },
        }
    }
    assert_eq!(
        lowered + rejected.len() + CPYTHON_SYNTAX_ERRORS.len() + hostile_rejected,
        paths.len(),
        "{failures:#?}"
    );
    println!(
        "{lowered} lowered, {} rejected as declared: {rejected:#?}",
        rejected.len()
    );
    assert!(
        failures.is_empty(),
        "{} scripts failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
