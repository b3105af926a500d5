//! The OS calls the harness needs (kept here because this is the crate's only `unsafe` module).

/// CPU time consumed by the calling thread, in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
pub fn thread_cpu_ns() -> u64 {
    clock_ns(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// CPU time consumed by the whole process, in nanoseconds (`CLOCK_PROCESS_CPUTIME_ID`).
pub fn process_cpu_ns() -> u64 {
    clock_ns(libc::CLOCK_PROCESS_CPUTIME_ID)
}

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and `clock` is a clock id Linux always supports.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime({clock}) failed");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Minor page faults taken so far by the calling thread (`getrusage(RUSAGE_THREAD)`).
pub fn thread_minor_faults() -> u64 {
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage; RUSAGE_THREAD is supported since Linux 2.6.26.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
    if rc == 0 { usage.ru_minflt as u64 } else { 0 }
}

/// The system page size in bytes.
pub fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions; _SC_PAGESIZE is always supported on Linux.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 { size as u64 } else { 4096 }
}

/// Touches `bytes` of fresh anonymous memory (asking for transparent huge pages) and gives it
/// back, so that the next process to fault in that much memory gets physical pages the
/// hypervisor has already backed.
///
/// Why: on this VM, guest memory that has been free for a couple of seconds is reported to
/// the host (virtio-balloon free page reporting) and discarded; touching it again costs
/// ~0.5 s per 256 MiB when it comes as huge pages, against ~0.03 s when warm. Without this,
/// a contender that uses huge pages (mimalloc) pays for the host's faults, by an amount that
/// depends on how long the machine idled before the cell. Returns false if `mmap` failed.
pub fn prewarm_memory(bytes: usize) -> bool {
    if bytes == 0 {
        return true;
    }
    // SAFETY: an anonymous private mapping at an address the kernel picks; no existing memory
    // is affected.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return false;
    }
    // SAFETY: `base..base+bytes` is the mapping made above. madvise may fail (no THP): the
    // pages are still touched, only smaller.
    unsafe { libc::madvise(base, bytes, libc::MADV_HUGEPAGE) };
    let step = page_size() as usize;
    let p = base.cast::<u8>();
    for off in (0..bytes).step_by(step) {
        // SAFETY: `off < bytes`, inside the writable mapping.
        unsafe { p.add(off).write_volatile(1) };
    }
    // SAFETY: unmapping exactly the mapping made above, which nothing else refers to.
    unsafe { libc::munmap(base, bytes) };
    true
}

/// Stops this process from writing a core dump (`RLIMIT_CORE` = 0), for children that are
/// expected to crash (the heap suite's stack-overflow probes). Returns false if it failed.
pub fn disable_core_dumps() -> bool {
    let limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit; lowering RLIMIT_CORE affects only this process.
    unsafe { libc::setrlimit(libc::RLIMIT_CORE, &limit) == 0 }
}
