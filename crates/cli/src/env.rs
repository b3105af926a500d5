//! The environment variables CPython reads about memory: `PYTHONMALLOC` and
//! `PYTHONMALLOCSTATS`.
//!
//! * `PYTHONMALLOC` chooses the heap's allocator before the VM allocates anything
//!   ([`heap::set_malloc_mode`]), with CPython's names: `default` and `pymalloc` (pymalloc),
//!   `debug` and `pymalloc_debug` (pymalloc with obmalloc's debug hooks: guard bytes, 0xCD
//!   and 0xDD fills, API-family checks), `malloc` (the system allocator) and `malloc_debug`
//!   (the system allocator with the debug hooks). Unset or empty means `default`; any other
//!   value is CPython's fatal error (exit 1).
//! * `PYTHONMALLOCSTATS` (non-empty) prints pymalloc's statistics to stderr at exit, the
//!   report `sys._debugmallocstats()` prints (CPython also prints it each time an arena is
//!   allocated; pymem only at exit). Nothing is printed when pymalloc is not in use
//!   (`malloc`, `malloc_debug`), as in CPython.

use obmalloc::debug::MallocMode;

/// What the environment asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Settings {
    /// `PYTHONMALLOC`.
    pub(crate) malloc: MallocMode,
    /// `PYTHONMALLOCSTATS` set and non-empty.
    pub(crate) malloc_stats: bool,
}

impl Settings {
    /// Reads the variables; `Err` holds the fatal error CPython prints for an unknown
    /// allocator name.
    pub(crate) fn from_env() -> Result<Settings, String> {
        let malloc = MallocMode::from_env().map_err(|e| {
            format!(
                "Fatal Python error: preconfig_init_allocator: PYTHONMALLOC: unknown allocator\n\
                 Python runtime state: preinitializing\n\n({e})"
            )
        })?;
        let malloc_stats = std::env::var_os("PYTHONMALLOCSTATS").is_some_and(|v| !v.is_empty());
        Ok(Settings {
            malloc,
            malloc_stats,
        })
    }

    /// Selects the `PYTHONMALLOC` allocator; call before the VM starts. `Err` holds a
    /// message if the heap had already allocated (a bug of the caller's, not the user's).
    pub(crate) fn apply(&self) -> Result<(), String> {
        heap::set_malloc_mode(self.malloc)
            .map_err(|e| format!("pymem: PYTHONMALLOC={}: {e}", self.malloc))
    }

    /// `PYTHONMALLOCSTATS`: CPython prints `_PyObject_DebugMallocStats` at exit.
    pub(crate) fn report_at_exit(&self) {
        if self.malloc_stats
            && let Some(stats) = heap::with_gil(|gil| heap::malloc_stats(gil))
        {
            eprint!("{stats}");
        }
    }
}
