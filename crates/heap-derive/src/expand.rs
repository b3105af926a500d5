//! Code generation: a `DeriveInput` in, an `unsafe impl ::heap::Trace` out.
//!
//! The generated method is one statement per traced field, in declaration order:
//! `::heap::Trace::trace(<field>, tracer);`. For an enum, a `match self` binds the fields
//! of each variant (skipped fields are matched with `_` / `..`, so no binding goes unused)
//! and traces them in the same way. The trait is called by path, never as a method, so no
//! auto-deref can pick a different implementation than the field's own type's.
//!
//! The `tracer` parameter is made with [`Span::mixed_site`], so it cannot collide with the
//! user's names (a field called `tracer` is fine). The enum field bindings are not: an
//! expression with a mixed-site span makes rustc report "`Trace` is not implemented" at the
//! derive instead of at the field. They are bound as `name: __trace_field_<index>` with the
//! field type's span, so only a constant or unit struct of that reserved-looking name in
//! scope could interfere (the user's field names never appear as bindings).

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, Index, Member, parse_quote_spanned};

use crate::attr::{self, Errors, FieldMode};

/// Expands `#[derive(Trace)]` on `input`; on error, the errors to report (all of them).
pub(crate) fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let place = match &input.data {
        Data::Struct(_) => "a struct",
        Data::Enum(_) => "an enum",
        Data::Union(_) => "a union",
    };
    attr::reject_trace_attrs(&input.attrs, place, &mut errors);
    attr::reject_packed(&input.attrs, &mut errors);

    let tracer = Ident::new("tracer", Span::mixed_site());
    let body = match &input.data {
        Data::Struct(data) => struct_body(&data.fields, &tracer, &mut errors),
        Data::Enum(data) => {
            let arms: Vec<Arm> = data
                .variants
                .iter()
                .map(|variant| {
                    attr::reject_trace_attrs(&variant.attrs, "an enum variant", &mut errors);
                    variant_arm(&variant.ident, &variant.fields, &tracer, &mut errors)
                })
                .collect();
            enum_body(&arms)
        }
        Data::Union(data) => {
            errors.push(syn::Error::new(
                data.union_token.span,
                "`#[derive(Trace)]` does not support unions: which field is active is not \
                 recorded, so the derive cannot tell which handles the value owns; \
                 implement `Trace` by hand (or use an enum)",
            ));
            Body::empty()
        }
    };
    errors.finish()?;

    let name = &input.ident;
    let mut generics = input.generics.clone();
    let bounds: Vec<syn::WherePredicate> = generics
        .type_params()
        .map(|param| {
            let ident = &param.ident;
            parse_quote_spanned!(ident.span()=> #ident: ::heap::Trace)
        })
        .collect();
    if !bounds.is_empty() {
        generics.make_where_clause().predicates.extend(bounds);
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    // Without traced fields the parameter is unused: name it `_` rather than allow a lint.
    let tracer_param = if body.uses_tracer {
        quote!(#tracer)
    } else {
        quote!(_)
    };
    let statements = body.tokens;
    Ok(quote! {
        #[automatically_derived]
        unsafe impl #impl_generics ::heap::Trace for #name #ty_generics #where_clause {
            #[inline]
            fn trace(&self, #tracer_param: &mut ::heap::Tracer<'_>) {
                #statements
            }
        }
    })
}

/// The body of the generated `trace` method.
struct Body {
    /// The statements.
    tokens: TokenStream,
    /// Whether any statement passes the tracer on (some field is traced).
    uses_tracer: bool,
}

impl Body {
    /// A body that traces nothing.
    fn empty() -> Body {
        Body {
            tokens: TokenStream::new(),
            uses_tracer: false,
        }
    }
}

/// One `match` arm of an enum's body.
struct Arm {
    /// `Self::Variant { .. } => { ... }`.
    tokens: TokenStream,
    /// Whether the arm traces a field.
    uses_tracer: bool,
}

/// The call that traces one field, given an expression of type `&FieldType`. The call and
/// the expression are spanned at the field's type, so "the trait `Trace` is not
/// implemented" points there rather than at the derive.
fn trace_call(field: &syn::Field, place: TokenStream, tracer: &Ident) -> TokenStream {
    quote_spanned!(field.ty.span()=> ::heap::Trace::trace(#place, #tracer);)
}

/// Traces a struct's fields through `&self.field` / `&self.0`.
fn struct_body(fields: &Fields, tracer: &Ident, errors: &mut Errors) -> Body {
    let mut body = Body::empty();
    for (index, field) in fields.iter().enumerate() {
        if errors.take(attr::field_mode(&field.attrs)) != Some(FieldMode::Trace) {
            continue;
        }
        let member = match &field.ident {
            Some(ident) => Member::Named(ident.clone()),
            None => Member::Unnamed(Index {
                span: field.span(),
                ..Index::from(index)
            }),
        };
        body.tokens.extend(trace_call(
            field,
            quote_spanned!(field.ty.span()=> &self.#member),
            tracer,
        ));
        body.uses_tracer = true;
    }
    body
}

/// The arm for one variant: binds the traced fields and traces them in order.
fn variant_arm(variant: &Ident, fields: &Fields, tracer: &Ident, errors: &mut Errors) -> Arm {
    let mut patterns = Vec::new();
    let mut calls = TokenStream::new();
    for (index, field) in fields.iter().enumerate() {
        let traced = errors.take(attr::field_mode(&field.attrs)) == Some(FieldMode::Trace);
        let binding = format_ident!("__trace_field_{}", index, span = field.ty.span());
        match (&field.ident, traced) {
            (Some(name), true) => patterns.push(quote!(#name: #binding)),
            (Some(_), false) => {}
            (None, true) => patterns.push(quote!(#binding)),
            (None, false) => patterns.push(quote!(_)),
        }
        if traced {
            calls.extend(trace_call(field, quote!(#binding), tracer));
        }
    }
    let pattern = match fields {
        Fields::Named(_) => quote!(Self::#variant { #(#patterns,)* .. }),
        Fields::Unnamed(_) => quote!(Self::#variant ( #(#patterns),* )),
        Fields::Unit => quote!(Self::#variant),
    };
    Arm {
        uses_tracer: !calls.is_empty(),
        tokens: quote!(#pattern => { #calls }),
    }
}

/// `match self { arms }`; an enum without variants has no value to trace.
fn enum_body(arms: &[Arm]) -> Body {
    if arms.is_empty() {
        return Body {
            tokens: quote!(match *self {}),
            uses_tracer: false,
        };
    }
    let tokens = arms.iter().map(|arm| &arm.tokens);
    Body {
        tokens: quote!(match self { #(#tokens)* }),
        uses_tracer: arms.iter().any(|arm| arm.uses_tracer),
    }
}
