//! The compiler: exact instruction sequences for the shapes the interpreter relies on
//! (checked against CPython 3.11's `dis`, modulo pymem's instruction set), symbol-table
//! scopes, the compile-time `SyntaxError`s, and invariants over the conformance corpus.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vm::compile::bytecode::{Code, Const, Instr};
use vm::compile::symtable::{self, Scope};
use vm::compile::{compile_source, verify::max_stack_depth};

fn compile(src: &str) -> Arc<Code> {
    compile_source(src, "t.py").unwrap_or_else(|e| panic!("{e}"))
}

/// The instructions of `code`, one short line each.
fn ops(code: &Code) -> Vec<String> {
    (0..code.instrs.len())
        .map(|pc| code.instr_text(pc))
        .collect()
}

/// The nested code object called `qualname`, searched breadth-first.
fn nested(code: &Code, qualname: &str) -> Arc<Code> {
    let mut queue: Vec<Arc<Code>> = vec![Arc::new(code.clone())];
    while let Some(c) = queue.pop() {
        for k in &c.consts {
            if let Const::Code(inner) = k {
                if inner.qualname == qualname {
                    return inner.clone();
                }
                queue.push(inner.clone());
            }
        }
    }
    panic!("no code object {qualname}")
}

fn assert_ops(code: &Code, expected: &[&str]) {
    let got = ops(code);
    assert_eq!(got, expected, "\n{code}");
}

