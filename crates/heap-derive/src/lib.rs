//! `#[derive(Trace)]` for pymem's heap (work in progress).
use proc_macro::TokenStream;

/// Derives `heap::Trace` (work in progress).
#[proc_macro_derive(Trace, attributes(trace))]
pub fn derive_trace(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
