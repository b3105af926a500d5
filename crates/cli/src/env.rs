//! The environment variables CPython reads about memory: `PYTHONMALLOC` and
//! `PYTHONMALLOCSTATS`.
//!
//! pymem's heap (crates/heap) allocates every object from one plain `obmalloc::Obmalloc`
//! created on first use, with no switch for another allocator or for obmalloc's debug hooks
//! (`obmalloc::debug::DebugObmalloc`), and no public accessor for that allocator's
//! statistics. So, today:
//!
//! * `PYTHONMALLOC=default` and `pymalloc` are what the heap does anyway: accepted silently;
//! * `debug`, `pymalloc_debug`, `malloc`, `malloc_debug` are recognised, and a warning says the
//!   program runs on pymalloc without hooks;
//! * any other value is a fatal error, as in CPython (exit 1);
//! * `PYTHONMALLOCSTATS` (non-empty) prints a note at exit that the report is unavailable.

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

    /// Warns on stderr about a `PYTHONMALLOC` mode the heap cannot select.
    pub(crate) fn warn_unsupported(&self) {
        match self.malloc {
            MallocMode::Default | MallocMode::Pymalloc => {}
            mode => eprintln!(
                "pymem: warning: PYTHONMALLOC={mode} is not supported yet (the heap always \
                 allocates from pymalloc{}); running with pymalloc",
                if mode.debug_hooks() {
                    ", without debug hooks"
                } else {
                    ""
                }
            ),
        }
    }

    /// `PYTHONMALLOCSTATS`: CPython prints `_PyObject_DebugMallocStats` at exit.
    pub(crate) fn report_at_exit(&self) {
        if self.malloc_stats {
            eprintln!(
                "pymem: PYTHONMALLOCSTATS: the allocator report is not available yet (the heap \
                 does not expose its obmalloc instance's statistics)"
            );
        }
    }
}
