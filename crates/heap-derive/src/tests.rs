//! Unit tests of the expansion: the exact code generated, and the error messages (which the
//! `compile_fail` doctests in the crate docs cannot check).

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::expand;

/// Expands `#[derive(Trace)]` on `input`, which must succeed.
fn expand_ok(input: DeriveInput) -> String {
    match expand::derive(&input) {
        Ok(tokens) => {
            // The output is one well-formed impl.
            syn::parse2::<syn::ItemImpl>(tokens.clone()).expect("the expansion is an impl");
            tokens.to_string()
        }
        Err(error) => panic!("unexpected derive error: {error}"),
    }
}

/// Expands `#[derive(Trace)]` on `input`, which must fail; returns the messages in order.
fn expand_err(input: DeriveInput) -> Vec<String> {
    match expand::derive(&input) {
        Ok(tokens) => panic!("expected an error, the derive generated: {tokens}"),
        Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
    }
}

/// The impl the derive should produce for `name` (with generics already spelt out in the
/// header tokens) and `body`; `tracer` is the parameter name (`tracer` or `_`).
fn expected(header: TokenStream, tracer: TokenStream, body: TokenStream) -> String {
    quote! {
        #[automatically_derived]
        unsafe impl #header {
            #[inline]
            fn trace(&self, #tracer: &mut ::heap::Tracer<'_>) {
                #body
            }
        }
    }
    .to_string()
}

#[test]
fn named_struct_traces_every_field_in_order() {
    let got = expand_ok(syn::parse_quote! {
        struct Node {
            name: String,
            children: Vec<Obj<Node>>,
            tracer: Option<Obj<Leaf>>,
        }
    });
    let want = expected(
        quote!(::heap::Trace for Node),
        quote!(tracer),
        quote! {
            ::heap::Trace::trace(&self.name, tracer);
            ::heap::Trace::trace(&self.children, tracer);
            ::heap::Trace::trace(&self.tracer, tracer);
        },
    );
    assert_eq!(got, want);
}

