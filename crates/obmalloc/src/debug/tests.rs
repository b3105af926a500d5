use super::*;

/// Sizes used by the tests: small under Miri.
const MEDIUM: usize = if cfg!(miri) { 200 } else { 300 };
const LARGE: usize = if cfg!(miri) { 600 } else { 5000 };

/// Reads `len` bytes at `p + offset`.
///
/// # Safety
/// The range lies inside a block that is still allocated.
unsafe fn bytes_at(p: NonNull<u8>, offset: isize, len: usize) -> Vec<u8> {
    // SAFETY: caller.
    unsafe { core::slice::from_raw_parts(p.as_ptr().offset(offset), len).to_vec() }
}

/// Writes `value` at `p + offset`.
///
/// # Safety
/// The byte lies inside a block that is still allocated.
unsafe fn poke(p: NonNull<u8>, offset: isize, value: u8) {
    // SAFETY: caller.
    unsafe { p.as_ptr().offset(offset).write(value) }
}

fn addr(p: NonNull<u8>) -> String {
    format!("p={:#x}", p.addr().get())
}

#[test]
fn layout_header_fill_and_trailer() {
    let mut heap = DebugObmalloc::new();
    for (domain, id) in [
        (Domain::Raw, b'r'),
        (Domain::Mem, b'm'),
        (Domain::Obj, b'o'),
    ] {
        for n in [0, 1, 10, 16, MEDIUM] {
            let p = heap.alloc(domain, n).unwrap();
            assert_eq!(p.addr().get() % 16, 0, "data must stay 16-byte aligned");
            // SAFETY: the block has 16 header bytes, n data bytes and 8 trailer bytes.
            let (head, data, tail) = unsafe {
                (
                    bytes_at(p, -16, 16),
                    bytes_at(p, 0, n),
                    bytes_at(p, n as isize, 8),
                )
            };
            assert_eq!(head[..8], (n as u64).to_be_bytes());
            assert_eq!(head[8], id);
            assert_eq!(head[9..], [0xFD; 7]);
            assert!(data.iter().all(|&b| b == 0xCD), "fresh data is CLEANBYTE");
            assert_eq!(tail, [0xFD; 8]);
            assert_eq!(heap.block_info(p.as_ptr()), Some((domain, n)));
            assert_eq!(heap.check(p.as_ptr()), Ok(()));
            heap.free(domain, p.as_ptr()).unwrap();
        }
    }
    assert_eq!(heap.live_blocks(), 0);
}

#[test]
fn calloc_zeroes_and_checks_overflow() {
    let mut heap = DebugObmalloc::new();
    for domain in Domain::ALL {
        let p = heap.calloc(domain, 3, 7).unwrap();
        // SAFETY: 21 data bytes plus the trailer.
        let (data, tail) = unsafe { (bytes_at(p, 0, 21), bytes_at(p, 21, 8)) };
        assert_eq!(data, [0; 21]);
        assert_eq!(tail, [0xFD; 8]);
        assert_eq!(heap.block_info(p.as_ptr()), Some((domain, 21)));
        heap.free(domain, p.as_ptr()).unwrap();
    }
    assert_eq!(heap.calloc(Domain::Obj, usize::MAX, 2), None);
    assert_eq!(heap.alloc(Domain::Obj, MAX_REQUEST + 1), None);
    assert_eq!(heap.alloc(Domain::Raw, usize::MAX), None);
    assert_eq!(heap.live_blocks(), 0);
}

