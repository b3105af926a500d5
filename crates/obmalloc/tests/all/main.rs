//! Integration tests of `obmalloc`, CPython 3.11's pymalloc rebuilt in Rust.
//!
//! One test binary, one module per area:
//!
//! * [`model`]: property tests replaying random programs against a model of the live blocks;
//! * [`transitions`]: deterministic pool, arena and realloc state transitions seen through
//!   the public API and `stats()`;
//! * [`release`]: the 2,000,000-block RSS test (memory goes back to the OS);
//! * [`differential`]: one seeded trace replayed through CPython's own pymalloc (libpython3.11,
//!   through `dlopen`) and through `Obmalloc`, comparing `sys._debugmallocstats()` exactly.
//!
//! Tests run in parallel threads of this one process. Tests that map more than a few hundred
//! KiB take [`common::heavy_lock`], so that the RSS measured by [`release`] only sees the noise
//! of the light tests.

mod common;
mod differential;
mod model;
mod release;
mod transitions;
