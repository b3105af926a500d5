//! Fuzzing of the compiler (`fuzz.rs` covers the parser alone): token soup, random
//! control-flow skeletons and mutated conformance scripts go through `vm::syntax::parse` and
//! `vm::compile::compile_source`. Neither may panic; an error is a SyntaxError located inside
//! the source (and `compile_source` fails whenever `parse` does, at the same place); every
//! code object compiled, nested ones included, passes `verify::max_stack_depth`.
//!
//! `PYMEM_FUZZ_CASES=N` runs N cases per property instead of the default (chosen so that the
//! file takes well under a minute in a debug build on a loaded machine).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use vm::compile::bytecode::{Code, Const};
use vm::compile::{compile_source, verify::max_stack_depth};
use vm::syntax::{LineIndex, parse};

fn cases(default: u32) -> u32 {
    std::env::var("PYMEM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The conformance scripts, as (relative path, text).
fn corpus() -> &'static [(String, String)] {
    static CORPUS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "py")
                    && p.file_name().is_some_and(|n| n != "record.py")
                {
                    out.push(p);
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance");
        let mut paths = Vec::new();
        walk(&root, &mut paths);
        paths.sort();
        let scripts: Vec<_> = paths
            .iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(p).ok()?;
                let rel = p.strip_prefix(&root).unwrap_or(p).display().to_string();
                Some((rel, text))
            })
            .collect();
        assert!(
            scripts.len() > 50,
            "conformance corpus not found at {}",
            root.display()
        );
        scripts
    })
}

/// Every code object reachable from `code` through `Const::Code`, `code` first.
fn all_codes(code: &Code, out: &mut Vec<(String, Result<u32, String>)>) {
    out.push((code.qualname.clone(), max_stack_depth(code)));
    for c in &code.consts {
        if let Const::Code(inner) = c {
            all_codes(inner, out);
        }
    }
}