#[test]
fn overflow_is_reported_and_block_kept() {
    let mut heap = DebugObmalloc::new();
    let p = heap.alloc(Domain::Obj, 10).unwrap();
    // SAFETY: p+10 is the first trailing pad byte, inside the block.
    unsafe { poke(p, 10, b'x') };
    let err = heap.free(Domain::Obj, p.as_ptr()).unwrap_err();
    let DebugError::BadTrailingPad(c) = &err else {
        panic!("wrong variant: {err:?}")
    };
    assert_eq!(
        (c.block, c.domain, c.size),
        (p.addr().get(), Domain::Obj, 10)
    );
    assert_eq!(
        c.damaged_bytes(),
        [BadByte {
            offset: 10,
            found: b'x',
            expected: 0xFD
        }]
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with("bad trailing pad byte (buffer overflow)\n"),
        "{msg}"
    );
    assert!(msg.contains(&format!(
        "Debug memory block at address {}: API 'o'",
        addr(p)
    )));
    assert!(msg.contains("10 bytes originally requested"), "{msg}");
    assert!(
        msg.contains("The 7 pad bytes at p-7 are FORBIDDENBYTE, as expected."),
        "{msg}"
    );
    assert!(msg.contains("are not all FORBIDDENBYTE (0xfd):"), "{msg}");
    assert!(msg.contains("at tail+0: 0x78 *** OUCH\n"), "{msg}");
    assert!(msg.contains("at tail+1: 0xfd\n"), "{msg}");
    assert!(
        msg.contains("Data at p: cd cd cd cd cd cd cd cd cd cd\n"),
        "{msg}"
    );
    assert!(msg.contains("not released while damaged"), "{msg}");
    assert_eq!(msg.matches("OUCH").count(), 1);

    // Not released: still live, still damaged, reported by check and check_all.
    assert_eq!(heap.live_blocks(), 1);
    assert_eq!(heap.check(p.as_ptr()), Err(err.clone()));
    assert_eq!(heap.check_all(), core::slice::from_ref(&err));
    // SAFETY: the block is still allocated; the pad is untouched by the failed free.
    let pad = unsafe { bytes_at(p, 10, 8) };
    assert_eq!(pad, [b'x', 0xFD, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD]);
    // A bigger overflow: every damaged byte is listed.
    // SAFETY: p+17 is the last trailing pad byte.
    unsafe { poke(p, 17, 0) };
    let msg = heap.check(p.as_ptr()).unwrap_err().to_string();
    assert!(msg.contains("at tail+7: 0x00 *** OUCH"), "{msg}");
    assert_eq!(msg.matches("OUCH").count(), 2);

    // Repaired, it frees normally.
    // SAFETY: as above.
    unsafe {
        poke(p, 10, 0xFD);
        poke(p, 17, 0xFD);
    }
    assert_eq!(heap.free(Domain::Obj, p.as_ptr()), Ok(()));
    assert!(heap.check_all().is_empty());
}

#[test]
fn overflow_of_a_large_block_dumps_both_ends() {
    let mut heap = DebugObmalloc::new();
    let n = LARGE;
    let p = heap.alloc(Domain::Mem, n).unwrap();
    // SAFETY: the last data byte and the first pad byte are inside the block.
    unsafe {
        poke(p, n as isize - 1, 0x41);
        poke(p, n as isize, 0x42);
    }
    let err = heap.free(Domain::Mem, p.as_ptr()).unwrap_err();
    assert!(matches!(err, DebugError::BadTrailingPad(_)));
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("{n} bytes originally requested")),
        "{msg}"
    );
    assert!(msg.contains("API 'm'"), "{msg}");
    assert!(
        msg.contains(&format!("tail={:#x}", p.addr().get() + n)),
        "{msg}"
    );
    assert!(msg.contains("at tail+0: 0x42 *** OUCH"), "{msg}");
    assert!(
        msg.contains("Data at p: cd cd cd cd cd cd cd cd ... cd cd cd cd cd cd cd 41\n"),
        "{msg}"
    );
    // SAFETY: as above.
    unsafe { poke(p, n as isize, 0xFD) };
    heap.free(Domain::Mem, p.as_ptr()).unwrap();
}

