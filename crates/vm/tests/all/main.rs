//! Integration tests of the vm crate's front end (one binary, a module per area).

mod compile;
mod conformance;
mod fuzz;
mod fuzz_compile;
mod lowering;
mod syntax_errors;
mod text;