/// The property: parse and compile without panicking; errors lie inside the source; compiled
/// code verifies.
fn check(source: &str) -> Result<(), TestCaseError> {
    let parsed = catch_unwind(AssertUnwindSafe(|| {
        parse(source, "fuzz.py")
            .map(|_| ())
            .map_err(|e| (e.line, e.col))
    }));
    let Ok(parsed) = parsed else {
        return Err(TestCaseError::fail(format!(
            "vm::syntax::parse panicked on:\n{source:?}"
        )));
    };
    let compiled = catch_unwind(AssertUnwindSafe(|| {
        compile_source(source, "fuzz.py").map(|code| {
            let mut codes = Vec::new();
            all_codes(&code, &mut codes);
            codes
        })
    }));
    let Ok(compiled) = compiled else {
        return Err(TestCaseError::fail(format!(
            "vm::compile::compile_source panicked on:\n{source:?}"
        )));
    };
    match compiled {
        Ok(codes) => {
            prop_assert!(
                parsed.is_ok(),
                "compiled although parse failed at {:?}:\n{:?}",
                parsed,
                source
            );
            for (name, depth) in codes {
                prop_assert!(
                    depth.is_ok(),
                    "code {} fails max_stack_depth: {}\nsource:\n{:?}",
                    name,
                    depth.unwrap_err(),
                    source
                );
            }
        }
        Err(err) => {
            if let Err(at) = parsed {
                prop_assert_eq!(
                    at,
                    (err.line, err.col),
                    "parse and compile_source disagree on:\n{:?}",
                    source
                );
            }
            let lines = u32::try_from(LineIndex::new(source).line_count()).unwrap_or(u32::MAX);
            prop_assert!(
                err.line >= 1 && err.line <= lines.saturating_add(1),
                "SyntaxError line {} outside 1..={} ({}):\n{:?}",
                err.line,
                lines + 1,
                err.msg,
                source
            );
            prop_assert!(
                err.col >= 1,
                "SyntaxError col {} ({}):\n{:?}",
                err.col,
                err.msg,
                source
            );
            prop_assert!(
                !err.msg.is_empty(),
                "empty SyntaxError message:\n{:?}",
                source
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// (a) token soup

const TOKENS: &[&str] = &[
    // keywords
    "False",
    "None",
    "True",
    "and",
    "as",
    "assert",
    "async",
    "await",
    "break",
    "class",
    "continue",
    "def",
    "del",
    "elif",
    "else",
    "except",
    "finally",
    "for",
    "from",
    "global",
    "if",
    "import",
    "in",
    "is",
    "lambda",
    "nonlocal",
    "not",
    "or",
    "pass",
    "raise",
    "return",
    "try",
    "while",
    "with",
    "yield",
    "match",
    "case",
    "print",
    "len",
    "range",
    "super",
    "self",
    "__class__",
    "x",
    "y",
    "f",
    "gc",
    "sys",
    "weakref",
    // operators and delimiters
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "**",
    "@",
    "<<",
    ">>",
    "&",
    "|",
    "^",
    "~",
    ":=",
    "<",
    ">",
    "<=",
    ">=",
    "==",
    "!=",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ".",
    ";",
    "=",
    "->",
    "+=",
    "-=",
    "*=",
    "/=",
    "//=",
    "%=",
    "**=",
    "|=",
    "...",
    "*args",
    "**kw",
    "\\\n",
    // layout
    "\n",
    "\n    ",
    "\n        ",
    "\n\t",
    "    ",
    "\t",
    " ",
    "\r\n",
    "#c\n",
    // strings and f-strings
    "'a'",
    "\"b\"",
    "'''t\n'''",
    "\"\"\"",
    "'",
    "\"",
    "b'x'",
    "r'\\d'",
    "u'u'",
    "'\\x4'",
    "'\\N{DASH}'",
    "f'",
    "f\"{",
    "f'{x!r:>{y}}'",
    "f'{{}}'",
    "f'{x=}'",
    "f'{'",
    "}",
    "{x}",
    "f'{f'{x}'}'",
    // numbers, incl. huge ones
    "0",
    "1",
    "-1",
    "07",
    "0o17",
    "0x_ff",
    "0b102",
    "1_000",
    "1__0",
    "1.5",
    "1e308",
    "1e999",
    "1j",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "123456789012345678901234567890123456789",
    "0xffffffffffffffffffffffff",
    "1.e",
    ".5",
];

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::sample::select(TOKENS).prop_map(String::from),
        1 => "[a-z_][a-z0-9_]{0,6}",
        1 => "[0-9]{20,60}",
        1 => any::<char>().prop_map(String::from),
    ]
}

/// Tokens joined by single spaces or nothing, lines indented at random.
fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            0usize..4,
            prop::collection::vec((token(), any::<bool>()), 1..12),
        ),
        1..10,
    )
    .prop_map(|lines| {
        let mut s = String::new();
        for (indent, toks) in lines {
            s.push_str(&"    ".repeat(indent));
            for (t, space) in toks {
                s.push_str(&t);
                if space {
                    s.push(' ');
                }
            }
            s.push('\n');
        }
        s
    })
}

/// Tokens and raw bytes (decoded lossily), no layout help.
fn byte_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => token().prop_map(String::into_bytes),
            1 => prop::collection::vec(any::<u8>(), 1..4),
        ],
        0..50,
    )
    .prop_map(|parts| String::from_utf8_lossy(&parts.concat()).into_owned())
}

// ---------------------------------------------------------------------------------------
// control-flow skeletons that usually compile, to reach the code generator's corners
// (break/continue/return inside try/finally/with/loops, nested scopes, comprehensions)