#[test]
fn underflow_is_reported_and_block_kept() {
    let mut heap = DebugObmalloc::new();
    let p = heap.alloc(Domain::Mem, 24).unwrap();
    // SAFETY: p-1 is the last leading pad byte.
    unsafe { poke(p, -1, 0) };
    let err = heap.free(Domain::Mem, p.as_ptr()).unwrap_err();
    let DebugError::BadLeadingPad(c) = &err else {
        panic!("wrong variant: {err:?}")
    };
    assert!(c.leading_pad_damaged() && !c.size_or_id_damaged() && !c.trailing_pad_damaged());
    assert_eq!(
        c.damaged_bytes(),
        [BadByte {
            offset: -1,
            found: 0,
            expected: 0xFD
        }]
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with("bad leading pad byte (buffer underflow)\n"),
        "{msg}"
    );
    assert!(msg.contains(&addr(p)), "{msg}");
    assert!(msg.contains("API 'm'"), "{msg}");
    assert!(msg.contains("24 bytes originally requested"), "{msg}");
    assert!(
        msg.contains("The 7 pad bytes at p-7 are not all FORBIDDENBYTE (0xfd):"),
        "{msg}"
    );
    assert!(msg.contains("at p-7: 0xfd\n"), "{msg}");
    assert!(msg.contains("at p-1: 0x00 *** OUCH\n"), "{msg}");
    assert!(msg.contains("pad bytes at tail="), "{msg}");
    assert_eq!(heap.live_blocks(), 1);
    assert_eq!(heap.check_all(), [err]);

    // Deeper underflow into the API id and the size field: reported against the
    // registry's size and domain, which the damage cannot fool.
    // SAFETY: p-16..p is the header, inside the block.
    unsafe {
        poke(p, -8, b'o');
        poke(p, -9, 0xFF);
    }
    let err = heap.check(p.as_ptr()).unwrap_err();
    let DebugError::BadLeadingPad(c) = &err else {
        panic!("wrong variant: {err:?}")
    };
    assert!(c.size_or_id_damaged());
    assert_eq!(c.size, 24);
    let msg = err.to_string();
    assert!(msg.contains("size field and API id at p-16 are damaged (expected size 24, API 'm')"));
    assert!(
        msg.contains("at p-9: 0xff *** OUCH (expected 0x18)"),
        "{msg}"
    );
    assert!(
        msg.contains("at p-8: 0x6f *** OUCH (expected 0x6d)"),
        "{msg}"
    );
    assert!(msg.contains("at p-16: 0x00\n"), "{msg}");
    // The header says 'o', but the registry knows better: freeing through Obj is still
    // the wrong domain.
    assert!(matches!(
        heap.free(Domain::Obj, p.as_ptr()),
        Err(DebugError::WrongDomain {
            allocated: Domain::Mem,
            used: Domain::Obj,
            ..
        })
    ));

    // SAFETY: as above.
    unsafe {
        poke(p, -1, 0xFD);
        poke(p, -8, b'm');
        poke(p, -9, 24);
    }
    assert_eq!(heap.free(Domain::Mem, p.as_ptr()), Ok(()));
}

#[test]
fn both_ends_damaged_reports_underflow_with_both_pads() {
    let mut heap = DebugObmalloc::new();
    let p = heap.alloc(Domain::Raw, 3).unwrap();
    // SAFETY: p-7 and tail+2 = p+5 are pad bytes inside the block.
    unsafe {
        poke(p, -7, 1);
        poke(p, 5, 2);
    }
    let err = heap.free(Domain::Raw, p.as_ptr()).unwrap_err();
    assert!(matches!(&err, DebugError::BadLeadingPad(c) if c.trailing_pad_damaged()));
    let msg = err.to_string();
    assert!(msg.contains("at p-7: 0x01 *** OUCH"), "{msg}");
    assert!(msg.contains("at tail+2: 0x02 *** OUCH"), "{msg}");
    assert!(msg.contains("API 'r'"), "{msg}");
    // SAFETY: as above.
    unsafe {
        poke(p, -7, 0xFD);
        poke(p, 5, 0xFD);
    }
    heap.free(Domain::Raw, p.as_ptr()).unwrap();
}

#[test]
fn double_free_is_reported_without_touching_memory() {
    let mut heap = DebugObmalloc::new();
    let p = heap.alloc(Domain::Obj, 40).unwrap();
    heap.free(Domain::Obj, p.as_ptr()).unwrap();
    let err = heap.free(Domain::Obj, p.as_ptr()).unwrap_err();
    assert_eq!(
        err,
        DebugError::DoubleFree {
            block: p.addr().get(),
            allocated: Domain::Obj,
            used: Some(Domain::Obj),
            size: 40
        }
    );
    let msg = err.to_string();
    assert!(msg.starts_with("double free or use after free\n"), "{msg}");
    assert!(msg.contains(&format!(
        "Debug memory block at address {}: API 'o'",
        addr(p)
    )));
    assert!(msg.contains("40 bytes originally requested"), "{msg}");
    assert!(msg.contains("already freed"), "{msg}");
    // realloc and check of the freed pointer are caught the same way.
    assert!(matches!(
        heap.realloc(Domain::Obj, p.as_ptr(), 80),
        Err(DebugError::DoubleFree {
            used: Some(Domain::Obj),
            size: 40,
            ..
        })
    ));
    assert!(matches!(
        heap.check(p.as_ptr()),
        Err(DebugError::DoubleFree { used: None, .. })
    ));
    // Through another domain it is still a double free, not a wrong domain.
    assert!(matches!(
        heap.free(Domain::Mem, p.as_ptr()),
        Err(DebugError::DoubleFree {
            allocated: Domain::Obj,
            used: Some(Domain::Mem),
            ..
        })
    ));
}

