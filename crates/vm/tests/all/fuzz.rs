//! Arbitrary bytes and mutated valid programs never panic: they lower or give a SyntaxError
//! whose location is inside the source.

use proptest::prelude::*;
use vm::syntax::{LineIndex, SyntaxError, parse};

const SEEDS: &[&str] = &[
    "import gc\n\nclass Node:\n    def __init__(self, next=None):\n        self.next = next\n        if next is not None:\n            next.prev = self\n\ndef build(n):\n    head = None\n    for i in range(n):\n        head = Node(head)\n    return head\n\nx = build(10)\ndel x\nprint(gc.collect())\n",
    "def f(a, b=2, *args, **kw):\n    global g\n    total = [a * b for a in args if a > 0]\n    try:\n        g = {'k': (1, 2.5, \"s\")}\n    except KeyError as e:\n        raise ValueError(f\"bad {e} {a:.3f}\")\n    return lambda x: x + total[0:] if x else -x\n",
    "(a, [b, c]), d = ((1, [2, 3]), 4)\nwhile a < 10 and not b or c:\n    a += 1\n    assert a != 5, 'five'\n    if a == 3:\n        continue\n    elif a >= 7:\n        break\n    else:\n        pass\n",
];

fn check(source: &str) -> Result<(), TestCaseError> {
    match parse(source, "fuzz.py") {
        Ok(_) => Ok(()),
        Err(err) => check_error(source, &err),
    }
}

fn check_error(source: &str, err: &SyntaxError) -> Result<(), TestCaseError> {
    // Lines end at \n, \r\n or a lone \r, as in CPython's tokenizer.
    let lines = u32::try_from(LineIndex::new(source).line_count()).unwrap_or(u32::MAX);
    prop_assert!(
        err.line >= 1 && err.line <= lines,
        "line {} of {}",
        err.line,
        lines
    );
    prop_assert!(err.col >= 1, "col {}", err.col);
    prop_assert!(!err.msg.is_empty());
    let shown = err.to_string();
    prop_assert!(shown.starts_with("  File \"fuzz.py\", line "), "{}", shown);
    Ok(())
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "(", ")", "[", "]", "{", "}", ":", "\n", "    ", "\t", "'", "\"", "\"\"\"", "\\", "#",
            "=", "==", ",", ".", "*", "**", "lambda", "yield", "if ", "else", "not ", "f\"{", "}",
            "@", ";", "\r", "1e", "0x", "é", "\u{0}", "async ", "with ",
        ])
        .prop_map(String::from),
        "[ -~]{1,4}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..6).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), fragment()).prop_map(|(at, text)| Mutation::Insert { at, text }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
    ]
}

fn boundary(s: &str, at: usize) -> usize {
    let mut at = at % (s.len() + 1);
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(source: &str, m: &Mutation) -> String {
    let mut s = source.to_owned();
    match m {
        Mutation::Delete { at, len } => {
            let start = boundary(&s, *at);
            let end = boundary(&s, (start + len).min(s.len()));
            s.replace_range(start..end.max(start), "");
        }
        Mutation::Insert { at, text } => {
            let at = boundary(&s, *at);
            s.insert_str(at, text);
        }
        Mutation::DuplicateLine { line } => {
            let mut lines: Vec<&str> = s.split_inclusive('\n').collect();
            if !lines.is_empty() {
                let i = line % lines.len();
                lines.insert(i, lines[i]);
            }
            s = lines.concat();
        }
        Mutation::SwapLines { a, b } => {
            let mut lines: Vec<&str> = s.split_inclusive('\n').collect();
            if !lines.is_empty() {
                let n = lines.len();
                lines.swap(a % n, b % n);
            }
            s = lines.concat();
        }
    }
    s
}

#[test]
fn seeds_lower() {
    for seed in SEEDS {
        parse(seed, "seed.py").unwrap_or_else(|e| panic!("{e}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        check(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn arbitrary_python_ish_text_never_panics(parts in prop::collection::vec(fragment(), 0..60)) {
        check(&parts.concat())?;
    }

    #[test]
    fn mutated_programs_never_panic(
        seed in prop::sample::select(SEEDS),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut source = seed.to_owned();
        for m in &mutations {
            source = apply(&source, m);
        }
        check(&source)?;
    }
}