#[test]
fn tuple_struct_traces_by_index_and_skips() {
    let got = expand_ok(syn::parse_quote! {
        struct Triple(Obj<A>, #[trace(skip)] File, Obj<B>);
    });
    let want = expected(
        quote!(::heap::Trace for Triple),
        quote!(tracer),
        quote! {
            ::heap::Trace::trace(&self.0, tracer);
            ::heap::Trace::trace(&self.2, tracer);
        },
    );
    assert_eq!(got, want);
}

#[test]
fn unit_and_all_skipped_structs_trace_nothing() {
    let want_unit = expected(quote!(::heap::Trace for Unit), quote!(_), quote!());
    assert_eq!(
        expand_ok(syn::parse_quote!(
            struct Unit;
        )),
        want_unit
    );
    let want_skipped = expected(quote!(::heap::Trace for Skipped), quote!(_), quote!());
    let got = expand_ok(syn::parse_quote! {
        struct Skipped { #[trace(skip)] a: File, #[trace(skip)] b: Socket }
    });
    assert_eq!(got, want_skipped);
}

#[test]
fn enum_matches_every_variant_shape() {
    let got = expand_ok(syn::parse_quote! {
        enum Shape {
            Unit,
            Tuple(Obj<A>, #[trace(skip)] File, Obj<B>),
            Named { first: Obj<A>, #[trace(skip)] file: File, last: Obj<B> },
            AllSkipped(#[trace(skip)] File),
            NamedSkipped { #[trace(skip)] file: File },
            Empty {},
        }
    });
    let want = expected(
        quote!(::heap::Trace for Shape),
        quote!(tracer),
        quote! {
            match self {
                Self::Unit => {}
                Self::Tuple(__trace_field_0, _, __trace_field_2) => {
                    ::heap::Trace::trace(__trace_field_0, tracer);
                    ::heap::Trace::trace(__trace_field_2, tracer);
                }
                Self::Named { first: __trace_field_0, last: __trace_field_2, .. } => {
                    ::heap::Trace::trace(__trace_field_0, tracer);
                    ::heap::Trace::trace(__trace_field_2, tracer);
                }
                Self::AllSkipped(_) => {}
                Self::NamedSkipped { .. } => {}
                Self::Empty { .. } => {}
            }
        },
    );
    assert_eq!(got, want);
}

#[test]
fn enums_without_traced_fields_do_not_use_the_tracer() {
    let got = expand_ok(syn::parse_quote!(
        enum Never {}
    ));
    assert_eq!(
        got,
        expected(
            quote!(::heap::Trace for Never),
            quote!(_),
            quote!(match *self {})
        )
    );
    let got = expand_ok(syn::parse_quote!(
        enum Flag {
            On,
            Off,
        }
    ));
    let body = quote!(match self {
        Self::On => {}
        Self::Off => {}
    });
    assert_eq!(
        got,
        expected(quote!(::heap::Trace for Flag), quote!(_), body)
    );
}

#[test]
fn type_parameters_get_trace_bounds_and_the_rest_passes_through() {
    let got = expand_ok(syn::parse_quote! {
        struct Pair<'a, A, B: Clone + ?Sized, const N: usize>
        where
            A: Default,
        {
            name: &'a str,
            left: [A; N],
            right: Box<B>,
        }
    });
    let want = expected(
        quote! {
            <'a, A, B: Clone + ?Sized, const N: usize> ::heap::Trace for Pair<'a, A, B, N>
            where
                A: Default,
                A: ::heap::Trace,
                B: ::heap::Trace
        },
        quote!(tracer),
        quote! {
            ::heap::Trace::trace(&self.name, tracer);
            ::heap::Trace::trace(&self.left, tracer);
            ::heap::Trace::trace(&self.right, tracer);
        },
    );
    assert_eq!(got, want);
}

#[test]
fn lifetime_only_generics_add_no_where_clause() {
    let got = expand_ok(syn::parse_quote!(
        struct View<'a>(&'a str);
    ));
    let want = expected(
        quote!(<'a> ::heap::Trace for View<'a>),
        quote!(tracer),
        quote!(::heap::Trace::trace(&self.0, tracer);),
    );
    assert_eq!(got, want);
}

#[test]
fn unions_are_rejected_with_the_reason() {
    let errors = expand_err(syn::parse_quote! {
        union Bits { int: u64, float: f64 }
    });
    assert_eq!(errors.len(), 1);
    assert!(errors[0].contains("does not support unions"), "{errors:?}");
    assert!(errors[0].contains("which field is active"), "{errors:?}");
}

#[test]
fn packed_types_are_rejected() {
    for input in [
        syn::parse_quote!(
            #[repr(packed)]
            struct P {
                a: u8,
                b: u32,
            }
        ),
        syn::parse_quote!(
            #[repr(C, packed(2))]
            struct P {
                a: u8,
                b: u32,
            }
        ),
    ] {
        let errors = expand_err(input);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("`#[repr(packed)]`"), "{errors:?}");
    }
    // Other reprs are fine.
    expand_ok(syn::parse_quote!(
        #[repr(C, align(8))]
        struct P {
            a: u8,
            b: u32,
        }
    ));
}

#[test]
fn field_attribute_misuse_is_reported() {
    let cases: [(DeriveInput, &str); 6] = [
        (
            syn::parse_quote!(
                struct S {
                    #[trace(skipp)]
                    a: u8,
                }
            ),
            "unknown `trace` option `skipp`",
        ),
        (
            syn::parse_quote!(
                struct S {
                    #[trace]
                    a: u8,
                }
            ),
            "`#[trace]` needs an option in parentheses",
        ),
        (
            syn::parse_quote!(
                struct S {
                    #[trace = "skip"]
                    a: u8,
                }
            ),
            "`#[trace]` needs an option in parentheses",
        ),
        (
            syn::parse_quote!(
                struct S {
                    #[trace()]
                    a: u8,
                }
            ),
            "empty `#[trace()]`",
        ),
        (
            syn::parse_quote!(
                struct S {
                    #[trace(skip = true)]
                    a: u8,
                }
            ),
            "`skip` takes no value",
        ),
        (
            syn::parse_quote!(
                struct S {
                    #[trace(skip, skip)]
                    a: u8,
                }
            ),
            "duplicate `skip`",
        ),
    ];
    for (input, message) in cases {
        let errors = expand_err(input);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains(message), "{errors:?} lacks {message:?}");
    }
    // Two attributes that each say `skip` are a duplicate too.
    let errors = expand_err(syn::parse_quote!(
        struct S {
            #[trace(skip)]
            #[trace(skip)]
            a: u8,
        }
    ));
    assert!(errors[0].contains("duplicate `skip`"), "{errors:?}");
}

#[test]
fn trace_attributes_off_fields_are_rejected() {
    let errors = expand_err(syn::parse_quote!(
        #[trace(skip)]
        struct S {
            a: u8,
        }
    ));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("not allowed on a struct"), "{errors:?}");
    let errors = expand_err(syn::parse_quote!(
        #[trace(skip)]
        enum E {
            A,
        }
    ));
    assert!(errors[0].contains("not allowed on an enum"), "{errors:?}");
    let errors = expand_err(syn::parse_quote!(
        enum E {
            #[trace(skip)]
            A(u8),
        }
    ));
    assert!(
        errors[0].contains("not allowed on an enum variant"),
        "{errors:?}"
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let errors = expand_err(syn::parse_quote! {
        #[trace(skip)]
        enum E {
            A(#[trace(nope)] u8),
            B { #[trace] b: u8 },
        }
    });
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].contains("not allowed on an enum"), "{errors:?}");
    assert!(
        errors[1].contains("unknown `trace` option `nope`"),
        "{errors:?}"
    );
    assert!(
        errors[2].contains("needs an option in parentheses"),
        "{errors:?}"
    );
}

#[test]
fn other_attributes_are_ignored() {
    let got = expand_ok(syn::parse_quote! {
        #[derive(Debug)]
        struct S {
            #[doc = "traced"]
            #[allow(dead_code)]
            a: Obj<A>,
        }
    });
    let want = expected(
        quote!(::heap::Trace for S),
        quote!(tracer),
        quote!(::heap::Trace::trace(&self.a, tracer);),
    );
    assert_eq!(got, want);
}