#[test]
fn reused_address_is_live_again() {
    let mut heap = DebugObmalloc::new();
    let p = heap.alloc(Domain::Obj, 40).unwrap();
    heap.free(Domain::Obj, p.as_ptr()).unwrap();
    assert!(matches!(
        heap.check(p.as_ptr()),
        Err(DebugError::DoubleFree { .. })
    ));
    // pymalloc hands the freed block of the same size class out again at once: the
    // address is live again and no longer counts as freed.
    let q = heap.alloc(Domain::Obj, 40).unwrap();
    assert_eq!(q, p);
    assert_eq!(heap.check(q.as_ptr()), Ok(()));
    assert_eq!(heap.free(Domain::Obj, q.as_ptr()), Ok(()));
    assert!(matches!(
        heap.free(Domain::Obj, q.as_ptr()),
        Err(DebugError::DoubleFree { .. })
    ));
}

#[test]
fn wrong_domain_is_reported_and_block_kept() {
    let mut heap = DebugObmalloc::new();
    let p = heap.alloc(Domain::Obj, 16).unwrap();
    let err = heap.free(Domain::Mem, p.as_ptr()).unwrap_err();
    assert_eq!(
        err,
        DebugError::WrongDomain {
            block: p.addr().get(),
            size: 16,
            allocated: Domain::Obj,
            used: Domain::Mem
        }
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with("bad ID (freed through the wrong API family)\n"),
        "{msg}"
    );
    assert!(msg.contains(&addr(p)), "{msg}");
    assert!(msg.contains("16 bytes originally requested"), "{msg}");
    assert!(
        msg.contains(
            "Allocated using API 'o' (PyObject_Malloc), verified using API 'm' (PyMem_Malloc)."
        ),
        "{msg}"
    );
    assert!(matches!(
        heap.realloc(Domain::Raw, p.as_ptr(), 100),
        Err(DebugError::WrongDomain {
            allocated: Domain::Obj,
            used: Domain::Raw,
            ..
        })
    ));
    // Untouched: data, guards and registration.
    assert_eq!(heap.check(p.as_ptr()), Ok(()));
    // SAFETY: 16 data bytes.
    assert_eq!(unsafe { bytes_at(p, 0, 16) }, [0xCD; 16]);
    assert_eq!(heap.free(Domain::Obj, p.as_ptr()), Ok(()));

    let r = heap.alloc(Domain::Raw, 8).unwrap();
    assert!(matches!(
        heap.free(Domain::Obj, r.as_ptr()),
        Err(DebugError::WrongDomain {
            allocated: Domain::Raw,
            used: Domain::Obj,
            ..
        })
    ));
    heap.free(Domain::Raw, r.as_ptr()).unwrap();
}

#[test]
fn foreign_pointers_are_never_dereferenced() {
    let mut heap = DebugObmalloc::new();
    assert_eq!(heap.free(Domain::Obj, core::ptr::null_mut()), Ok(()));

    // A pointer from libc directly.
    // SAFETY: plain malloc.
    let m = unsafe { libc::malloc(32) }.cast::<u8>();
    assert!(!m.is_null());
    let err = heap.free(Domain::Raw, m).unwrap_err();
    assert_eq!(
        err,
        DebugError::Foreign {
            block: m.addr(),
            used: Some(Domain::Raw)
        }
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with("foreign pointer (not allocated by this allocator)\n"),
        "{msg}"
    );
    assert!(msg.contains(&format!("Pointer p={:#x} (used through API 'r')", m.addr())));
    assert!(msg.contains("not dereferenced"), "{msg}");
    // SAFETY: the debug allocator did not free it: it is still ours to free.
    unsafe { libc::free(m.cast()) };

    // A pointer straight from the wrapped allocator, bypassing the hooks.
    let q = heap.inner_mut().alloc(32).unwrap();
    assert!(matches!(
        heap.free(Domain::Obj, q.as_ptr()),
        Err(DebugError::Foreign { .. })
    ));
    // SAFETY: still live in the inner allocator.
    unsafe { heap.inner_mut().free(q.as_ptr()) };

    // Interior pointers, stack addresses and garbage.
    let p = heap.alloc(Domain::Obj, 32).unwrap();
    let inside = p.as_ptr().wrapping_add(1);
    assert_eq!(
        heap.free(Domain::Obj, inside),
        Err(DebugError::Foreign {
            block: inside.addr(),
            used: Some(Domain::Obj)
        })
    );
    let mut local = [0u8; 4];
    assert!(matches!(
        heap.realloc(Domain::Mem, local.as_mut_ptr(), 8),
        Err(DebugError::Foreign { .. })
    ));
    let garbage = core::ptr::without_provenance_mut::<u8>(0xdead_beef);
    assert!(matches!(
        heap.check(garbage),
        Err(DebugError::Foreign { used: None, .. })
    ));
    assert_eq!(heap.check(p.as_ptr()), Ok(()));
    heap.free(Domain::Obj, p.as_ptr()).unwrap();
    assert_eq!(local, [0; 4]);
}