#[test]
fn a_call() {
    let code = compile("print(1, x, end='')\n");
    assert_ops(
        &code,
        &[
            "PUSH_NULL",
            "LOAD_NAME print",
            "LOAD_CONST 1",
            "LOAD_NAME x",
            "LOAD_CONST ''",
            "KW_NAMES ('end',)",
            "CALL 3",
            "POP_TOP",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn a_method_call() {
    let code = compile("def f(o):\n    return o.m(1)\n");
    assert_ops(
        &nested(&code, "f"),
        &[
            "LOAD_FAST o",
            "LOAD_METHOD m",
            "LOAD_CONST 1",
            "CALL 1",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn a_closure_with_nonlocal() {
    let code = compile(
        "def f(a, b=1):\n    x = 0\n    def g():\n        nonlocal x\n        x += a\n    return g\n",
    );
    assert_ops(
        &code,
        &[
            "LOAD_CONST 1",
            "BUILD_TUPLE 1",
            "LOAD_CONST <code object f, line 1>",
            "MAKE_FUNCTION 1",
            "STORE_NAME f",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
    let f = nested(&code, "f");
    assert_eq!(f.cellvars, ["a", "x"]);
    assert_eq!(f.cell2arg, [Some(0), None]);
    assert_ops(
        &f,
        &[
            "LOAD_CONST 0",
            "STORE_DEREF x",
            "LOAD_CLOSURE a",
            "LOAD_CLOSURE x",
            "BUILD_TUPLE 2",
            "LOAD_CONST <code object g, line 3>",
            "MAKE_FUNCTION 8",
            "STORE_FAST g",
            "LOAD_FAST g",
            "RETURN_VALUE",
        ],
    );
    let g = nested(&code, "f.<locals>.g");
    assert_eq!(g.freevars, ["a", "x"]);
    assert_ops(
        &g,
        &[
            "LOAD_DEREF x",
            "LOAD_DEREF a",
            "INPLACE_OP Add",
            "STORE_DEREF x",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn a_class_with_super() {
    let code = compile("class C(B):\n    \"doc\"\n    def m(self):\n        super().m()\n");
    assert_ops(
        &code,
        &[
            "PUSH_NULL",
            "LOAD_BUILD_CLASS",
            "LOAD_CONST <code object C, line 1>",
            "MAKE_FUNCTION 0",
            "LOAD_CONST 'C'",
            "LOAD_NAME B",
            "CALL 3",
            "STORE_NAME C",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
    let c = nested(&code, "C");
    assert_eq!(c.cellvars, ["__class__"]);
    assert_eq!(c.docstring.as_deref(), Some("doc"));
    assert_ops(
        &c,
        &[
            "LOAD_NAME __name__",
            "STORE_NAME __module__",
            "LOAD_CONST 'C'",
            "STORE_NAME __qualname__",
            "LOAD_CONST 'doc'",
            "STORE_NAME __doc__",
            "LOAD_CLOSURE __class__",
            "BUILD_TUPLE 1",
            "LOAD_CONST <code object m, line 3>",
            "MAKE_FUNCTION 8",
            "STORE_NAME m",
            "LOAD_CLOSURE __class__",
            "COPY 1",
            "STORE_NAME __classcell__",
            "RETURN_VALUE",
        ],
    );
    let m = nested(&code, "C.m");
    assert_eq!(m.freevars, ["__class__"]);
    assert_ops(
        &m,
        &[
            "PUSH_NULL",
            "LOAD_GLOBAL super",
            "CALL 0",
            "LOAD_METHOD m",
            "CALL 0",
            "POP_TOP",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn a_comprehension() {
    let code = compile("def f(c, x):\n    return [y * x for y in c for z in y if z]\n");
    assert_ops(
        &nested(&code, "f"),
        &[
            "LOAD_CLOSURE x",
            "BUILD_TUPLE 1",
            "LOAD_CONST <code object <listcomp>, line 2>",
            "MAKE_FUNCTION 8",
            "LOAD_FAST c",
            "GET_ITER",
            "CALL 0",
            "RETURN_VALUE",
        ],
    );
    let comp = nested(&code, "f.<locals>.<listcomp>");
    assert_eq!(comp.varnames, [".0", "y", "z"]);
    assert_eq!(comp.argcount, 1);
    assert_ops(
        &comp,
        &[
            "BUILD_LIST 0",
            "LOAD_FAST .0",
            "FOR_ITER 16",
            "STORE_FAST y",
            "LOAD_FAST y",
            "GET_ITER",
            "FOR_ITER 15",
            "STORE_FAST z",
            "LOAD_FAST z",
            "POP_JUMP_IF_FALSE 6",
            "LOAD_FAST y",
            "LOAD_DEREF x",
            "BINARY_OP Mult",
            "LIST_APPEND 3",
            "JUMP 6",
            "JUMP 2",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn a_generator_function_and_a_generator_expression() {
    // CPython 3.11's shape, without `RESUME` (pymem emits none anywhere).
    let code = compile("def g(a):\n    x = yield a\n    return x\n");
    let g = nested(&code, "g");
    assert!(g.is_generator);
    assert_ops(
        &g,
        &[
            "RETURN_GENERATOR",
            "POP_TOP",
            "LOAD_FAST a",
            "YIELD_VALUE",
            "STORE_FAST x",
            "LOAD_FAST x",
            "RETURN_VALUE",
        ],
    );
    assert_eq!(max_stack_depth(&g), Ok(1));
    let code = compile("t = (y for y in c if y)\n");
    assert!(!code.is_generator);
    let genexpr = nested(&code, "<genexpr>");
    assert!(genexpr.is_generator);
    assert_eq!(genexpr.argcount, 1);
    assert_ops(
        &genexpr,
        &[
            "RETURN_GENERATOR",
            "POP_TOP",
            "LOAD_FAST .0",
            "FOR_ITER 11",
            "STORE_FAST y",
            "LOAD_FAST y",
            "POP_JUMP_IF_FALSE 3",
            "LOAD_FAST y",
            "YIELD_VALUE",
            "POP_TOP",
            "JUMP 3",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn set_displays_and_a_set_comprehension() {
    // CPython 3.11: BUILD_SET for up to two items or non-constant ones; three or more
    // constants become an empty set updated from a frozenset constant.
    assert_ops(
        &compile("s = {a, 1}\n"),
        &[
            "LOAD_NAME a",
            "LOAD_CONST 1",
            "BUILD_SET 2",
            "STORE_NAME s",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
    let code = compile("s = {3, 1, (2, 'x'), 1}\n");
    assert_ops(
        &code,
        &[
            "BUILD_SET 0",
            "LOAD_CONST frozenset({3, 1, (2, 'x'), 1})",
            "SET_UPDATE 1",
            "STORE_NAME s",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
    let code = compile("t = {y for y in c if y}\n");
    let comp = nested(&code, "<setcomp>");
    assert_eq!(comp.name, "<setcomp>");
    assert_ops(
        &comp,
        &[
            "BUILD_SET 0",
            "LOAD_FAST .0",
            "FOR_ITER 9",
            "STORE_FAST y",
            "LOAD_FAST y",
            "POP_JUMP_IF_FALSE 2",
            "LOAD_FAST y",
            "SET_ADD 2",
            "JUMP 2",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn try_except_with_a_named_handler_and_a_return() {
    let code = compile(
        "def f():\n    try:\n        g()\n    except E as e:\n        return e\n    except F:\n        pass\n",
    );
    let f = nested(&code, "f");
    let text = ops(&f);
    let expected = [
        "SETUP_EXCEPT 7",
        "PUSH_NULL",
        "LOAD_GLOBAL g",
        "CALL 0",
        "POP_TOP",
        "POP_BLOCK",
        "JUMP 50",
        // handler 1: [prev, exc]
        "LOAD_GLOBAL E",
        "CHECK_EXC_MATCH",
        "POP_JUMP_IF_FALSE 34",
        "STORE_FAST e",
        "SETUP_EXCEPT 26",
        "LOAD_FAST e",
        "POP_BLOCK",
        "SWAP 2",
        "POP_EXCEPT",
        "LOAD_CONST None",
        "STORE_FAST e",
        "DELETE_FAST e",
        "RETURN_VALUE",
        "POP_BLOCK",
        "POP_EXCEPT",
        "LOAD_CONST None",
        "STORE_FAST e",
        "DELETE_FAST e",
        "JUMP 50",
        // cleanup of handler 1: [prev, prev2, new_exc]
        "LOAD_CONST None",
        "STORE_FAST e",
        "DELETE_FAST e",
        "SWAP 2",
        "POP_EXCEPT",
        "SWAP 2",
        "POP_EXCEPT",
        "RERAISE",
        // handler 2
        "LOAD_GLOBAL F",
        "CHECK_EXC_MATCH",
        "POP_JUMP_IF_FALSE 47",
        "POP_TOP",
        "SETUP_EXCEPT 42",
        "POP_BLOCK",
        "POP_EXCEPT",
        "JUMP 50",
        "SWAP 2",
        "POP_EXCEPT",
        "SWAP 2",
        "POP_EXCEPT",
        "RERAISE",
        // nothing matched
        "SWAP 2",
        "POP_EXCEPT",
        "RERAISE",
        "LOAD_CONST None",
        "RETURN_VALUE",
    ];
    assert_eq!(text, expected, "\n{f}");
    assert_eq!(max_stack_depth(&f), Ok(4));
}

#[test]
fn augmented_assignments() {
    let code = compile("x += 1\no.a -= 2\nc[k] *= 3\n");
    assert_ops(
        &code,
        &[
            "LOAD_NAME x",
            "LOAD_CONST 1",
            "INPLACE_OP Add",
            "STORE_NAME x",
            "LOAD_NAME o",
            "COPY 1",
            "LOAD_ATTR a",
            "LOAD_CONST 2",
            "INPLACE_OP Sub",
            "SWAP 2",
            "STORE_ATTR a",
            "LOAD_NAME c",
            "LOAD_NAME k",
            "COPY 2",
            "COPY 2",
            "BINARY_SUBSCR",
            "LOAD_CONST 3",
            "INPLACE_OP Mult",
            "SWAP 3",
            "SWAP 2",
            "STORE_SUBSCR",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn chained_comparison() {
    let code = compile("a < b < c\n");
    assert_ops(
        &code,
        &[
            "LOAD_NAME a",
            "LOAD_NAME b",
            "SWAP 2",
            "COPY 2",
            "COMPARE_OP Lt",
            "JUMP_IF_FALSE_OR_POP 9",
            "LOAD_NAME c",
            "COMPARE_OP Lt",
            "JUMP 11",
            "SWAP 2",
            "POP_TOP",
            "POP_TOP",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn fstrings_asserts_imports_slices_and_unpacking() {
    let code = compile(
        "from m import a, b\nimport g\nf\"x{a:.3f}{b}\"\nassert a, 'm'\n(p, [q, r]) = s[1:]\ndel p, q.z, r[0]\n",
    );
    let text = ops(&code);
    assert_eq!(
        &text[16..24],
        [
            "LOAD_NAME a",
            "POP_JUMP_IF_TRUE 23",
            "PUSH_NULL",
            "LOAD_ASSERTION_ERROR",
            "LOAD_CONST 'm'",
            "CALL 1",
            "RAISE_VARARGS 1",
            "LOAD_NAME s",
        ]
    );
    assert_eq!(
        &text[24..],
        [
            "LOAD_CONST 1",
            "LOAD_CONST None",
            "BUILD_SLICE 2",
            "BINARY_SUBSCR",
            "UNPACK_SEQUENCE 2",
            "STORE_NAME p",
            "UNPACK_SEQUENCE 2",
            "STORE_NAME q",
            "STORE_NAME r",
            "DELETE_NAME p",
            "LOAD_NAME q",
            "DELETE_ATTR z",
            "LOAD_NAME r",
            "LOAD_CONST 0",
            "DELETE_SUBSCR",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ]
    );
}

#[test]
fn constants_are_deduplicated_by_kind() {
    let code = compile("a = 1\nb = 1.0\nc = True\nd = 1\ne = 'x'\nf = 'x'\n");
    assert_eq!(
        code.consts,
        [
            Const::Int(1),
            Const::Float(1.0),
            Const::Bool(true),
            Const::Str("x".into()),
            Const::None
        ]
    );
}

#[test]
fn finally_with_a_return() {
    let code = compile("def f():\n    try:\n        return g()\n    finally:\n        h()\n");
    let f = nested(&code, "f");
    // The return value stays on the stack under the normal-path copy of the finally body;
    // the exception path runs a second copy and re-raises (CPython 3.11's shape).
    assert_ops(
        &f,
        &[
            "SETUP_EXCEPT 16",
            "PUSH_NULL",
            "LOAD_GLOBAL g",
            "CALL 0",
            "POP_BLOCK",
            "PUSH_NULL",
            "LOAD_GLOBAL h",
            "CALL 0",
            "POP_TOP",
            "RETURN_VALUE",
            "POP_BLOCK",
            "PUSH_NULL",
            "LOAD_GLOBAL h",
            "CALL 0",
            "POP_TOP",
            "JUMP 28",
            "SETUP_EXCEPT 25",
            "PUSH_NULL",
            "LOAD_GLOBAL h",
            "CALL 0",
            "POP_TOP",
            "POP_BLOCK",
            "SWAP 2",
            "POP_EXCEPT",
            "RERAISE",
            "COPY 4",
            "POP_EXCEPT",
            "RERAISE",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
    max_stack_depth(&f).unwrap();
}

#[test]
fn a_slice_and_a_dict_comprehension() {
    let code = compile("x = a[1:j:2]\nd = {k: v for k, v in p}\n");
    assert_ops(
        &code,
        &[
            "LOAD_NAME a",
            "LOAD_CONST 1",
            "LOAD_NAME j",
            "LOAD_CONST 2",
            "BUILD_SLICE 3",
            "BINARY_SUBSCR",
            "STORE_NAME x",
            "LOAD_CONST <code object <dictcomp>, line 2>",
            "MAKE_FUNCTION 0",
            "LOAD_NAME p",
            "GET_ITER",
            "CALL 0",
            "STORE_NAME d",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
    let comp = nested(&code, "<dictcomp>");
    assert_ops(
        &comp,
        &[
            "BUILD_MAP 0",
            "LOAD_FAST .0",
            "FOR_ITER 10",
            "UNPACK_SEQUENCE 2",
            "STORE_FAST k",
            "STORE_FAST v",
            "LOAD_FAST k",
            "LOAD_FAST v",
            "MAP_ADD 2",
            "JUMP 2",
            "RETURN_VALUE",
        ],
    );
    max_stack_depth(&comp).unwrap();
}

#[test]
fn break_continue_and_return_leave_their_blocks() {
    let code = compile(
        "def f(xs):\n    for x in xs:\n        try:\n            if x:\n                break\n            continue\n        except E:\n            return x\n",
    );
    let f = nested(&code, "f");
    let text = ops(&f);
    // break: PopBlock for the try, the iterator, then the jump past the loop.
    let brk = text.iter().position(|t| t == "POP_BLOCK").unwrap();
    assert_eq!(text[brk + 1], "POP_TOP");
    assert!(text[brk + 2].starts_with("JUMP "));
    // continue: PopBlock, jump to the FOR_ITER at 2.
    assert_eq!(text[brk + 3], "POP_BLOCK");
    assert_eq!(text[brk + 4], "JUMP 2");
    // return in the handler: value, handler exit, the loop's iterator below the value.
    let ret = text.iter().position(|t| t == "RETURN_VALUE").unwrap();
    assert_eq!(
        text[ret - 6..=ret],
        [
            "LOAD_FAST x",
            "POP_BLOCK",
            "SWAP 2",
            "POP_EXCEPT",
            "SWAP 2",
            "POP_TOP",
            "RETURN_VALUE"
        ]
    );
    max_stack_depth(&f).unwrap();
}

#[test]
fn symtable_scopes() {
    let src = "g = 1\ndef f(a):\n    global g\n    x = 1\n    def h():\n        return x + a + len\n    class C:\n        y = x\n        def m(self): return __class__\n    return h\n";
    let module = vm::syntax::parse(src, "t.py").unwrap();
    let table = symtable::build(&module, "t.py", src).unwrap();
    let f = &table.scopes[1];
    assert_eq!(f.name, "f");
    assert_eq!(f.scope_of("g"), Some(Scope::GlobalExplicit));
    assert_eq!(f.scope_of("x"), Some(Scope::Cell));
    assert_eq!(f.scope_of("a"), Some(Scope::Cell));
    assert_eq!(f.scope_of("h"), Some(Scope::Local));
    let h = &table.scopes[2];
    assert_eq!(h.scope_of("x"), Some(Scope::Free));
    assert_eq!(h.scope_of("len"), Some(Scope::GlobalImplicit));
    let c = &table.scopes[3];
    assert_eq!(c.scope_of("x"), Some(Scope::Free));
    assert_eq!(c.scope_of("y"), Some(Scope::Local));
    assert!(c.needs_class_cell);
    let m = &table.scopes[4];
    assert_eq!(m.scope_of("__class__"), Some(Scope::Free));
    // The class body reads its free variable with LoadClassDeref.
    let code = compile(src);
    let ccode = nested(&code, "f.<locals>.C");
    assert!(
        ccode.instrs.contains(&Instr::LoadClassDeref(1)),
        "\n{ccode}"
    );
    // Comprehension: `.0` parameter, loop variable local.
    let t = symtable::build(
        &vm::syntax::parse("[i for i in r]\n", "t").unwrap(),
        "t",
        "",
    )
    .unwrap();
    assert_eq!(t.scopes[1].params, [".0"]);
    assert_eq!(t.scopes[1].scope_of("i"), Some(Scope::Local));
    assert_eq!(t.scopes[0].scope_of("r"), Some(Scope::GlobalImplicit));
}

#[test]
fn walrus_scopes_and_shape() {
    // In a comprehension the target binds in the enclosing function (a cell there, free in
    // the comprehension) or the module (global in both), as CPython 3.11's symtable does.
    let src = "def f():\n    [y := i for i in r]\n    return y\n[z := i for i in r]\n";
    let module = vm::syntax::parse(src, "t.py").unwrap();
    let table = symtable::build(&module, "t.py", src).unwrap();
    assert_eq!(table.scopes[1].scope_of("y"), Some(Scope::Cell));
    assert_eq!(table.scopes[2].scope_of("y"), Some(Scope::Free));
    assert_eq!(table.scopes[2].scope_of("i"), Some(Scope::Local));
    assert_eq!(table.scopes[0].scope_of("z"), Some(Scope::GlobalExplicit));
    assert_eq!(table.scopes[3].scope_of("z"), Some(Scope::GlobalExplicit));
    let code = compile(src);
    assert_ops(
        &nested(&code, "f.<locals>.<listcomp>"),
        &[
            "BUILD_LIST 0",
            "LOAD_FAST .0",
            "FOR_ITER 9",
            "STORE_FAST i",
            "LOAD_FAST i",
            "COPY 1",
            "STORE_DEREF y",
            "LIST_APPEND 2",
            "JUMP 2",
            "RETURN_VALUE",
        ],
    );
    // `(n := 10)` outside a comprehension: the value, a copy, the store.
    assert_ops(
        &compile("print(n := 10)\n"),
        &[
            "PUSH_NULL",
            "LOAD_NAME print",
            "LOAD_CONST 10",
            "COPY 1",
            "STORE_NAME n",
            "CALL 1",
            "POP_TOP",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
}

/// Every compile-time SyntaxError, with CPython 3.11's message and location.
#[test]
fn annotations() {
    // CPython 3.11: SETUP_ANNOTATIONS first, the value stored before the annotation is
    // evaluated and put into `__annotations__`; a non-simple target's annotation is
    // evaluated and dropped; the def's annotations are a tuple of names and values.
    let code = compile("x: int = 1\ny: str\n(z): T = 2\no.a: U\ndef f(a: A) -> R: pass\n");
    assert_ops(
        &code,
        &[
            "SETUP_ANNOTATIONS",
            "LOAD_CONST 1",
            "STORE_NAME x",
            "LOAD_NAME int",
            "LOAD_NAME __annotations__",
            "LOAD_CONST 'x'",
            "STORE_SUBSCR",
            "LOAD_NAME str",
            "LOAD_NAME __annotations__",
            "LOAD_CONST 'y'",
            "STORE_SUBSCR",
            "LOAD_CONST 2",
            "STORE_NAME z",
            "LOAD_NAME T",
            "POP_TOP",
            "LOAD_NAME o",
            "POP_TOP",
            "LOAD_NAME U",
            "POP_TOP",
            "LOAD_CONST 'a'",
            "LOAD_NAME A",
            "LOAD_CONST 'return'",
            "LOAD_NAME R",
            "BUILD_TUPLE 4",
            "LOAD_CONST <code object f, line 5>",
            "MAKE_FUNCTION 4",
            "STORE_NAME f",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
    // In a function, annotations are not evaluated; a bare `x: int` makes x local.
    let code = compile("def f():\n    x: int = 1\n    y: int\n    return y\n");
    assert_ops(
        &nested(&code, "f"),
        &[
            "LOAD_CONST 1",
            "STORE_FAST x",
            "LOAD_FAST y",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn starred_targets_and_displays() {
    // CPython 3.11: UNPACK_EX before | after << 8; starunpack_helper's displays; a lone
    // `*x` call argument passed as it is.
    let code = compile("a, *b, c = d\n[*a, 1]\n(0, *b)\nf(*a)\nf(1, *a)\n");
    assert_ops(
        &code,
        &[
            "LOAD_NAME d",
            "UNPACK_EX 257",
            "STORE_NAME a",
            "STORE_NAME b",
            "STORE_NAME c",
            "BUILD_LIST 0",
            "LOAD_NAME a",
            "LIST_EXTEND 1",
            "LOAD_CONST 1",
            "LIST_APPEND 1",
            "POP_TOP",
            "LOAD_CONST 0",
            "BUILD_LIST 1",
            "LOAD_NAME b",
            "LIST_EXTEND 1",
            "LIST_TO_TUPLE",
            "POP_TOP",
            "PUSH_NULL",
            "LOAD_NAME f",
            "LOAD_NAME a",
            "CALL_FUNCTION_EX",
            "POP_TOP",
            "PUSH_NULL",
            "LOAD_NAME f",
            "LOAD_CONST 1",
            "BUILD_LIST 1",
            "LOAD_NAME a",
            "LIST_EXTEND 1",
            "LIST_TO_TUPLE",
            "CALL_FUNCTION_EX",
            "POP_TOP",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn a_bare_except() {
    // No type check; nothing after the last handler re-raises an unmatched exception.
    let code = compile("try:\n    f()\nexcept:\n    g()\n");
    assert_ops(
        &code,
        &[
            "SETUP_EXCEPT 7",
            "PUSH_NULL",
            "LOAD_NAME f",
            "CALL 0",
            "POP_TOP",
            "POP_BLOCK",
            "JUMP 21",
            "POP_TOP",
            "SETUP_EXCEPT 16",
            "PUSH_NULL",
            "LOAD_NAME g",
            "CALL 0",
            "POP_TOP",
            "POP_BLOCK",
            "POP_EXCEPT",
            "JUMP 21",
            "SWAP 2",
            "POP_EXCEPT",
            "SWAP 2",
            "POP_EXCEPT",
            "RERAISE",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
}

#[test]
fn syntax_errors() {
    let cases: &[(&str, &str, u32, u32)] = &[
        (
            "def f():\n    print(x)\n    global x\n",
            "name 'x' is used prior to global declaration",
            3,
            5,
        ),
        (
            "def f():\n    x = 1\n    global x\n",
            "name 'x' is assigned to before global declaration",
            3,
            5,
        ),
        (
            "def f(x):\n    global x\n",
            "name 'x' is parameter and global",
            2,
            5,
        ),
        (
            "def f(x):\n    nonlocal x\n",
            "name 'x' is parameter and nonlocal",
            2,
            5,
        ),
        (
            "nonlocal x\n",
            "nonlocal declaration not allowed at module level",
            1,
            1,
        ),
        (
            "def f():\n    def g():\n        nonlocal  y\n",
            "no binding for nonlocal 'y' found",
            3,
            9,
        ),
        (
            "def f():\n  global x\n  def g():\n    nonlocal x\n",
            "no binding for nonlocal 'x' found",
            4,
            5,
        ),
        ("class C:\n  return 1\n", "'return' outside function", 2, 3),
        ("yield 1\n", "'yield' outside function", 1, 1),
        ("class C:\n  x = yield\n", "'yield' outside function", 2, 7),
        (
            "def f():\n  return [(yield x) for x in y]\n",
            "'yield' inside list comprehension",
            2,
            12,
        ),
        (
            "def f():\n  return ((yield) for x in y)\n",
            "'yield' inside generator expression",
            2,
            12,
        ),
        (
            "[x for x in y]\nreturn\n",
            "'return' outside function",
            2,
            1,
        ),
        ("if x:\n    break\n", "'break' outside loop", 2, 5),
        (
            "for x in y:\n  class C:\n    break\n",
            "'break' outside loop",
            3,
            5,
        ),
        (
            "while x:\n  def f():\n    continue\n",
            "'continue' not properly in loop",
            3,
            5,
        ),
        (
            "def f():\n  global x\n  nonlocal x\n",
            "name 'x' is nonlocal and global",
            2,
            3,
        ),
        (
            "def f(a, a): pass\n",
            "duplicate argument 'a' in function definition",
            1,
            10,
        ),
        (
            "[i := 0 for i in r]\n",
            "assignment expression cannot rebind comprehension iteration variable 'i'",
            1,
            2,
        ),
        (
            "def f():\n    return [[(j := i) for i in r] for j in s]\n",
            "assignment expression cannot rebind comprehension iteration variable 'j'",
            2,
            15,
        ),
        (
            "[x for x in (lambda: (y := r))()]\n",
            "assignment expression cannot be used in a comprehension iterable expression",
            1,
            23,
        ),
        (
            "[x for x in [(z := y) for y in r]]\n",
            "assignment expression cannot be used in a comprehension iterable expression",
            1,
            15,
        ),
        (
            "a, *b, *c = d\n",
            "multiple starred expressions in assignment",
            1,
            1,
        ),
        (
            "try:\n  pass\nexcept:\n  pass\nexcept E:\n  pass\n",
            "default 'except:' must be last",
            3,
            1,
        ),
        (
            "def f():\n    global x\n    x: int\n",
            "annotated name 'x' can't be global",
            3,
            5,
        ),
        (
            "def f():\n    x: int\n    global x\n",
            "annotated name 'x' can't be global",
            3,
            5,
        ),
        (
            "def f():\n    x = 1\n    def g():\n        nonlocal x\n        x: int = 2\n",
            "annotated name 'x' can't be nonlocal",
            5,
            9,
        ),
    ];
    for &(src, msg, line, col) in cases {
        let err = compile_source(src, "t.py").expect_err(src);
        assert_eq!(
            (err.msg.as_str(), err.line, err.col),
            (msg, line, col),
            "{src:?}"
        );
        assert!(err.text.is_some());
    }
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
        } else if path.extension().is_some_and(|x| x == "py") {
            out.push(path);
        }
    }
}

/// Checks the structural invariants of `code` and everything nested in it.
fn check_invariants(code: &Code, what: &str) {
    let mut queue = vec![code];
    while let Some(c) = queue.pop() {
        let ctx = format!("{what}: {}", c.qualname);
        assert_eq!(c.spans.len(), c.instrs.len(), "{ctx}");
        let cells = c.cellvars.len() + c.freevars.len();
        for (pc, instr) in c.instrs.iter().enumerate() {
            use Instr as I;
            let (index, len) = match *instr {
                I::LoadConst(i) | I::KwNames(i) => (i, c.consts.len()),
                I::LoadFast(i) | I::StoreFast(i) | I::DeleteFast(i) => (i, c.varnames.len()),
                I::LoadDeref(i)
                | I::StoreDeref(i)
                | I::DeleteDeref(i)
                | I::LoadClosure(i)
                | I::LoadClassDeref(i) => (i, cells),
                I::LoadGlobal(i)
                | I::StoreGlobal(i)
                | I::DeleteGlobal(i)
                | I::LoadName(i)
                | I::StoreName(i)
                | I::DeleteName(i)
                | I::LoadAttr(i)
                | I::StoreAttr(i)
                | I::DeleteAttr(i)
                | I::LoadMethod(i)
                | I::ImportName(i)
                | I::ImportFrom(i) => (i, c.names.len()),
                I::Jump(t)
                | I::PopJumpIfFalse(t)
                | I::PopJumpIfTrue(t)
                | I::JumpIfFalseOrPop(t)
                | I::JumpIfTrueOrPop(t)
                | I::ForIter(t)
                | I::SetupExcept(t) => (t, c.instrs.len()),
                _ => (0, 1),
            };
            assert!(
                (index as usize) < len,
                "{ctx}: instruction {pc} {instr:?} out of range\n{c}"
            );
            if let I::KwNames(i) = *instr {
                assert!(matches!(c.consts[i as usize], Const::Tuple(_)), "{ctx}");
            }
        }
        assert_eq!(c.cell2arg.len(), c.cellvars.len(), "{ctx}");
        if let Err(e) = max_stack_depth(c) {
            panic!("{ctx}: {e}\n{c}");
        }
        for k in &c.consts {
            if let Const::Code(inner) = k {
                queue.push(inner);
            }
        }
    }
}

/// The corpus scripts that parse but that CPython 3.11's compiler rejects, with its message,
/// line and column (from `compile(open(f).read(), f, "exec")` under python3.11).
const CORPUS_COMPILE_ERRORS: &[(&str, &str, u32, u32)] = &[
    (
        "errors/syntax_except_default_last.py",
        "default 'except:' must be last",
        6,
        1,
    ),
    (
        "errors/syntax_walrus_comp_iter.py",
        "assignment expression cannot be used in a comprehension iterable expression",
        4,
        20,
    ),
    (
        "errors/syntax_walrus_comp_class.py",
        "assignment expression within a comprehension cannot be used in a class body",
        7,
        16,
    ),
    (
        "errors/syntax_break_outside.py",
        "'break' outside loop",
        4,
        5,
    ),
    (
        "errors/syntax_nonlocal_module.py",
        "nonlocal declaration not allowed at module level",
        3,
        1,
    ),
    (
        "errors/syntax_return_outside.py",
        "'return' outside function",
        3,
        1,
    ),
    (
        "hostile/syntax_duplicate_arg.py",
        "duplicate argument 'a' in function definition",
        5,
        13,
    ),
];

#[test]
fn the_conformance_corpus_compiles_to_valid_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance");
    let mut paths = Vec::new();
    scripts(&root, &mut paths);
    let mut compiled = 0;
    for path in &paths {
        let source = std::fs::read_to_string(path).expect("readable script");
        let name = path.display().to_string();
        let Ok(module) = vm::syntax::parse(&source, &name) else {
            continue;
        };
        match vm::compile::compile_module(&module, &name, &source) {
            Ok(code) => {
                check_invariants(&code, &name);
                // The disassembly renders without panicking.
                assert!(!code.to_string().is_empty());
                compiled += 1;
            }
            Err(e) => {
                let expected = CORPUS_COMPILE_ERRORS
                    .iter()
                    .find(|(file, ..)| name.ends_with(file))
                    .unwrap_or_else(|| panic!("{name}: {e}"));
                assert_eq!(
                    (e.msg.as_str(), e.line, e.col),
                    (expected.1, expected.2, expected.3),
                    "{name}"
                );
            }
        }
    }
    assert!(compiled > 50, "only {compiled} scripts compiled");
}

#[test]
fn stack_depth_analysis_rejects_bad_code() {
    let mut code = (*compile("x = 1\n")).clone();
    assert_eq!(max_stack_depth(&code), Ok(1));
    code.instrs.insert(0, Instr::PopTop);
    code.spans.insert(0, code.spans[0]);
    assert!(max_stack_depth(&code).is_err());
    let mut code = (*compile("a and b\n")).clone();
    assert_eq!(max_stack_depth(&code), Ok(1));
    // A join with different depths.
    code.instrs[1] = Instr::JumpIfFalseOrPop(4);
    code.instrs.insert(3, Instr::LoadConst(0));
    code.spans.insert(3, code.spans[0]);
    assert!(max_stack_depth(&code).is_err(), "{code}");
}

#[test]
fn keyword_only_and_positional_only_parameters() {
    // CPython 3.11 folds the positional defaults into one constant tuple and uses
    // BUILD_CONST_KEY_MAP; pymem builds the same tuple and dict at run time.
    let code = compile("def f(a, b=1, /, c=2, *, d, e=5, **kw):\n    x = 1\n");
    assert_ops(
        &code,
        &[
            "LOAD_CONST 1",
            "LOAD_CONST 2",
            "BUILD_TUPLE 2",
            "LOAD_CONST 'e'",
            "LOAD_CONST 5",
            "BUILD_MAP 1",
            "LOAD_CONST <code object f, line 1>",
            "MAKE_FUNCTION 3",
            "STORE_NAME f",
            "LOAD_CONST None",
            "RETURN_VALUE",
        ],
    );
    let f = nested(&code, "f");
    assert_eq!((f.argcount, f.posonlyargcount, f.kwonlyargcount), (3, 2, 2));
    assert!(!f.has_varargs && f.has_varkw);
    assert_eq!(f.varnames, ["a", "b", "c", "d", "e", "kw", "x"]);
    let g = nested(&compile("def g(*args, k):\n    pass\n"), "g");
    assert_eq!((g.argcount, g.kwonlyargcount), (0, 1));
    assert_eq!(g.varnames, ["k", "args"]);
}
