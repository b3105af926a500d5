//! The compiler: pymem's syntax tree → [`bytecode::Code`].

pub mod bytecode;