#[test]
fn freed_block_is_dead_filled() {
    let mut heap = DebugObmalloc::new();
    heap.set_quarantine(2);
    let n = 40;
    let p = heap.alloc(Domain::Obj, n).unwrap();
    // SAFETY: data bytes.
    unsafe { poke(p, 0, 7) };
    heap.free(Domain::Obj, p.as_ptr()).unwrap();
    // Quarantined: still allocated, so the dead fill can be read back. The whole
    // block, header and pads included, is DEADBYTE.
    // SAFETY: the quarantined block stays allocated.
    let all = unsafe { bytes_at(p, -16, n + OVERHEAD) };
    assert!(all.iter().all(|&b| b == 0xDD), "{all:x?}");
    assert!(heap.check_all().is_empty());
    assert!(matches!(
        heap.free(Domain::Obj, p.as_ptr()),
        Err(DebugError::DoubleFree { .. })
    ));

    // A write after free is found by check_all.
    // SAFETY: as above.
    unsafe {
        poke(p, 5, 0x55);
        poke(p, -16, 0);
    }
    let errors = heap.check_all();
    let [err] = &errors[..] else {
        panic!("{errors:?}")
    };
    let DebugError::WriteAfterFree {
        block,
        domain,
        size,
        bad,
        total_bad,
    } = err
    else {
        panic!("wrong variant: {err:?}")
    };
    assert_eq!(
        (*block, *domain, *size, *total_bad),
        (p.addr().get(), Domain::Obj, n, 2)
    );
    assert_eq!(
        bad[0],
        BadByte {
            offset: -16,
            found: 0,
            expected: 0xDD
        }
    );
    assert_eq!(
        bad[1],
        BadByte {
            offset: 5,
            found: 0x55,
            expected: 0xDD
        }
    );
    let msg = err.to_string();
    assert!(msg.starts_with("write after free"), "{msg}");
    assert!(msg.contains(&addr(p)), "{msg}");
    assert!(msg.contains("40 bytes originally requested"), "{msg}");
    assert!(msg.contains("at p-16: 0x00 *** OUCH"), "{msg}");
    assert!(msg.contains("at p+5: 0x55 *** OUCH"), "{msg}");

    // Pushed out of quarantine while damaged, it is kept (poisoned) and still reported.
    let a = heap.alloc(Domain::Obj, 8).unwrap();
    let b = heap.alloc(Domain::Obj, 8).unwrap();
    heap.free(Domain::Obj, a.as_ptr()).unwrap();
    heap.free(Domain::Obj, b.as_ptr()).unwrap();
    assert_eq!(heap.check_all().len(), 1);
    // Repaired, it is released when the allocator is dropped (Miri checks for leaks).
    // SAFETY: the poisoned block is never released while damaged.
    unsafe {
        poke(p, 5, 0xDD);
        poke(p, -16, 0xDD);
    }
    assert!(heap.check_all().is_empty());
    heap.set_quarantine(0);
}

#[test]
fn dead_fill_on_free_without_quarantine() {
    // Without quarantine the block goes back to the backend at once; the fill is still
    // observable on a realloc that moves a block: what stays behind is dead. Use a
    // quarantine of one to see the moment between fill and release.
    let mut heap = DebugObmalloc::new();
    heap.set_quarantine(1);
    let p = heap.alloc(Domain::Raw, 5).unwrap();
    heap.free(Domain::Raw, p.as_ptr()).unwrap();
    // SAFETY: quarantined, still allocated.
    let all = unsafe { bytes_at(p, -16, 5 + OVERHEAD) };
    assert_eq!(all, [0xDD; 5 + OVERHEAD]);
    heap.set_quarantine(0); // released here, after checking it is still dead
    assert!(heap.check_all().is_empty());
    assert!(matches!(
        heap.check(p.as_ptr()),
        Err(DebugError::DoubleFree { .. })
    ));
}

