//! The `#[trace(...)]` helper attribute and the `#[repr(packed)]` check.
//!
//! The only option is `#[trace(skip)]` on a field. Everything else that says `trace` (a
//! bare `#[trace]`, `#[trace = ...]`, an unknown or repeated option, `skip` with a value,
//! `#[trace(...)]` on the type or on a variant) is rejected with an error spanned at the
//! offending tokens, so that a typo cannot silently change what is traced.

use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Meta, Token};

/// The name of the helper attribute.
const TRACE: &str = "trace";

/// What the derive does with one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldMode {
    /// Trace the field (the default).
    Trace,
    /// `#[trace(skip)]`: leave the field out.
    Skip,
}

/// Collects errors so that all of them are reported in one compilation, not one per run.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Records `error`.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Records the error of `result`, if any, and returns its value.
    pub(crate) fn take<T>(&mut self, result: syn::Result<T>) -> Option<T> {
        result.map_err(|error| self.push(error)).ok()
    }

    /// `Err` with every recorded error, or `Ok` if there were none.
    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Reads the `#[trace(...)]` attributes of a field.
pub(crate) fn field_mode(attrs: &[Attribute]) -> syn::Result<FieldMode> {
    let mut mode = FieldMode::Trace;
    let mut errors = Errors::default();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(TRACE)) {
        let Meta::List(list) = &attr.meta else {
            errors.push(syn::Error::new_spanned(
                attr,
                "`#[trace]` needs an option in parentheses; the only option is \
                 `#[trace(skip)]`, which leaves the field out of tracing",
            ));
            continue;
        };
        if list.tokens.is_empty() {
            errors.push(syn::Error::new_spanned(
                attr,
                "empty `#[trace()]`; the only option is `#[trace(skip)]`, which leaves the \
                 field out of tracing",
            ));
            continue;
        }
        let parsed = attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident("skip") {
                let name = meta
                    .path
                    .get_ident()
                    .map_or_else(|| "this path".to_owned(), |ident| format!("`{ident}`"));
                return Err(meta.error(format!(
                    "unknown `trace` option {name}; the only option is `skip`, as in \
                     `#[trace(skip)]`, which leaves the field out of tracing"
                )));
            }
            if !(meta.input.is_empty() || meta.input.peek(Token![,])) {
                return Err(meta.error("`skip` takes no value: write `#[trace(skip)]`"));
            }
            if mode == FieldMode::Skip {
                return Err(meta.error("duplicate `skip`: this field is already skipped"));
            }
            mode = FieldMode::Skip;
            Ok(())
        });
        errors.take(parsed);
    }
    errors.finish().map(|()| mode)
}

/// Rejects `#[trace(...)]` on something other than a field (`place` names it: "a struct",
/// "an enum variant", ...).
pub(crate) fn reject_trace_attrs(attrs: &[Attribute], place: &str, errors: &mut Errors) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(TRACE)) {
        errors.push(syn::Error::new_spanned(
            attr,
            format!(
                "`#[trace(...)]` is not allowed on {place}; its only option, \
                 `#[trace(skip)]`, goes on a field"
            ),
        ));
    }
}

/// Rejects `#[repr(packed)]` / `#[repr(packed(N))]`: the generated code borrows every
/// field, and a field of a packed type may be unaligned (taking a reference to it is an
/// error, E0793).
pub(crate) fn reject_packed(attrs: &[Attribute], errors: &mut Errors) {
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("repr")) {
        // A `repr` the compiler rejects anyway is left for it to report.
        let Ok(reprs) = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
        else {
            continue;
        };
        for repr in reprs.iter().filter(|repr| repr.path().is_ident("packed")) {
            errors.push(syn::Error::new(
                repr.span(),
                "`#[derive(Trace)]` does not support `#[repr(packed)]` types: tracing \
                 borrows each field, and a field of a packed type may be unaligned; \
                 implement `Trace` by hand",
            ));
        }
    }
}
