//! Lowering of every PySub-0 construct, checked structurally: each program's AST is printed
//! in a compact S-expression form and compared with the expected shape. Unsupported
//! constructs give the "does not support" error with the corpus' tag and the construct's
//! location.

use vm::syntax::ast::*;
use vm::syntax::{Pos, parse};

fn shape_module(m: &Module) -> String {
    m.body.iter().map(stmt).collect::<Vec<_>>().join("; ")
}

fn block(b: &[Stmt]) -> String {
    format!("[{}]", b.iter().map(stmt).collect::<Vec<_>>().join("; "))
}

fn list(es: &[Expr]) -> String {
    es.iter().map(expr).collect::<Vec<_>>().join(", ")
}

fn params(p: &Params) -> String {
    let param = |a: &Param| {
        let name = match &a.annotation {
            Some(t) => format!("{}: {}", a.name.name, expr(t)),
            None => a.name.name.clone(),
        };
        match &a.default {
            Some(d) => format!("{name}={}", expr(d)),
            None => name,
        }
    };
    let star = |n: &str, a: &Option<Box<Expr>>| match a {
        Some(t) => format!("{n}: {}", expr(t)),
        None => n.to_owned(),
    };
    let mut out: Vec<String> = p.args.iter().map(param).collect();
    if p.posonly > 0 {
        out.insert(p.posonly, "/".to_owned());
    }
    if let Some(v) = &p.vararg {
        out.push(format!("*{}", star(&v.name, &p.vararg_annotation)));
    } else if !p.kwonly.is_empty() {
        out.push("*".to_owned());
    }
    out.extend(p.kwonly.iter().map(param));
    if let Some(k) = &p.kwarg {
        out.push(format!("**{}", star(&k.name, &p.kwarg_annotation)));
    }
    out.join(", ")
}