#[derive(Clone, Debug)]
enum Stmt {
    Simple(&'static str),
    If(Vec<Stmt>, Vec<Stmt>),
    For(Vec<Stmt>, Vec<Stmt>),
    While(Vec<Stmt>),
    Try(Vec<Stmt>, Vec<Stmt>, Vec<Stmt>, Vec<Stmt>),
    Def(Vec<Stmt>),
    Class(Vec<Stmt>),
    With(Vec<Stmt>),
}

const SIMPLE: &[&str] = &[
    "pass",
    "break",
    "continue",
    "return",
    "return x",
    "x = [y for y in range(3) if y for z in (y, x)]",
    "x, *y = (1, 2, 3)",
    "x = {k: v for k, v in {}.items()}",
    "x = lambda a, *b, c=1, **d: (a, b, c, d, x)",
    "global x",
    "nonlocal x",
    "del x",
    "del x[0], x.a",
    "raise",
    "raise ValueError(x)",
    "assert x, f'{x!r:>{y}}'",
    "x += 1",
    "x.a[1:2] = y",
    "yield x",
    "print(x, *y, sep='', **{'end': ''})",
    "x = y if x else (yield)",
    "x = super().__init__()",
    "x = (x := 3)",
    "import gc, sys",
    "from weakref import ref as r",
];

fn block(depth: u32) -> BoxedStrategy<Vec<Stmt>> {
    let simple = prop::sample::select(SIMPLE).prop_map(Stmt::Simple);
    if depth == 0 {
        return prop::collection::vec(simple, 1..3).boxed();
    }
    let inner = move || block(depth - 1);
    let stmt = prop_oneof![
        3 => simple,
        1 => (inner(), prop::collection::vec(Just(Stmt::Simple("pass")), 0..2))
            .prop_map(|(a, b)| Stmt::If(a, b)),
        1 => (inner(), inner()).prop_map(|(a, b)| Stmt::If(a, b)),
        1 => (inner(), prop::collection::vec(Just(Stmt::Simple("pass")), 0..2))
            .prop_map(|(a, b)| Stmt::For(a, b)),
        1 => inner().prop_map(Stmt::While),
        2 => (inner(), inner(), prop::collection::vec(Just(Stmt::Simple("x = 1")), 0..2), inner())
            .prop_map(|(a, b, c, d)| Stmt::Try(a, b, c, d)),
        1 => (inner(), Just(Vec::new()), Just(Vec::new()), inner())
            .prop_map(|(a, b, c, d)| Stmt::Try(a, b, c, d)),
        1 => inner().prop_map(Stmt::Def),
        1 => inner().prop_map(Stmt::Class),
        1 => inner().prop_map(Stmt::With),
    ];
    prop::collection::vec(stmt, 1..4).boxed()
}

fn render(stmts: &[Stmt], indent: usize, out: &mut String) {
    let pad = "    ".repeat(indent);
    let body = |head: &str, inner: &[Stmt], out: &mut String| {
        out.push_str(&pad);
        out.push_str(head);
        out.push('\n');
        render(inner, indent + 1, out);
    };
    for s in stmts {
        match s {
            Stmt::Simple(t) => {
                out.push_str(&pad);
                out.push_str(t);
                out.push('\n');
            }
            Stmt::If(a, b) => {
                body("if x:", a, out);
                if !b.is_empty() {
                    body("else:", b, out);
                }
            }
            Stmt::For(a, b) => {
                body("for x in y:", a, out);
                if !b.is_empty() {
                    body("else:", b, out);
                }
            }
            Stmt::While(a) => body("while x:", a, out),
            Stmt::Try(a, b, c, d) => {
                body("try:", a, out);
                if !b.is_empty() {
                    body("except (ValueError, KeyError) as e:", b, out);
                    if !c.is_empty() {
                        body("else:", c, out);
                    }
                }
                if !d.is_empty() || b.is_empty() {
                    let d = if d.is_empty() {
                        vec![Stmt::Simple("pass")]
                    } else {
                        d.clone()
                    };
                    body("finally:", &d, out);
                }
            }
            Stmt::Def(a) => body("def f(a, b=1, *c, **d):", a, out),
            Stmt::Class(a) => body("class C(object):", a, out),
            Stmt::With(a) => body("with x as (y, z):", a, out),
        }
    }
}

fn skeleton() -> impl Strategy<Value = String> {
    block(4).prop_map(|stmts| {
        let mut s = String::from("x = y = 1\n");
        render(&stmts, 0, &mut s);
        s
    })
}

// ---------------------------------------------------------------------------------------
// (b) mutations of the conformance scripts

#[derive(Clone, Debug)]
enum Mutation {
    DeleteLines {
        at: usize,
        len: usize,
    },
    DuplicateLine {
        at: usize,
    },
    SwapLines {
        a: usize,
        b: usize,
    },
    Splice {
        from: usize,
        line: usize,
        len: usize,
        at: usize,
    },
    InsertToken {
        at: usize,
        token: String,
    },
    Indent {
        line: usize,
        change: i8,
        tab: bool,
    },
    Truncate {
        at: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => (any::<usize>(), 1usize..4).prop_map(|(at, len)| Mutation::DeleteLines { at, len }),
        1 => any::<usize>().prop_map(|at| Mutation::DuplicateLine { at }),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        2 => (any::<usize>(), any::<usize>(), 1usize..6, any::<usize>())
            .prop_map(|(from, line, len, at)| Mutation::Splice { from, line, len, at }),
        3 => (any::<usize>(), token()).prop_map(|(at, token)| Mutation::InsertToken { at, token }),
        2 => (any::<usize>(), -8i8..9, any::<bool>())
            .prop_map(|(line, change, tab)| Mutation::Indent { line, change, tab }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn boundary(s: &str, at: usize) -> usize {
    let mut at = at % (s.len() + 1);
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn lines_of(s: &str) -> Vec<String> {
    s.split_inclusive('\n').map(String::from).collect()
}

/// Applies `m` to `source`; `(i)` picks another corpus script for splicing.
fn apply(source: &str, m: &Mutation) -> String {
    let mut lines = lines_of(source);
    let n = lines.len();
    match m {
        Mutation::DeleteLines { at, len } if n > 0 => {
            let at = at % n;
            lines.drain(at..(at + len).min(n));
        }
        Mutation::DuplicateLine { at } if n > 0 => {
            let l = lines[at % n].clone();
            lines.insert(at % n, l);
        }
        Mutation::SwapLines { a, b } if n > 0 => lines.swap(a % n, b % n),
        Mutation::Splice {
            from,
            line,
            len,
            at,
        } => {
            let corpus = corpus();
            let other = lines_of(&corpus[from % corpus.len()].1);
            if !other.is_empty() {
                let start = line % other.len();
                let taken = &other[start..(start + len).min(other.len())];
                let at = at % (n + 1);
                lines.splice(at..at, taken.iter().cloned());
            }
        }
        Mutation::InsertToken { at, token } => {
            let mut s = source.to_owned();
            s.insert_str(boundary(source, *at), token);
            return s;
        }
        Mutation::Indent { line, change, tab } if n > 0 => {
            let l = &mut lines[line % n];
            if *change >= 0 {
                let pad = if *tab {
                    "\t".repeat(usize::from(change.unsigned_abs()).div_ceil(4))
                } else {
                    " ".repeat(usize::from(change.unsigned_abs()))
                };
                l.insert_str(0, &pad);
            } else {
                let strip = l
                    .chars()
                    .take(usize::from(change.unsigned_abs()))
                    .take_while(|c| *c == ' ' || *c == '\t')
                    .count();
                l.replace_range(..strip, "");
            }
        }
        Mutation::Truncate { at } => {
            let at = boundary(source, *at);
            return source[..at].to_owned();
        }
        _ => {}
    }
    lines.concat()
}

#[test]
fn corpus_scripts_compile_and_verify() {
    // The unmutated corpus: every script compiles or is a syntax_* file that must not.
    for (rel, text) in corpus() {
        check(text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    }
}

#[test]
fn mutation_kinds_apply() {
    let src = "a = 1\nif a:\n    b = 2\nprint(a)\n";
    assert_eq!(
        apply(src, &Mutation::DeleteLines { at: 1, len: 2 }),
        "a = 1\nprint(a)\n"
    );
    assert_eq!(
        apply(
            src,
            &Mutation::Indent {
                line: 2,
                change: -8,
                tab: false
            }
        ),
        "a = 1\nif a:\nb = 2\nprint(a)\n"
    );
    assert_eq!(apply(src, &Mutation::Truncate { at: 7 }), "a = 1\ni");
    assert_eq!(
        apply(src, &Mutation::SwapLines { a: 0, b: 3 }),
        "print(a)\nif a:\n    b = 2\na = 1\n"
    );
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn token_soup_compiles_or_fails_cleanly(source in token_soup()) {
        check(&source)?;
    }

    #[test]
    fn byte_soup_compiles_or_fails_cleanly(source in byte_soup()) {
        check(&source)?;
    }

    #[test]
    fn skeletons_compile_or_fail_cleanly(source in skeleton(), wrap in any::<bool>()) {
        if wrap {
            // Inside a function, `return`/`yield`/`nonlocal` become legal (or differently wrong).
            let body: String = source.lines().map(|l| format!("    {l}\n")).collect();
            check(&format!("def outer(x, y):\n    def g(): pass\n{body}"))?;
        } else {
            check(&source)?;
        }
    }

    #[test]
    fn mutated_corpus_compiles_or_fails_cleanly(
        script in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let corpus = corpus();
        let mut source = corpus[script % corpus.len()].1.clone();
        for m in &mutations {
            source = apply(&source, m);
        }
        check(&source)?;
    }
}
