//! Model-based property test: random programs of create / clone / drop / store / weakref /
//! upgrade / drop-weakref against a model of counts, liveness and callbacks.
//!
//! Stores only point from newer objects to older ones, so the object graph is a DAG and
//! reference counting alone must free everything (cycles are the collector's business).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use heap::{AnyObj, Callback, Obj, WeakRef, with_gil};
use proptest::prelude::*;

use crate::common::Node;

#[derive(Clone, Debug)]
enum Op {
    Create,
    Clone(usize),
    Drop(usize),
    /// Store a reference to the object of handle `.1` in the object of handle `.0`.
    Store(usize, usize),
    Weak(usize, bool),
    Upgrade(usize),
    DropWeak(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Create),
        2 => any::<usize>().prop_map(Op::Clone),
        3 => any::<usize>().prop_map(Op::Drop),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::Store(a, b)),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(a, b)| Op::Weak(a, b)),
        2 => any::<usize>().prop_map(Op::Upgrade),
        1 => any::<usize>().prop_map(Op::DropWeak),
    ]
}

/// The model: per object (by creation index) its handles, children and liveness.
#[derive(Default)]
struct Model {
    handles: Vec<usize>,       // object id per live handle
    children: Vec<Vec<usize>>, // per object
    alive: Vec<bool>,
    weak: Vec<(usize, bool, usize)>, // (object id, has callback, weakref id) per live weak handle
    fired: Vec<usize>,               // expected callback firings (weakref ids)
    weak_alive: BTreeMap<usize, bool>, // weakref id -> its handle still exists
}

impl Model {
    fn count(&self, obj: usize) -> usize {
        let handles = self.handles.iter().filter(|&&o| o == obj).count();
        let edges: usize = (0..self.children.len())
            .filter(|&p| self.alive[p])
            .map(|p| self.children[p].iter().filter(|&&c| c == obj).count())
            .sum();
        handles + edges
    }

    /// Frees everything whose count is zero, in the order refcounting does (depth first).
    fn collect_from(&mut self, obj: usize) {
        let mut stack = vec![obj];
        while let Some(o) = stack.pop() {
            if !self.alive[o] || self.count(o) > 0 {
                continue;
            }
            self.alive[o] = false;
            // Callbacks of live callback-weakrefs, newest first.
            let mut cbs: Vec<usize> = self
                .weak
                .iter()
                .filter(|(t, cb, id)| *t == o && *cb && self.weak_alive[id])
                .map(|&(_, _, id)| id)
                .collect();
            cbs.sort_unstable_by(|a, b| b.cmp(a));
            cbs.dedup();
            self.fired.extend(cbs);
            // Children lose a reference; check them (any order: the set of deaths is what
            // the test compares, and each object's own callbacks keep their order).
            let kids = std::mem::take(&mut self.children[o]);
            stack.extend(kids);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn refcounting_matches_the_model(ops in proptest::collection::vec(op(), 1..if cfg!(miri) { 40 } else { 300 })) {
        with_gil(|gil| {
            let live_before = gil.live_objects();
            let fired = Arc::new(Mutex::new(Vec::<usize>::new()));
            let mut m = Model::default();
            let mut handles: Vec<Obj<Node>> = Vec::new();
            let mut objects: Vec<heap::Weak<Node>> = Vec::new(); // to check liveness by id
            let mut weaks: Vec<Obj<WeakRef>> = Vec::new();
            let mut next_weak_id = 0usize;
            for op in ops {
                match op {
                    Op::Create => {
                        let id = m.alive.len();
                        let n = Node::new(gil, id as u32);
                        objects.push(n.downgrade(gil).unwrap());
                        handles.push(n);
                        m.handles.push(id);
                        m.children.push(Vec::new());
                        m.alive.push(true);
                    }
                    Op::Clone(i) if !handles.is_empty() => {
                        let i = i % handles.len();
                        handles.push(handles[i].clone_ref(gil));
                        m.handles.push(m.handles[i]);
                    }
                    Op::Drop(i) if !handles.is_empty() => {
                        let i = i % handles.len();
                        drop(handles.swap_remove(i));
                        let obj = m.handles.swap_remove(i);
                        m.collect_from(obj);
                    }
                    Op::Store(a, b) if !handles.is_empty() => {
                        let (a, b) = (a % handles.len(), b % handles.len());
                        let (pa, pb) = (m.handles[a], m.handles[b]);
                        if pb < pa {
                            Node::push(&handles[a], gil, handles[b].clone().into_any());
                            m.children[pa].push(pb);
                        }
                    }
                    Op::Weak(i, with_cb) if !handles.is_empty() => {
                        let i = i % handles.len();
                        let id = next_weak_id;
                        next_weak_id += 1;
                        let cb = with_cb.then(|| {
                            let fired = fired.clone();
                            Callback::new(gil, move |_, _| fired.lock().unwrap().push(id))
                        });
                        let w = WeakRef::new(gil, handles[i].as_any(), cb).unwrap();
                        // Callback-less refs are shared: reuse the model id of the shared one.
                        let id = match weaks.iter().position(|x| x.ptr_eq(&w)) {
                            Some(k) => m.weak[k].2,
                            None => id,
                        };
                        weaks.push(w);
                        m.weak.push((m.handles[i], with_cb, id));
                        m.weak_alive.insert(id, true);
                    }
                    Op::Upgrade(k) if !weaks.is_empty() => {
                        let k = k % weaks.len();
                        let target = m.weak[k].0;
                        let up: Option<AnyObj> = WeakRef::upgrade(&weaks[k], gil);
                        prop_assert_eq!(up.is_some(), m.alive[target]);
                        if let Some(up) = up {
                            prop_assert_eq!(up.downcast_ref::<Node>().unwrap().get(gil).name as usize, target);
                        }
                    }
                    Op::DropWeak(k) if !weaks.is_empty() => {
                        let k = k % weaks.len();
                        drop(weaks.swap_remove(k));
                        let (_, _, id) = m.weak.swap_remove(k);
                        let still = m.weak.iter().any(|&(_, _, x)| x == id);
                        m.weak_alive.insert(id, still);
                    }
                    _ => {}
                }
                // Counts and liveness agree after every step.
                for (id, w) in objects.iter().enumerate() {
                    let up = w.upgrade(gil);
                    prop_assert_eq!(up.is_some(), m.alive[id], "object {} liveness", id);
                    if let Some(o) = up {
                        prop_assert_eq!(o.refcount(gil) - 1, m.count(id), "object {} count", id);
                    }
                }
                let mut got = fired.lock().unwrap().clone();
                let mut want = m.fired.clone();
                // Per object the order is newest first; across a cascade it is free.
                got.sort_unstable();
                want.sort_unstable();
                prop_assert_eq!(got, want);
            }
            drop(handles);
            drop(weaks);
            drop(objects);
            prop_assert_eq!(gil.live_objects(), live_before, "everything freed");
            Ok(())
        })?;
    }
}
