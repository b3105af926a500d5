//! A disassembler in the style of CPython's `dis.dis`: `impl Display for Code`.
//!
//! ```text
//!   1           0 PUSH_NULL
//!               1 LOAD_NAME                0 (print)
//!   2     >>    5 LOAD_CONST               1 (None)
//! ```
//!
//! Columns: the source line (where it changes), `>>` on jump targets, the instruction index
//! (pymem's jumps are instruction indices, not byte offsets), the opcode name, the operand
//! and what it refers to. Nested code objects follow, each under a `Disassembly of` header;
//! they are visited with an explicit work list, so nesting depth costs no native stack.

use std::collections::HashSet;
use std::fmt;

use super::bytecode::{Code, Const, Instr};

/// `LoadConst` → `LOAD_CONST`.
fn opname(instr: &Instr) -> String {
    let debug = format!("{instr:?}");
    let name = debug.split(['(', ' ', '{']).next().unwrap_or("");
    let mut out = String::new();
    for (i, ch) in name.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// A constant as `dis` shows it (`repr`-like).
fn const_repr(c: &Const) -> String {
    match c {
        Const::None => "None".into(),
        Const::Bool(true) => "True".into(),
        Const::Bool(false) => "False".into(),
        Const::Int(i) => i.to_string(),
        Const::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 => format!("{f:.1}"),
        Const::Float(f) => f.to_string(),
        Const::Str(s) => format!("{s:?}").replace('"', "'"),
        Const::Tuple(items) => {
            let inner: Vec<String> = items.iter().map(const_repr).collect();
            if inner.len() == 1 {
                format!("({},)", inner[0])
            } else {
                format!("({})", inner.join(", "))
            }
        }
        Const::FrozenSet(items) if items.is_empty() => "frozenset()".into(),
        Const::FrozenSet(items) => {
            let inner: Vec<String> = items.iter().map(const_repr).collect();
            format!("frozenset({{{}}})", inner.join(", "))
        }
        Const::Code(code) => format!("<code object {}, line {}>", code.name, code.first_line),
    }
}

impl Code {
    /// The operand of instruction `pc` and what it names: `(Some(3), "x")` for
    /// `LoadFast(3)` with `varnames[3] == "x"`.
    pub fn operand(&self, pc: usize) -> (Option<u32>, String) {
        let get = |table: &[String], i: u32| table.get(i as usize).cloned().unwrap_or_default();
        let cell = |i: u32| {
            let i = i as usize;
            self.cellvars
                .get(i)
                .or_else(|| self.freevars.get(i.wrapping_sub(self.cellvars.len())))
                .cloned()
                .unwrap_or_default()
        };
        let Some(&instr) = self.instrs.get(pc) else {
            return (None, String::new());
        };
        use Instr as I;
        match instr {
            I::LoadConst(i) | I::KwNames(i) => (
                Some(i),
                self.consts
                    .get(i as usize)
                    .map(const_repr)
                    .unwrap_or_default(),
            ),
            I::LoadFast(i) | I::StoreFast(i) | I::DeleteFast(i) => {
                (Some(i), get(&self.varnames, i))
            }
            I::LoadDeref(i)
            | I::StoreDeref(i)
            | I::DeleteDeref(i)
            | I::LoadClosure(i)
            | I::LoadClassDeref(i) => (Some(i), cell(i)),
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
            | I::ImportFrom(i) => (Some(i), get(&self.names, i)),
            I::Jump(t)
            | I::PopJumpIfFalse(t)
            | I::PopJumpIfTrue(t)
            | I::JumpIfFalseOrPop(t)
            | I::JumpIfTrueOrPop(t)
            | I::ForIter(t)
            | I::SetupExcept(t)
            | I::SetupWith(t) => (Some(t), format!("to {t}")),
            I::BinaryOp(op) | I::InplaceOp(op) => (None, format!("{op:?}")),
            I::CompareOp(op) => (None, format!("{op:?}")),
            I::IsOp(b) | I::ContainsOp(b) => (Some(u32::from(b)), String::new()),
            I::FormatValue {
                has_spec,
                conversion,
            } => (
                Some(u32::from(conversion) | if has_spec { 4 } else { 0 }),
                if has_spec {
                    "with format".into()
                } else {
                    String::new()
                },
            ),
            I::Copy(n)
            | I::Swap(n)
            | I::BuildSlice(n)
            | I::BuildTuple(n)
            | I::BuildList(n)
            | I::BuildMap(n)
            | I::BuildSet(n)
            | I::SetAdd(n)
            | I::SetUpdate(n)
            | I::ListAppend(n)
            | I::ListExtend(n)
            | I::DictMerge(n)
            | I::MapAdd(n)
            | I::BuildString(n)
            | I::UnpackSequence(n)
            | I::UnpackEx(n)
            | I::MakeFunction(n)
            | I::Call(n)
            | I::RaiseVarargs(n) => (Some(n), String::new()),
            _ => (None, String::new()),
        }
    }

    /// Instruction `pc` in one short line: its opname and its operand, resolved where it
    /// names something (`LOAD_FAST x`, `CALL 1`, `LOAD_CONST 'a'`, `POP_JUMP_IF_FALSE 12`).
    pub fn instr_text(&self, pc: usize) -> String {
        let Some(instr) = self.instrs.get(pc) else {
            return String::new();
        };
        let name = opname(instr);
        match self.operand(pc) {
            (_, what) if !what.is_empty() && !what.starts_with("to ") && what != "with format" => {
                format!("{name} {what}")
            }
            (Some(n), _) => format!("{name} {n}"),
            (None, _) => name,
        }
    }

    fn fmt_one(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let targets: HashSet<u32> = (0..self.instrs.len())
            .filter_map(|pc| match self.instrs[pc] {
                Instr::Jump(t)
                | Instr::PopJumpIfFalse(t)
                | Instr::PopJumpIfTrue(t)
                | Instr::JumpIfFalseOrPop(t)
                | Instr::JumpIfTrueOrPop(t)
                | Instr::ForIter(t)
                | Instr::SetupExcept(t)
                | Instr::SetupWith(t) => Some(t),
                _ => None,
            })
            .collect();
        let mut last_line = None;
        for (pc, instr) in self.instrs.iter().enumerate() {
            let line = self.line_of(pc);
            if last_line.is_some() && last_line != Some(line) {
                writeln!(f)?;
            }
            let line_col = if last_line == Some(line) {
                String::new()
            } else {
                line.to_string()
            };
            last_line = Some(line);
            let mark = if targets.contains(&(pc as u32)) {
                ">>"
            } else {
                ""
            };
            let (arg, what) = self.operand(pc);
            let arg = arg.map(|a| a.to_string()).unwrap_or_default();
            let what = if what.is_empty() {
                String::new()
            } else {
                format!("({what})")
            };
            let text = format!(
                "{line_col:>4}    {mark:>4} {pc:>5} {:<24} {arg:>4} {what}",
                opname(instr)
            );
            writeln!(f, "{}", text.trim_end())?;
        }
        Ok(())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut queue: Vec<&Code> = vec![self];
        let mut first = true;
        let mut i = 0;
        while i < queue.len() {
            let code = queue[i];
            i += 1;
            if !first {
                writeln!(
                    f,
                    "\nDisassembly of <code object {} at line {}, file \"{}\">:",
                    code.qualname, code.first_line, code.filename
                )?;
            }
            first = false;
            code.fmt_one(f)?;
            for c in &code.consts {
                if let Const::Code(inner) = c {
                    queue.push(inner);
                }
            }
        }
        Ok(())
    }
}
