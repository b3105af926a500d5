//! Contenders: the allocators under test, reached through their raw APIs, plus the few OS calls
//! the harness needs ([`os`]).
//!
//! This is the only module of the crate that may use `unsafe` (every block carries a `// SAFETY:`
//! comment). Workloads never touch raw pointers: they get a [`Heap`], whose [`Block`]s and
//! [`Node`]s are branded with the heap's invariant lifetime `'id` (see [`with_heap`]), so a block
//! can only be freed once, only by the heap that allocated it, and never after that heap is gone.
//!
//! Call boundary: every contender costs exactly one non-inlined call per allocation and one per
//! free, like a C allocator behind a shared library. The FFI contenders are that call already; the
//! Rust ones (`obmalloc`, `obmalloc-global`) sit behind an `#[inline(never)]` wrapper, inside which
//! their `#[inline]` fast paths are inlined.

use std::alloc::Layout;
use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::ptr::NonNull;
use std::str::FromStr;

use anyhow::{Context, Result, bail};

mod jemalloc;
mod mimalloc;
mod obmalloc;
pub mod os;
pub mod pymalloc;
mod system;

pub use jemalloc::Jemalloc;
pub use mimalloc::Mimalloc;
pub use obmalloc::{ObmallocGlobalContender, ObmallocInstance};
pub use pymalloc::PyMalloc;
pub use system::Glibc;

/// A raw allocator: the interface every contender implements.
pub trait RawAlloc {
    /// Allocates `size` bytes (the suites use 1..=512), or `None` when out of memory.
    fn alloc(&mut self, size: usize) -> Option<NonNull<u8>>;

    /// Frees a block.
    ///
    /// # Safety
    /// `ptr` was returned by `self.alloc(size)` with this same `size`, has not been freed yet, and
    /// is not used afterwards.
    unsafe fn free(&mut self, ptr: NonNull<u8>, size: usize);
}

/// Invariant lifetime brand tying blocks to the one heap that allocated them.
type Brand<'id> = PhantomData<fn(&'id ()) -> &'id ()>;

/// A contender wrapped with a safe, branded API. Only [`with_heap`] makes one.
pub struct Heap<'id, A> {
    raw: A,
    brand: Brand<'id>,
}

/// An allocated block of some size, owned by the heap branded `'id`. Free it with [`Heap::free`];
/// dropping it leaks it (which is safe).
#[must_use = "dropping a Block leaks it; free it with Heap::free"]
pub struct Block<'id> {
    ptr: NonNull<u8>,
    size: usize,
    brand: Brand<'id>,
}

/// A binary-tree node: a [`NODE_SIZE`]-byte block whose first 16 bytes hold the two child
/// pointers. Owns its subtree.
#[must_use = "dropping a Node leaks its subtree; take it apart with Heap::split_node"]
pub struct Node<'id> {
    ptr: NonNull<u8>,
    brand: Brand<'id>,
}

/// The memory of a tree node not yet linked ([`Heap::alloc_node_slot`]); dropping it leaks it.
#[must_use = "dropping a NodeSlot leaks it; fill it with NodeSlot::fill"]
pub struct NodeSlot<'id> {
    ptr: NonNull<u8>,
    brand: Brand<'id>,
}

/// Size of a tree [`Node`] in bytes: two child pointers plus 16 bytes of payload.
pub const NODE_SIZE: usize = 32;

/// Runs `f` with a fresh [`Heap`] over `raw`. The `for<'id>` bound gives the heap a brand no other
/// heap shares, and keeps its blocks from escaping `f`.
pub fn with_heap<A: RawAlloc, R>(raw: A, f: impl for<'id> FnOnce(&mut Heap<'id, A>) -> R) -> R {
    let mut heap = Heap {
        raw,
        brand: PhantomData,
    };
    f(&mut heap)
}

#[cold]
#[inline(never)]
fn out_of_memory(size: usize) -> ! {
    std::alloc::handle_alloc_error(
        Layout::from_size_align(size.max(1), 1).unwrap_or(Layout::new::<u8>()),
    )
}