#[test]
fn realloc_keeps_data_and_guards() {
    let mut heap = DebugObmalloc::new();
    for domain in Domain::ALL {
        // Small: grow, then shrink.
        let p = heap.alloc(domain, 10).unwrap();
        for i in 0..10 {
            // SAFETY: data bytes.
            unsafe { poke(p, i, i as u8) };
        }
        let q = heap.realloc(domain, p.as_ptr(), 100).unwrap().unwrap();
        // SAFETY: 100 data bytes and the header.
        let (head, data) = unsafe { (bytes_at(q, -16, 16), bytes_at(q, 0, 100)) };
        assert_eq!(head[..8], 100u64.to_be_bytes());
        assert_eq!(head[8], domain.api_id() as u8);
        assert_eq!(data[..10], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert!(data[10..].iter().all(|&b| b == 0xCD), "growth is CLEANBYTE");
        assert_eq!(heap.check(q.as_ptr()), Ok(()));
        assert_eq!(heap.block_info(q.as_ptr()), Some((domain, 100)));
        if q != p {
            assert!(matches!(
                heap.check(p.as_ptr()),
                Err(DebugError::DoubleFree { .. })
            ));
        }
        let r = heap.realloc(domain, q.as_ptr(), 4).unwrap().unwrap();
        // SAFETY: 4 data bytes plus the trailer.
        let bytes = unsafe { bytes_at(r, 0, 12) };
        assert_eq!(
            bytes,
            [0, 1, 2, 3, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD, 0xFD]
        );
        assert_eq!(heap.check(r.as_ptr()), Ok(()));
        heap.free(domain, r.as_ptr()).unwrap();

        // Large: more than 128 bytes, so the ends are erased and restored, and growth
        // past 512 bytes moves a pymalloc block to malloc.
        let n = MEDIUM;
        let p = heap.alloc(domain, n).unwrap();
        for i in 0..n {
            // SAFETY: data bytes.
            unsafe { poke(p, i as isize, (i % 251) as u8) };
        }
        let q = heap.realloc(domain, p.as_ptr(), LARGE).unwrap().unwrap();
        // SAFETY: LARGE data bytes.
        let data = unsafe { bytes_at(q, 0, LARGE) };
        assert!((0..n).all(|i| data[i] == (i % 251) as u8));
        assert!(data[n..].iter().all(|&b| b == 0xCD));
        assert_eq!(heap.check(q.as_ptr()), Ok(()));
        // Shrink to just past the first erased stretch, then to nothing.
        let r = heap.realloc(domain, q.as_ptr(), 70).unwrap().unwrap();
        // SAFETY: 70 data bytes.
        let data = unsafe { bytes_at(r, 0, 70) };
        assert!((0..70).all(|i| data[i] == (i % 251) as u8));
        assert_eq!(heap.check(r.as_ptr()), Ok(()));
        let s = heap.realloc(domain, r.as_ptr(), 0).unwrap().unwrap();
        assert_eq!(heap.block_info(s.as_ptr()), Some((domain, 0)));
        assert_eq!(heap.check(s.as_ptr()), Ok(()));
        heap.free(domain, s.as_ptr()).unwrap();
    }
    assert_eq!(heap.live_blocks(), 0);
    assert!(heap.check_all().is_empty());
}

#[test]
fn realloc_shrink_of_long_block_restores_tail_stretch() {
    // Old size 300: bytes 0..64 and 236..300 are saved and erased; shrinking to 250
    // keeps 236..250 from the saved tail.
    let mut heap = DebugObmalloc::new();
    let n = 300;
    let p = heap.alloc(Domain::Mem, n).unwrap();
    for i in 0..n {
        // SAFETY: data bytes.
        unsafe { poke(p, i as isize, i as u8) };
    }
    let q = heap.realloc(Domain::Mem, p.as_ptr(), 250).unwrap().unwrap();
    // SAFETY: 250 data bytes.
    let data = unsafe { bytes_at(q, 0, 250) };
    assert!((0..250).all(|i| data[i] == i as u8), "{data:?}");
    assert_eq!(heap.check(q.as_ptr()), Ok(()));
    heap.free(Domain::Mem, q.as_ptr()).unwrap();
}

#[test]
fn realloc_null_allocates_and_errors_leave_block_alone() {
    let mut heap = DebugObmalloc::new();
    let p = heap
        .realloc(Domain::Mem, core::ptr::null_mut(), 12)
        .unwrap()
        .unwrap();
    assert_eq!(heap.block_info(p.as_ptr()), Some((Domain::Mem, 12)));

    // Too big: Ok(None), the block unchanged.
    assert_eq!(
        heap.realloc(Domain::Mem, p.as_ptr(), MAX_REQUEST + 1),
        Ok(None)
    );
    assert_eq!(heap.check(p.as_ptr()), Ok(()));

    // Damaged: the error, and no resize.
    // SAFETY: p+12 is a pad byte.
    unsafe { poke(p, 12, 0) };
    assert!(matches!(
        heap.realloc(Domain::Mem, p.as_ptr(), 1000),
        Err(DebugError::BadTrailingPad(_))
    ));
    assert_eq!(heap.block_info(p.as_ptr()), Some((Domain::Mem, 12)));
    // SAFETY: still allocated, still 12 bytes.
    assert_eq!(unsafe { bytes_at(p, 0, 12) }, [0xCD; 12]);
    // SAFETY: as above.
    unsafe { poke(p, 12, 0xFD) };
    heap.free(Domain::Mem, p.as_ptr()).unwrap();
}

#[test]
#[cfg_attr(miri, ignore = "asks the system for isize::MAX bytes")]
fn realloc_failure_restores_the_old_block() {
    let mut heap = DebugObmalloc::new();
    for domain in Domain::ALL {
        let n = 200;
        let p = heap.alloc(domain, n).unwrap();
        for i in 0..n {
            // SAFETY: data bytes.
            unsafe { poke(p, i as isize, i as u8) };
        }
        // The backend cannot find isize::MAX bytes: the erased ends come back.
        assert_eq!(heap.realloc(domain, p.as_ptr(), MAX_REQUEST), Ok(None));
        // SAFETY: the block is still live with n bytes.
        let data = unsafe { bytes_at(p, 0, n) };
        assert!((0..n).all(|i| data[i] == i as u8));
        assert_eq!(heap.check(p.as_ptr()), Ok(()));
        assert_eq!(heap.block_info(p.as_ptr()), Some((domain, n)));
        heap.free(domain, p.as_ptr()).unwrap();
    }
}

#[test]
fn raw_domain_goes_to_libc() {
    let mut heap = DebugObmalloc::new();
    assert!(heap.uses_pymalloc());
    let before = heap.inner().allocated_blocks();
    let r = heap.alloc(Domain::Raw, 16).unwrap();
    assert_eq!(
        heap.inner().allocated_blocks(),
        before,
        "Raw must not touch obmalloc"
    );
    assert!(!heap.inner().owns(r.as_ptr()));
    let o = heap.alloc(Domain::Obj, 16).unwrap();
    let m = heap.alloc(Domain::Mem, 16).unwrap();
    assert_eq!(heap.inner().allocated_blocks(), before + 2);
    assert!(heap.inner().owns(o.as_ptr().wrapping_sub(HEADER_SIZE)));
    assert!(heap.inner().owns(m.as_ptr().wrapping_sub(HEADER_SIZE)));
    // Growing a Raw block stays in libc.
    let r = heap.realloc(Domain::Raw, r.as_ptr(), 100).unwrap().unwrap();
    assert_eq!(heap.inner().allocated_blocks(), before + 2);
    assert!(!heap.inner().owns(r.as_ptr()));
    for (d, p) in [(Domain::Raw, r), (Domain::Obj, o), (Domain::Mem, m)] {
        heap.free(d, p.as_ptr()).unwrap();
    }
    assert_eq!(heap.inner().allocated_blocks(), before);

    // malloc_debug: every domain goes to libc.
    let mut heap = DebugObmalloc::for_mode(MallocMode::MallocDebug).unwrap();
    assert!(!heap.uses_pymalloc());
    let o = heap.alloc(Domain::Obj, 16).unwrap();
    assert_eq!(heap.inner().allocated_blocks(), 0);
    assert!(!heap.inner().owns(o.as_ptr()));
    let o = heap.realloc(Domain::Obj, o.as_ptr(), 40).unwrap().unwrap();
    assert_eq!(heap.check(o.as_ptr()), Ok(()));
    heap.free(Domain::Obj, o.as_ptr()).unwrap();
}

#[test]
fn check_all_lists_every_damaged_block_in_address_order() {
    let mut heap = DebugObmalloc::new();
    let blocks: Vec<_> = (0..6)
        .map(|i| heap.alloc(Domain::Obj, 8 + i).unwrap())
        .collect();
    assert!(heap.check_all().is_empty());
    // SAFETY: p+size is the first trailing pad byte; p-1 the last leading one.
    unsafe {
        poke(blocks[1], 9, 0);
        poke(blocks[4], -1, 0);
    }
    let errors = heap.check_all();
    assert_eq!(errors.len(), 2);
    let mut want = vec![blocks[1].addr().get(), blocks[4].addr().get()];
    want.sort_unstable();
    assert_eq!(
        errors.iter().map(DebugError::block).collect::<Vec<_>>(),
        want
    );
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, DebugError::BadTrailingPad(_)))
    );
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, DebugError::BadLeadingPad(_)))
    );
    // SAFETY: as above.
    unsafe {
        poke(blocks[1], 9, 0xFD);
        poke(blocks[4], -1, 0xFD);
    }
    for p in blocks {
        heap.free(Domain::Obj, p.as_ptr()).unwrap();
    }
}