fn aliases(ids: &[ImportAlias]) -> String {
    ids.iter()
        .map(|a| match &a.asname {
            Some(n) => format!("{} as {}", a.name.name, n.name),
            None => a.name.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn names(ids: &[Ident]) -> String {
    ids.iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn stmt(s: &Stmt) -> String {
    match &s.kind {
        StmtKind::Expr(e) => format!("Expr({})", expr(e)),
        StmtKind::Assign { targets, value } => {
            format!("Assign([{}], {})", list(targets), expr(value))
        }
        StmtKind::AugAssign { target, op, value } => {
            format!("AugAssign({}, {op:?}, {})", expr(target), expr(value))
        }
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
            simple,
        } => format!(
            "AnnAssign({}{}: {}{})",
            expr(target),
            if *simple { "" } else { " (not simple)" },
            expr(annotation),
            value
                .as_ref()
                .map_or(String::new(), |v| format!(" = {}", expr(v)))
        ),
        StmtKind::Delete(ts) => format!("Delete({})", list(ts)),
        StmtKind::Pass => "Pass".into(),
        StmtKind::Break => "Break".into(),
        StmtKind::Continue => "Continue".into(),
        StmtKind::Return(v) => format!("Return({})", v.as_ref().map_or(String::new(), expr)),
        StmtKind::If { test, body, orelse } => {
            format!("If({}, {}, {})", expr(test), block(body), block(orelse))
        }
        StmtKind::While { test, body, orelse } if orelse.is_empty() => {
            format!("While({}, {})", expr(test), block(body))
        }
        StmtKind::While { test, body, orelse } => {
            format!(
                "While({}, {}, else {})",
                expr(test),
                block(body),
                block(orelse)
            )
        }
        StmtKind::For {
            target,
            iter,
            body,
            orelse,
        } if orelse.is_empty() => {
            format!("For({}, {}, {})", expr(target), expr(iter), block(body))
        }
        StmtKind::For {
            target,
            iter,
            body,
            orelse,
        } => format!(
            "For({}, {}, {}, else {})",
            expr(target),
            expr(iter),
            block(body),
            block(orelse)
        ),
        StmtKind::With { items, body } => {
            let items: Vec<String> = items
                .iter()
                .map(|i| match &i.target {
                    Some(t) => format!("{} as {}", expr(&i.context), expr(t)),
                    None => expr(&i.context),
                })
                .collect();
            format!("With({}, {})", items.join(", "), block(body))
        }
        StmtKind::FunctionDef(f) if !f.decorators.is_empty() => format!(
            "@[{}] Def({}({}), {})",
            list(&f.decorators),
            f.name.name,
            params(&f.params),
            block(&f.body)
        ),
        StmtKind::FunctionDef(f) => {
            let returns = f
                .returns
                .as_ref()
                .map_or(String::new(), |r| format!(" -> {}", expr(r)));
            format!(
                "Def({}({}){returns}, {})",
                f.name.name,
                params(&f.params),
                block(&f.body)
            )
        }
        StmtKind::ClassDef(c) => format!(
            "Class({}({}), {})",
            c.name.name,
            list(&c.bases),
            block(&c.body)
        ),
        StmtKind::Global(ns) => format!("Global({})", names(ns)),
        StmtKind::Nonlocal(ns) => format!("Nonlocal({})", names(ns)),
        StmtKind::Import(ns) => format!("Import({})", aliases(ns)),
        StmtKind::ImportFrom { module, names: ns } => {
            format!("From({}, {})", module.name, aliases(ns))
        }
        StmtKind::Raise {
            exc: Some(e),
            cause: None,
        } => format!("Raise({})", expr(e)),
        StmtKind::Raise {
            exc: Some(e),
            cause: Some(c),
        } => format!("Raise({} from {})", expr(e), expr(c)),
        StmtKind::Raise { exc: None, .. } => "Raise()".to_owned(),
        StmtKind::Try {
            body,
            handlers,
            orelse,
            finalbody,
        } => {
            let hs: Vec<String> = handlers
                .iter()
                .map(|h| {
                    let name = h
                        .name
                        .as_ref()
                        .map_or(String::new(), |n| format!(" as {}", n.name));
                    let typ = h.typ.as_ref().map_or("bare".to_owned(), expr);
                    format!("Except({typ}{name}, {})", block(&h.body))
                })
                .collect();
            let mut out = format!("Try({}, [{}]", block(body), hs.join(", "));
            if !orelse.is_empty() {
                out += &format!(", else {}", block(orelse));
            }
            if !finalbody.is_empty() {
                out += &format!(", finally {}", block(finalbody));
            }
            out + ")"
        }
        StmtKind::Assert { test, msg } => match msg {
            Some(m) => format!("Assert({}, {})", expr(test), expr(m)),
            None => format!("Assert({})", expr(test)),
        },
    }
}

/// `{value!c:spec}`, the spec's literal text raw and its nested fields as fields.
fn fstring_field(p: &FStringPart) -> String {
    match p {
        FStringPart::Literal(s) => s.clone(),
        FStringPart::Field {
            value,
            conversion,
            spec,
            ..
        } => {
            let conv = if *conversion == 0 {
                String::new()
            } else {
                format!("!{}", *conversion as char)
            };
            let spec = spec.as_ref().map_or(String::new(), |s| {
                format!(":{}", s.iter().map(fstring_field).collect::<String>())
            });
            format!("{{{}{conv}{spec}}}", expr(value))
        }
    }
}

/// A comprehension's clauses, ` for t in it if c` each.
fn clauses(generators: &[Comprehension]) -> String {
    generators
        .iter()
        .map(|g| {
            let ifs: String = g.ifs.iter().map(|i| format!(" if {}", expr(i))).collect();
            format!(" for {} in {}{ifs}", expr(&g.target), expr(&g.iter))
        })
        .collect()
}

fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        ExprKind::Starred(x) => format!("*{}", expr(x)),
        ExprKind::Named { target, value } => format!("({} := {})", target.name, expr(value)),
        ExprKind::Int(i) => i.to_string(),
        ExprKind::Float(f) => format!("{f:?}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Bool(b) => if *b { "True" } else { "False" }.into(),
        ExprKind::None => "None".into(),
        ExprKind::FString(parts) => {
            let ps: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    FStringPart::Literal(s) => format!("{s:?}"),
                    field => fstring_field(field),
                })
                .collect();
            format!("F[{}]", ps.join(" "))
        }
        ExprKind::BinOp { left, op, right } => format!("{op:?}({}, {})", expr(left), expr(right)),
        ExprKind::UnaryOp { op, operand } => format!("{op:?}({})", expr(operand)),
        ExprKind::BoolOp { op, values } => format!("{op:?}({})", list(values)),
        ExprKind::Compare {
            left,
            ops,
            comparators,
        } => {
            let rest: Vec<String> = ops
                .iter()
                .zip(comparators)
                .map(|(op, c)| format!("{op:?} {}", expr(c)))
                .collect();
            format!("Cmp({} {})", expr(left), rest.join(" "))
        }
        ExprKind::IfExp { test, body, orelse } => {
            format!("IfExp({}, {}, {})", expr(test), expr(body), expr(orelse))
        }
        ExprKind::Lambda { params: p, body } => format!("Lambda({}: {})", params(p), expr(body)),
        ExprKind::Call {
            func,
            args,
            keywords,
        } => {
            let mut all: Vec<String> = args.iter().map(expr).collect();
            all.extend(keywords.iter().map(|k| match &k.name {
                Some(n) => format!("{}={}", n.name, expr(&k.value)),
                None => format!("**{}", expr(&k.value)),
            }));
            format!("Call({}, [{}])", expr(func), all.join(", "))
        }
        ExprKind::Attribute { value, attr } => format!("{}.{}", expr(value), attr.name),
        ExprKind::Subscript { value, index } => format!("{}[{}]", expr(value), expr(index)),
        ExprKind::Slice { lower, upper, step } => {
            let part = |p: &Option<Box<Expr>>| p.as_ref().map_or(String::new(), |e| expr(e));
            format!("Slice({}:{}:{})", part(lower), part(upper), part(step))
        }
        ExprKind::List(es) => format!("List[{}]", list(es)),
        ExprKind::Tuple(es) => format!("Tuple({})", list(es)),
        ExprKind::Dict(items) => {
            let is: Vec<String> = items
                .iter()
                .map(|(k, v)| format!("{}: {}", expr(k), expr(v)))
                .collect();
            format!("Dict{{{}}}", is.join(", "))
        }
        ExprKind::ListComp { elt, generators } => {
            format!("ListComp({}{})", expr(elt), clauses(generators))
        }
        ExprKind::Set(es) => format!("Set{{{}}}", list(es)),
        ExprKind::SetComp { elt, generators } => {
            let gs: Vec<String> = generators
                .iter()
                .map(|g| format!(" for {} in {}", expr(&g.target), expr(&g.iter)))
                .collect();
            format!("SetComp({}{})", expr(elt), gs.concat())
        }
        ExprKind::DictComp {
            key,
            value,
            generators,
        } => format!(
            "DictComp({}: {}{})",
            expr(key),
            expr(value),
            clauses(generators)
        ),
        ExprKind::GeneratorExp { elt, generators } => {
            format!("GenExp({}{})", expr(elt), clauses(generators))
        }
        ExprKind::Yield(v) => match v {
            Some(v) => format!("Yield({})", expr(v)),
            None => "Yield()".into(),
        },
    }
}