impl<'id, A: RawAlloc> Heap<'id, A> {
    /// Allocates `size` bytes; aborts the process when out of memory.
    #[inline]
    pub fn alloc(&mut self, size: usize) -> Block<'id> {
        match self.raw.alloc(size) {
            Some(ptr) => Block {
                ptr,
                size,
                brand: PhantomData,
            },
            None => out_of_memory(size),
        }
    }

    /// Frees a block of this heap.
    #[inline]
    pub fn free(&mut self, block: Block<'id>) {
        // SAFETY: only `self.alloc` makes a `Block<'id>` and the brand `'id` is unique to this
        // heap, so `block.ptr` came from `self.raw.alloc(block.size)`. `Block` is neither `Copy`
        // nor `Clone` and is consumed here, so the block is freed once and never used again.
        unsafe { self.raw.free(block.ptr, block.size) }
    }

    /// Allocates a tree node holding `left` and `right` (ownership moves into the node).
    #[inline]
    pub fn alloc_node(&mut self, left: Option<Node<'id>>, right: Option<Node<'id>>) -> Node<'id> {
        self.alloc_node_slot().fill(left, right)
    }

    /// Allocates the memory of a tree node whose children are not built yet (for top-down
    /// builds: the parent is allocated before its children). [`NodeSlot::fill`] makes it a
    /// [`Node`].
    #[inline]
    pub fn alloc_node_slot(&mut self) -> NodeSlot<'id> {
        let ptr = match self.raw.alloc(NODE_SIZE) {
            Some(ptr) => ptr,
            None => out_of_memory(NODE_SIZE),
        };
        NodeSlot {
            ptr,
            brand: PhantomData,
        }
    }

    /// Takes a tree node apart: hands back its children (the caller now owns them) and the
    /// node's own memory as a plain [`Block`] of [`NODE_SIZE`] bytes, to free with
    /// [`Heap::free`] (before or after the children: the caller picks the order).
    #[inline]
    pub fn split_node(
        &mut self,
        node: Node<'id>,
    ) -> (Option<Node<'id>>, Option<Node<'id>>, Block<'id>) {
        // SAFETY: a `Node<'id>` is only made by `alloc_node`, which wrote both links into its
        // first 16 bytes; the node is live because `Node` is consumed here.
        let [left, right] = unsafe { node.ptr.as_ptr().cast::<[*mut u8; 2]>().read_unaligned() };
        let wrap = |p: *mut u8| {
            NonNull::new(p).map(|ptr| Node {
                ptr,
                brand: PhantomData,
            })
        };
        // The links were copied out: the node's memory is now a plain block of this heap, of
        // the size `alloc_node` allocated it with.
        let block = Block {
            ptr: node.ptr,
            size: NODE_SIZE,
            brand: PhantomData,
        };
        (wrap(left), wrap(right), block)
    }
}

impl<'id> NodeSlot<'id> {
    /// Writes the links: the slot becomes a [`Node`] owning `left` and `right`.
    #[inline]
    pub fn fill(self, left: Option<Node<'id>>, right: Option<Node<'id>>) -> Node<'id> {
        let links = [
            left.map_or(std::ptr::null_mut(), |n| n.ptr.as_ptr()),
            right.map_or(std::ptr::null_mut(), |n| n.ptr.as_ptr()),
        ];
        // SAFETY: the slot is a live block of NODE_SIZE (32) bytes, owned by `self`, large
        // enough for two pointers; the write is unaligned, so the contender's alignment does
        // not matter.
        unsafe {
            self.ptr
                .as_ptr()
                .cast::<[*mut u8; 2]>()
                .write_unaligned(links)
        };
        Node {
            ptr: self.ptr,
            brand: PhantomData,
        }
    }
}

impl Block<'_> {
    /// The size the block was allocated with.
    #[inline]
    pub fn size(&self) -> usize {
        self.size
    }

    /// Writes the block's first byte (so its page is really faulted in and the block is used).
    #[inline]
    pub fn touch(&mut self) {
        if self.size > 0 {
            // SAFETY: the block is live (it is owned by `self`) and at least 1 byte long.
            unsafe { self.ptr.as_ptr().write(self.size as u8) }
        }
    }
}

impl fmt::Debug for Block<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Block")
            .field("ptr", &self.ptr)
            .field("size", &self.size)
            .finish()
    }
}

impl fmt::Debug for NodeSlot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeSlot").field("ptr", &self.ptr).finish()
    }
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node").field("ptr", &self.ptr).finish()
    }
}

