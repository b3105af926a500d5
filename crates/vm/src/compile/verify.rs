//! Stack-depth analysis of a [`Code`].
//!
//! A worklist walk over the control-flow graph: every instruction gets the stack depth it
//! starts with, propagated along fall-through and jump edges with each instruction's stack
//! effect (`effects`). A path that would pop below zero, or two paths reaching an
//! instruction with different depths, make the code invalid. Handler entries start at the
//! depth of their `SetupExcept` plus two (the saved exception state and the exception).

use super::bytecode::{Code, Instr};

/// How an instruction changes the stack: `(fall-through delta, Some((target, delta)))` for
/// a possible jump. `None` for the fall-through means control never continues to the next
/// instruction. `need` is how many items must be on the stack before it runs.
struct Effect {
    need: i64,
    next: Option<i64>,
    jump: Option<(u32, i64)>,
}

fn effects(instr: Instr) -> Effect {
    use Instr as I;
    let simple = |need: i64, delta: i64| Effect {
        need,
        next: Some(delta),
        jump: None,
    };
    let n = |x: u32| i64::from(x);
    match instr {
        I::Nop | I::KwNames(_) | I::PopBlock | I::SetupAnnotations => simple(0, 0),
        I::PopTop => simple(1, -1),
        I::Copy(k) => simple(n(k).max(1), 1),
        I::Swap(k) => simple(n(k).max(2), 0),
        I::LoadConst(_)
        | I::LoadFast(_)
        | I::LoadDeref(_)
        | I::LoadClosure(_)
        | I::LoadClassDeref(_)
        | I::LoadGlobal(_)
        | I::LoadName(_)
        | I::PushNull
        | I::ImportName(_)
        | I::LoadBuildClass
        | I::LoadAssertionError => simple(0, 1),
        I::StoreFast(_) | I::StoreDeref(_) | I::StoreGlobal(_) | I::StoreName(_) => simple(1, -1),
        I::DeleteFast(_) | I::DeleteDeref(_) | I::DeleteGlobal(_) | I::DeleteName(_) => {
            simple(0, 0)
        }
        I::LoadAttr(_) => simple(1, 0),
        I::StoreAttr(_) => simple(2, -2),
        I::DeleteAttr(_) => simple(1, -1),
        I::LoadMethod(_) => simple(1, 1),
        I::BinarySubscr => simple(2, -1),
        I::StoreSubscr => simple(3, -3),
        I::DeleteSubscr => simple(2, -2),
        I::BuildSlice(k) => simple(n(k), 1 - n(k)),
        I::BinaryOp(_) | I::InplaceOp(_) | I::CompareOp(_) | I::IsOp(_) | I::ContainsOp(_) => {
            simple(2, -1)
        }
        I::UnaryNegative | I::UnaryPositive | I::UnaryNot | I::UnaryInvert | I::GetIter => {
            simple(1, 0)
        }
        I::BuildTuple(k) | I::BuildList(k) | I::BuildSet(k) | I::BuildString(k) => {
            simple(n(k), 1 - n(k))
        }
        I::BuildMap(k) => simple(2 * n(k), 1 - 2 * n(k)),
        I::ListAppend(k) | I::ListExtend(k) | I::DictMerge(k) | I::SetAdd(k) | I::SetUpdate(k) => {
            simple(n(k) + 1, -1)
        }
        I::ListToTuple => simple(1, 0),
        I::CallFunctionEx(kw) => {
            let pops = 3 + i64::from(kw);
            simple(pops, 1 - pops)
        }
        I::MapAdd(k) => simple(n(k) + 2, -2),
        I::FormatValue { has_spec, .. } => {
            if has_spec {
                simple(2, -1)
            } else {
                simple(1, 0)
            }
        }
        I::Jump(t) => Effect {
            need: 0,
            next: None,
            jump: Some((t, 0)),
        },
        I::PopJumpIfFalse(t) | I::PopJumpIfTrue(t) => Effect {
            need: 1,
            next: Some(-1),
            jump: Some((t, -1)),
        },
        I::JumpIfFalseOrPop(t) | I::JumpIfTrueOrPop(t) => Effect {
            need: 1,
            next: Some(-1),
            jump: Some((t, 0)),
        },
        I::ForIter(t) => Effect {
            need: 1,
            next: Some(1),
            jump: Some((t, -1)),
        },
        I::UnpackSequence(k) => simple(1, n(k) - 1),
        I::UnpackEx(k) => simple(1, n(k & 0xff) + n(k >> 8)),
        I::MakeFunction(flags) => {
            let pops = 1
                + i64::from(flags & 1 != 0)
                + i64::from(flags & 2 != 0)
                + i64::from(flags & 4 != 0)
                + i64::from(flags & 8 != 0);
            simple(pops, 1 - pops)
        }
        I::Call(k) => simple(n(k) + 2, -(n(k) + 1)),
        I::ReturnValue => Effect {
            need: 1,
            next: None,
            jump: None,
        },
        // The generator's first resumption pushes the value sent.
        I::ReturnGenerator => simple(0, 1),
        // Pops the value yielded; resumption pushes the value sent.
        I::YieldValue => simple(1, 0),
        I::ImportFrom(_) => simple(1, 1),
        I::RaiseVarargs(k) => Effect {
            need: n(k),
            next: None,
            jump: None,
        },
        I::SetupExcept(t) => Effect {
            need: 0,
            next: Some(0),
            jump: Some((t, 2)),
        },
        I::SetupWith(t) => Effect {
            need: 1,
            next: Some(0),
            jump: Some((t, 1)),
        },
        I::PopExcept => simple(1, -1),
        I::Reraise => Effect {
            need: 1,
            next: None,
            jump: None,
        },
        I::CheckExcMatch => simple(2, 0),
        I::BeforeWith => simple(1, 1),
        I::WithExceptStart => simple(3, 1),
    }
}