const TABLE: &[(&str, &str)] = &[
    // Generators.
    (
        "x = (a for a in b if a)\n",
        "Assign([x], GenExp(a for a in b if a))",
    ),
    (
        "def g():\n    yield\n    y = yield 1\n",
        "Def(g(), [Expr(Yield()); Assign([y], Yield(1))])",
    ),
    // Module code, docstrings, imports.
    (
        "\"\"\"doc\"\"\"\nimport gc, sys\nfrom math import sin, sqrt\n",
        "Expr(\"doc\"); Import(gc, sys); From(math, sin, sqrt)",
    ),
    (
        "import sys as s, gc\nfrom weakref import ref as r, proxy\n",
        "Import(sys as s, gc); From(weakref, ref as r, proxy)",
    ),
    // Annotations: parameters, `*args`/`**kwargs`, return, variables.
    (
        "def f(a: int, /, b=1, *c: C, d: str = 'x', **e: E) -> bool:\n    x: int = 1\n",
        "Def(f(a: int, /, b=1, *c: C, d: str=\"x\", **e: E) -> bool, [AnnAssign(x: int = 1)])",
    ),
    (
        "x: int\n(y): int = 2\no.a: T\n",
        "AnnAssign(x: int); AnnAssign(y (not simple): int = 2); AnnAssign(o.a (not simple): T)",
    ),
    // Starred targets and display items; bare `except:`; `:=`.
    (
        "a, *b = [*c, 1]\ntry:\n    pass\nexcept:\n    pass\n",
        "Assign([Tuple(a, *b)], List[*c, 1]); Try([Pass], [Except(bare, [Pass])])",
    ),
    // Decorators, top first.
    (
        "@a\n@b.c(1)\ndef f():\n    pass\n",
        "@[a, Call(b.c, [1])] Def(f(), [Pass])",
    ),
    // `with`, several items.
    (
        "with f() as g, h:\n    pass\n",
        "With(Call(f, []) as g, h, [Pass])",
    ),
    // Loops with `else` parts.
    (
        "for x in y:\n    break\nelse:\n    z = 1\nwhile x:\n    pass\nelse:\n    pass\n",
        "For(x, y, [Break], else [Assign([z], 1)]); While(x, [Pass], else [Pass])",
    ),
    (
        "if __name__ == \"__main__\":\n    main()\n",
        "If(Cmp(__name__ Eq \"__main__\"), [Expr(Call(main, []))], [])",
    ),
    // Literals.
    (
        "x = 0x1F\ny = 2.\nz = 1e+00\nw = 'a' \"b\"\nv = True, False, None\n",
        "Assign([x], 31); Assign([y], 2.0); Assign([z], 1.0); Assign([w], \"ab\"); Assign([v], Tuple(True, False, None))",
    ),
    ("s = 'tab\\there\\n'\n", "Assign([s], \"tab\\there\\n\")"),
    (
        "x = 9223372036854775807\n",
        "Assign([x], 9223372036854775807)",
    ),
    // f-strings.
    (
        "print(f\"{x} and {y:.9f}!\")\n",
        "Expr(Call(print, [F[{x} \" and \" {y:.9f} \"!\"]]))",
    ),
    (
        "s = f'a{{b}}' 'c' f'{d}'\n",
        "Assign([s], F[\"a{b}c\" {d}])",
    ),
    (
        "s = f'{a!r:>{w}} {b!s} {c!a:,.2f}'\n",
        "Assign([s], F[{a!r:>{w}} \" \" {b!s} \" \" {c!a:,.2f}])",
    ),
    // Set displays and set comprehensions.
    (
        "s = {1, (2, 3)}\nt = {x for x in y}\n",
        "Assign([s], Set{1, Tuple(2, 3)}); Assign([t], SetComp(x for x in y))",
    ),
    // Slices and dict comprehensions.
    (
        "x = a[1:2], a[:j], a[::k], a[i:j:k], a[:]\ndel a[1:]\n",
        "Assign([x], Tuple(a[Slice(1:2:)], a[Slice(:j:)], a[Slice(::k)], a[Slice(i:j:k)], a[Slice(::)])); Delete(a[Slice(1::)])",
    ),
    (
        "d = {k: v * 2 for k, v in items if v}\n",
        "Assign([d], DictComp(k: Mult(v, 2) for Tuple(k, v) in items if v))",
    ),
    // Containers.
    (
        "x = [1, [2]]\ny = (1,)\nz = {'a': (1, 2), 3: [4]}\ne = {}\n",
        "Assign([x], List[1, List[2]]); Assign([y], Tuple(1)); Assign([z], Dict{\"a\": Tuple(1, 2), 3: List[4]}); Assign([e], Dict{})",
    ),
    (
        "a = [None] * n\nb = l[x + 1:]\nc = l[0]\n",
        "Assign([a], Mult(List[None], n)); Assign([b], l[Slice(Add(x, 1)::)]); Assign([c], l[0])",
    ),
    // Operators.
    (
        "x = -a + +b - ~c * d / e // f % g ** h\n",
        "Assign([x], Sub(Add(Neg(a), Pos(b)), Mod(FloorDiv(Div(Mult(Invert(c), d), e), f), Pow(g, h))))",
    ),
    (
        "x = a & b ^ c | d << 1 >> 2\n",
        "Assign([x], BitOr(BitXor(BitAnd(a, b), c), RShift(LShift(d, 1), 2)))",
    ),
    (
        "x = a < b <= c is not None\n",
        "Assign([x], Cmp(a Lt b LtE c IsNot None))",
    ),
    (
        "x = a in b and c not in d or not e\n",
        "Assign([x], Or(And(Cmp(a In b), Cmp(c NotIn d)), Not(e)))",
    ),
    ("x = a if c else b\n", "Assign([x], IfExp(c, a, b))"),
    (
        "x = a is b != c == d > e >= f\n",
        "Assign([x], Cmp(a Is b NotEq c Eq d Gt e GtE f))",
    ),
    // Assignment forms.
    ("a = b = x\n", "Assign([a, b], x)"),
    (
        "self.x = x = sin(i)\n",
        "Assign([self.x, x], Call(sin, [i]))",
    ),
    (
        "(r, v, m) = ref\na, b = b, a\n",
        "Assign([Tuple(r, v, m)], ref); Assign([Tuple(a, b)], Tuple(b, a))",
    ),
    (
        "for (([x1, y1], v1), m) in pairs:\n    pass\n",
        "For(Tuple(Tuple(List[x1, y1], v1), m), pairs, [Pass])",
    ),
    (
        "x += 1\nself.n -= 2\nv[0] //= 3\nx **= 2\n",
        "AugAssign(x, Add, 1); AugAssign(self.n, Sub, 2); AugAssign(v[0], FloorDiv, 3); AugAssign(x, Pow, 2)",
    ),
    ("del x, y[0], z.a\n", "Delete(x, y[0], z.a)"),
    // Control flow.
    (
        "if a:\n    x = 1\nelif b:\n    x = 2\nelse:\n    x = 3\n",
        "If(a, [Assign([x], 1)], [If(b, [Assign([x], 2)], [Assign([x], 3)])])",
    ),
    (
        "while i < n:\n    i += 1\n    if i:\n        continue\n    break\n",
        "While(Cmp(i Lt n), [AugAssign(i, Add, 1); If(i, [Continue], []); Break])",
    ),
    (
        "for i in range(0, 10, 2):\n    pass\n",
        "For(i, Call(range, [0, 10, 2]), [Pass])",
    ),
    (
        "try:\n    f()\nexcept (A, B) as e:\n    raise\nelse:\n    g()\nfinally:\n    h()\n",
        "Try([Expr(Call(f, []))], [Except(Tuple(A, B) as e, [Raise()])], else [Expr(Call(g, []))], finally [Expr(Call(h, []))])",
    ),
    // Functions.
    (
        "def f(a, b=1, *args, **kwargs):\n    \"\"\"doc\"\"\"\n    return\n",
        "Def(f(a, b=1, *args, **kwargs), [Expr(\"doc\"); Return()])",
    ),
    (
        "def outer():\n    x = 0\n    def inner():\n        nonlocal x\n        global g\n        return x\n    return inner\n",
        "Def(outer(), [Assign([x], 0); Def(inner(), [Nonlocal(x); Global(g); Return(x)]); Return(inner)])",
    ),
    // Keyword-only and positional-only parameters.
    (
        "def f(a, *, b, c=2):\n    pass\n",
        "Def(f(a, *, b, c=2), [Pass])",
    ),
    (
        "def f(*args, key=None, **kw):\n    pass\n",
        "Def(f(*args, key=None, **kw), [Pass])",
    ),
    (
        "def f(a, b=1, /, c=2, *, d, **kw):\n    pass\n",
        "Def(f(a, b=1, /, c=2, *, d, **kw), [Pass])",
    ),
    (
        "f = lambda a, /, b, *, c=3: a\n",
        "Assign([f], Lambda(a, /, b, *, c=3: a))",
    ),
    (
        "f = lambda x, y=2: x + y\ng = lambda: 0\n",
        "Assign([f], Lambda(x, y=2: Add(x, y))); Assign([g], Lambda(: 0))",
    ),
    (
        "print(a, b, sep='', end='')\n",
        "Expr(Call(print, [a, b, sep=\"\", end=\"\"]))",
    ),
    (
        "x = [y * 2 for y in z if y for w in y if w > 1]\n",
        "Assign([x], ListComp(Mult(y, 2) for y in z if y for w in y if Cmp(w Gt 1)))",
    ),
    // Classes.
    (
        "class A:\n    pass\nclass B(A):\n    n = 0\n    def m(self):\n        return super().m()\n",
        "Class(A(), [Pass]); Class(B(A), [Assign([n], 0); Def(m(self), [Return(Call(Call(super, []).m, []))])])",
    ),
    (
        "Task.__init__(self, i)\nt = type(x).__name__\nd = o.__dict__\n",
        "Expr(Call(Task.__init__, [self, i])); Assign([t], Call(type, [x]).__name__); Assign([d], o.__dict__)",
    ),
    // Exceptions and assert.
    (
        "try:\n    f()\nexcept ValueError as e:\n    print(e)\nexcept TypeError:\n    pass\n",
        "Try([Expr(Call(f, []))], [Except(ValueError as e, [Expr(Call(print, [e]))]), Except(TypeError, [Pass])])",
    ),
    (
        "raise Exception('x')\nraise NotImplementedError\n",
        "Raise(Call(Exception, [\"x\"])); Raise(NotImplementedError)",
    ),
    (
        "assert a is None or a >= b * (c + 1)\nassert x, 'msg'\n",
        "Assert(Or(Cmp(a Is None), Cmp(a GtE Mult(b, Add(c, 1))))); Assert(x, \"msg\")",
    ),
    // Line continuation.
    ("x = 1 + \\\n    2\n", "Assign([x], Add(1, 2))"),
];