/// The contenders, by their lower-case report names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContenderKind {
    /// `obmalloc`: our allocator through its instance API (`Obmalloc::alloc` / `free_sized`).
    Obmalloc,
    /// `obmalloc-global`: `ObmallocGlobal`'s `GlobalAlloc` methods, called directly.
    ObmallocGlobal,
    /// `obmalloc-cached`: the instance API with an unbounded arena cache
    /// (`Config::arena_cache = usize::MAX`): what keeping freed memory buys on bulk work,
    /// at the price of never giving it back without `trim()`.
    ObmallocCached,
    /// `glibc`: `malloc` / `free` of the C library.
    Glibc,
    /// `mimalloc`: `mi_malloc` / `mi_free` (libmimalloc-sys, mimalloc v3).
    Mimalloc,
    /// `jemalloc`: `_rjem_malloc` / `_rjem_sdallocx` (tikv-jemalloc-sys, prefixed symbols).
    Jemalloc,
    /// `pymalloc`: CPython 3.11's `PyObject_Malloc` / `PyObject_Free` through `dlopen`.
    Pymalloc,
}

impl ContenderKind {
    /// All contenders, in report order.
    pub const ALL: [ContenderKind; 7] = [
        ContenderKind::Obmalloc,
        ContenderKind::ObmallocGlobal,
        ContenderKind::ObmallocCached,
        ContenderKind::Glibc,
        ContenderKind::Mimalloc,
        ContenderKind::Jemalloc,
        ContenderKind::Pymalloc,
    ];

    /// The lower-case name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            ContenderKind::Obmalloc => "obmalloc",
            ContenderKind::ObmallocGlobal => "obmalloc-global",
            ContenderKind::ObmallocCached => "obmalloc-cached",
            ContenderKind::Glibc => "glibc",
            ContenderKind::Mimalloc => "mimalloc",
            ContenderKind::Jemalloc => "jemalloc",
            ContenderKind::Pymalloc => "pymalloc",
        }
    }

    /// Whether several threads may use the contender at once (pymalloc needs the GIL: no).
    pub fn thread_safe(self) -> bool {
        self != ContenderKind::Pymalloc
    }
}

impl fmt::Display for ContenderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ContenderKind {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_ascii_lowercase();
        ContenderKind::ALL
            .into_iter()
            .find(|k| k.name() == wanted)
            .with_context(|| {
                let names: Vec<_> = ContenderKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown contender `{s}` (known: {})", names.join(", "))
            })
    }
}

/// A piece of work that runs against any contender; [`run_task`] monomorphises it per contender.
pub trait HeapTask {
    /// What the task returns.
    type Output;

    /// Runs the task on `heap`.
    fn run<A: RawAlloc>(self, heap: &mut Heap<'_, A>) -> Self::Output;
}

/// Where to find contenders that are loaded at run time.
#[derive(Clone, Debug, Default)]
pub struct ContenderOptions {
    /// Path of libpython3.11, for `pymalloc`.
    pub libpython: Option<PathBuf>,
}

/// Builds contender `kind` on the calling thread and runs `task` on it.
pub fn run_task<T: HeapTask>(
    kind: ContenderKind,
    opts: &ContenderOptions,
    task: T,
) -> Result<T::Output> {
    Ok(match kind {
        ContenderKind::Obmalloc => with_heap(ObmallocInstance::new(), |h| task.run(h)),
        ContenderKind::ObmallocGlobal => with_heap(ObmallocGlobalContender, |h| task.run(h)),
        ContenderKind::ObmallocCached => {
            let config = ::obmalloc::Config::default().with_arena_cache(usize::MAX);
            with_heap(ObmallocInstance::with_config(config), |h| task.run(h))
        }
        ContenderKind::Glibc => with_heap(Glibc, |h| task.run(h)),
        ContenderKind::Mimalloc => with_heap(Mimalloc, |h| task.run(h)),
        ContenderKind::Jemalloc => with_heap(Jemalloc, |h| task.run(h)),
        ContenderKind::Pymalloc => {
            let Some(path) = &opts.libpython else {
                bail!("pymalloc needs the path of libpython3.11 (--libpython)");
            };
            with_heap(PyMalloc::load(path)?, |h| task.run(h))
        }
    })
}