#[test]
fn drop_releases_intact_blocks() {
    let mut heap = DebugObmalloc::new();
    heap.set_quarantine(4);
    for domain in Domain::ALL {
        heap.alloc(domain, 30).unwrap();
        let p = heap.alloc(domain, 30).unwrap();
        heap.free(domain, p.as_ptr()).unwrap();
    }
    assert_eq!(heap.live_blocks(), 3);
    drop(heap); // Miri reports a leak if any of them is not released
}

#[test]
fn is_send() {
    fn send<T: Send>() {}
    send::<DebugObmalloc>();
    send::<DebugError>();
}

#[test]
fn domain_ids() {
    for d in Domain::ALL {
        assert_eq!(Domain::from_api_id(d.api_id()), Some(d));
    }
    assert_eq!(Domain::from_api_id('x'), None);
    assert_eq!(Domain::Obj.to_string(), "'o' (PyObject_Malloc)");
    assert_eq!(Domain::Raw.malloc_name(), "PyMem_RawMalloc");
}

#[test]
fn malloc_mode_names() {
    let names = [
        "default",
        "debug",
        "pymalloc",
        "pymalloc_debug",
        "malloc",
        "malloc_debug",
    ];
    for (mode, name) in MallocMode::ALL.into_iter().zip(names) {
        assert_eq!(name.parse::<MallocMode>(), Ok(mode));
        assert_eq!(mode.to_string(), name);
    }
    assert!(MallocMode::Debug.debug_hooks() && MallocMode::MallocDebug.debug_hooks());
    assert!(!MallocMode::Default.debug_hooks() && !MallocMode::Pymalloc.debug_hooks());
    assert!(MallocMode::PymallocDebug.uses_pymalloc() && !MallocMode::Malloc.uses_pymalloc());
    assert!(
        DebugObmalloc::for_mode(MallocMode::Debug)
            .unwrap()
            .uses_pymalloc()
    );
    assert!(DebugObmalloc::for_mode(MallocMode::Pymalloc).is_none());
    assert_eq!(MallocMode::default(), MallocMode::Default);

    for bad in [
        "Debug",
        " debug",
        "pymalloc-debug",
        "mimalloc",
        "debug_malloc",
        "x",
    ] {
        let err = bad.parse::<MallocMode>().unwrap_err();
        assert_eq!(err.value(), bad);
        let msg = err.to_string();
        assert!(msg.contains(&format!("{bad:?}")), "{msg}");
        assert!(msg.starts_with("PYTHONMALLOC: unknown allocator"), "{msg}");
        assert!(msg.ends_with("default, debug, pymalloc, pymalloc_debug, malloc, malloc_debug"));
    }
    assert!("".parse::<MallocMode>().is_err());
}

#[test]
fn malloc_mode_from_env_value() {
    use std::ffi::OsString;
    assert_eq!(MallocMode::from_env_value(None), Ok(MallocMode::Default));
    assert_eq!(
        MallocMode::from_env_value(Some(OsStr::new(""))),
        Ok(MallocMode::Default)
    );
    assert_eq!(
        MallocMode::from_env_value(Some(OsStr::new("malloc_debug"))),
        Ok(MallocMode::MallocDebug)
    );
    let err = MallocMode::from_env_value(Some(OsStr::new("fast"))).unwrap_err();
    assert_eq!(err.value(), "fast");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let v = OsString::from_vec(vec![b'd', 0xFF]);
        let err = MallocMode::from_env_value(Some(&v)).unwrap_err();
        assert_eq!(err.value(), "d\u{FFFD}");
    }
    // Whatever the test environment holds, from_env agrees with from_env_value.
    let env = std::env::var_os(MallocMode::ENV_VAR);
    assert_eq!(
        MallocMode::from_env(),
        MallocMode::from_env_value(env.as_deref())
    );
}