#[test]
fn every_subset_construct_lowers_to_the_expected_shape() {
    let mut failures = Vec::new();
    for (src, want) in TABLE {
        match parse(src, "t.py") {
            Ok(m) => {
                let got = shape_module(&m);
                if got != *want {
                    failures.push(format!("{src:?}\n  got  {got}\n  want {want}"));
                }
            }
            Err(e) => failures.push(format!("{src:?}\n{e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn spans_use_cpython_lines_and_columns() {
    let m = parse("x = 1\nif x:\n    y = f(é, zz)\n", "t.py").unwrap();
    let StmtKind::If { body, .. } = &m.body[1].kind else {
        panic!("{:?}", m.body[1])
    };
    assert_eq!(m.body[1].span.start, Pos { line: 2, col: 1 });
    assert_eq!(m.body[1].span.end, Pos { line: 3, col: 17 });
    let StmtKind::Assign { value, .. } = &body[0].kind else {
        panic!()
    };
    assert_eq!(body[0].span.start, Pos { line: 3, col: 5 });
    let ExprKind::Call { args, .. } = &value.kind else {
        panic!()
    };
    // Columns count characters: 'é' is one column although it is two bytes.
    assert_eq!(args[1].span.start, Pos { line: 3, col: 14 });
    assert_eq!(args[1].span.end, Pos { line: 3, col: 16 });
}

const UNSUPPORTED: &[(&str, &str, (u32, u32), &str)] = &[
    (
        "def g():\n    yield from y\n",
        "yield from",
        (2, 5),
        "'yield from'",
    ),
    ("x = b'abc'\n", "bytes literal", (1, 5), "bytes"),
    ("x = 1j\n", "complex literal", (1, 5), "complex numbers"),
    (
        "x = 99999999999999999999\n",
        "bigint",
        (1, 5),
        "integers beyond 64 bits",
    ),
    (
        "print(f'{x=}')\n",
        "fstring-conversion",
        (1, 9),
        "'=' in f-strings",
    ),
    (
        "class A(B, C):\n    pass\n",
        "multiple-inheritance",
        (1, 8),
        "multiple inheritance",
    ),
    (
        "class A(metaclass=M):\n    pass\n",
        "class-keywords",
        (1, 9),
        "class keywords",
    ),
    (
        "from . import x\n",
        "relative-import",
        (1, 1),
        "relative imports",
    ),
    ("from m import *\n", "import-star", (1, 15), "'import *'"),
    ("x = a @ b\n", "matmul", (1, 5), "'@'"),
    ("async def f():\n    pass\n", "async", (1, 1), "'async def'"),
    (
        "match x:\n    case 1:\n        pass\n",
        "match statement",
        (1, 1),
        "'match' statements",
    ),
    ("x = ...\n", "ellipsis", (1, 5), "'...'"),
    (
        "x = {**a}\n",
        "star-unpack",
        (1, 8),
        "'**' in dict displays",
    ),
];

#[test]
fn constructs_outside_the_subset_are_named_with_their_location() {
    let mut failures = Vec::new();
    for &(src, tag, (line, col), what) in UNSUPPORTED {
        match parse(src, "t.py") {
            Ok(m) => failures.push(format!("{src:?} lowered: {}", shape_module(&m))),
            Err(e) => {
                let got = (e.unsupported, e.line, e.col, e.msg.clone());
                let want = (
                    Some(tag),
                    line,
                    col,
                    format!("pymem does not support {what} yet"),
                );
                if got != want {
                    failures.push(format!("{src:?}\n  got  {got:?}\n  want {want:?}"));
                }
                // The report shows the offending line.
                assert!(
                    e.to_string()
                        .contains(src.lines().nth(line as usize - 1).unwrap().trim()),
                    "{e}"
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