/// The largest number of value-stack slots `code` can use.
///
/// # Errors
/// A description of the first problem found: a jump out of range, an instruction that pops
/// more than the stack holds, inconsistent depths where paths join, or falling off the end.
pub fn max_stack_depth(code: &Code) -> Result<u32, String> {
    let len = code.instrs.len();
    let mut depth_at: Vec<Option<i64>> = vec![None; len];
    let mut work = Vec::new();
    let mut max = 0i64;
    if len == 0 {
        return Err("empty code".into());
    }
    depth_at[0] = Some(0);
    let reach = |depth_at: &mut Vec<Option<i64>>,
                 work: &mut Vec<usize>,
                 pc: usize,
                 d: i64,
                 from: usize|
     -> Result<(), String> {
        if pc >= len {
            return Err(format!(
                "instruction {from} continues to {pc}, past the end"
            ));
        }
        match depth_at[pc] {
            None => {
                depth_at[pc] = Some(d);
                work.push(pc);
                Ok(())
            }
            Some(old) if old == d => Ok(()),
            Some(old) => Err(format!(
                "stack depth {d} from instruction {from} meets depth {old} at {pc}"
            )),
        }
    };
    work.push(0);
    while let Some(pc) = work.pop() {
        let d = depth_at[pc].unwrap_or(0);
        let e = effects(code.instrs[pc]);
        if d < e.need {
            return Err(format!(
                "instruction {pc} ({:?}) needs {} stack items, has {d}",
                code.instrs[pc], e.need
            ));
        }
        if let Some(delta) = e.next {
            max = max.max(d + delta);
            reach(&mut depth_at, &mut work, pc + 1, d + delta, pc)?;
        }
        if let Some((t, delta)) = e.jump {
            max = max.max(d + delta);
            reach(&mut depth_at, &mut work, t as usize, d + delta, pc)?;
        }
    }
    u32::try_from(max).map_err(|_| "stack too deep".to_string())
}
