//! `pymalloc`: CPython 3.11's `PyObject_Malloc` / `PyObject_Free`, reached through `dlopen` of
//! libpython3.11 after `Py_InitializeEx(0)`.
//!
//! The thread that initialises Python holds the GIL from then on; pymalloc is only ever called
//! from that thread ([`PyMalloc`] is neither `Send` nor `Sync`, and [`PyMalloc::load`] refuses
//! other threads), so the w5 (two threads) workload skips it. `PYTHONMALLOC` is removed from the
//! child's environment by the parent, so the release build's plain pymalloc is what runs.

use std::ffi::{CStr, CString, c_int, c_void};
use std::marker::PhantomData;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr::NonNull;
use std::sync::OnceLock;
use std::thread::{self, ThreadId};

use anyhow::{Result, anyhow, bail};

use super::RawAlloc;

/// File name of the shared library.
pub const LIBPYTHON_NAME: &str = "libpython3.11.so.1.0";
/// Where to look when `python3`'s `LIBDIR` has no libpython3.11.
pub const LIBPYTHON_FALLBACK: &str = "/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0";

/// Finds libpython3.11: `LIBDIR` of `python3`'s sysconfig, then [`LIBPYTHON_FALLBACK`].
/// The error says where it looked.
pub fn find_libpython() -> Result<PathBuf, String> {
    let mut tried = Vec::new();
    let script = "import sysconfig; print(sysconfig.get_config_var('LIBDIR'))";
    match Command::new("python3").args(["-c", script]).output() {
        Ok(out) if out.status.success() => {
            let dir = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            let candidate = Path::new(&dir).join(LIBPYTHON_NAME);
            if candidate.is_file() {
                return Ok(candidate);
            }
            tried.push(candidate.display().to_string());
        }
        Ok(out) => tried.push(format!("python3 sysconfig (exit status {})", out.status)),
        Err(err) => tried.push(format!("python3 sysconfig ({err})")),
    }
    let fallback = PathBuf::from(LIBPYTHON_FALLBACK);
    if fallback.is_file() {
        return Ok(fallback);
    }
    tried.push(LIBPYTHON_FALLBACK.to_owned());
    Err(format!(
        "libpython3.11 not found (tried {})",
        tried.join(", ")
    ))
}

type MallocFn = unsafe extern "C" fn(usize) -> *mut c_void;
type FreeFn = unsafe extern "C" fn(*mut c_void);
type InitializeExFn = unsafe extern "C" fn(c_int);
type IsInitializedFn = unsafe extern "C" fn() -> c_int;

/// The resolved entry points, and the thread that initialised Python (and holds the GIL).
struct Api {
    malloc: MallocFn,
    free: FreeFn,
    owner: ThreadId,
}

static API: OnceLock<Result<Api, String>> = OnceLock::new();

/// CPython 3.11's pymalloc: `PyObject_Malloc` / `PyObject_Free`.
pub struct PyMalloc {
    malloc: MallocFn,
    free: FreeFn,
    /// Not `Send`/`Sync`: only the thread holding the GIL may call pymalloc.
    not_send: PhantomData<*mut ()>,
}

impl std::fmt::Debug for PyMalloc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyMalloc").finish_non_exhaustive()
    }
}

impl PyMalloc {
    /// Loads `libpython` (once per process), initialises Python on the calling thread, and
    /// returns the allocator. Fails on any other thread than the first caller's.
    pub fn load(libpython: &Path) -> Result<PyMalloc> {
        let api = API
            .get_or_init(|| load_api(libpython))
            .as_ref()
            .map_err(|e| anyhow!("pymalloc: {e}"))?;
        if api.owner != thread::current().id() {
            bail!(
                "pymalloc: only the thread that initialised Python (and holds the GIL) may use it"
            );
        }
        Ok(PyMalloc {
            malloc: api.malloc,
            free: api.free,
            not_send: PhantomData,
        })
    }
}

fn dlerror_message() -> String {
    // SAFETY: dlerror returns null or a NUL-terminated string valid until the next dl* call on
    // this thread; it is copied at once.
    let msg = unsafe { libc::dlerror() };
    if msg.is_null() {
        "unknown dlopen error".to_owned()
    } else {
        // SAFETY: non-null, NUL-terminated (see above).
        unsafe { CStr::from_ptr(msg) }
            .to_string_lossy()
            .into_owned()
    }
}

fn symbol(handle: *mut c_void, name: &CStr) -> Result<NonNull<c_void>, String> {
    // SAFETY: `handle` is a live handle from dlopen (never closed) and `name` is NUL-terminated.
    let ptr = unsafe { libc::dlsym(handle, name.as_ptr()) };
    NonNull::new(ptr)
        .ok_or_else(|| format!("dlsym({}): {}", name.to_string_lossy(), dlerror_message()))
}

fn load_api(libpython: &Path) -> Result<Api, String> {
    let path = CString::new(libpython.as_os_str().as_bytes())
        .map_err(|_| format!("bad path {}", libpython.display()))?;
    // SAFETY: `path` is NUL-terminated. RTLD_GLOBAL so extension modules that Python may load
    // find libpython's symbols. The handle is never closed, so the symbols stay valid.
    let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
    if handle.is_null() {
        return Err(format!(
            "dlopen({}): {}",
            libpython.display(),
            dlerror_message()
        ));
    }
    let initialize = symbol(handle, c"Py_InitializeEx")?;
    let is_initialized = symbol(handle, c"Py_IsInitialized")?;
    let malloc = symbol(handle, c"PyObject_Malloc")?;
    let free = symbol(handle, c"PyObject_Free")?;
    // SAFETY: these are the C functions of CPython 3.11's stable ABI with exactly these
    // signatures: void Py_InitializeEx(int), int Py_IsInitialized(void),
    // void *PyObject_Malloc(size_t), void PyObject_Free(void *).
    let (initialize, is_initialized, malloc, free) = unsafe {
        (
            std::mem::transmute::<*mut c_void, InitializeExFn>(initialize.as_ptr()),
            std::mem::transmute::<*mut c_void, IsInitializedFn>(is_initialized.as_ptr()),
            std::mem::transmute::<*mut c_void, MallocFn>(malloc.as_ptr()),
            std::mem::transmute::<*mut c_void, FreeFn>(free.as_ptr()),
        )
    };
    // SAFETY: Py_IsInitialized may be called at any time; Py_InitializeEx(0) initialises the
    // interpreter without installing signal handlers, and leaves this thread holding the GIL.
    unsafe {
        if is_initialized() == 0 {
            initialize(0);
        }
        if is_initialized() == 0 {
            return Err("Py_InitializeEx(0) did not initialise Python".to_owned());
        }
    }
    Ok(Api {
        malloc,
        free,
        owner: thread::current().id(),
    })
}

impl RawAlloc for PyMalloc {
    #[inline]
    fn alloc(&mut self, size: usize) -> Option<NonNull<u8>> {
        // SAFETY: Python is initialised and this thread holds the GIL (PyMalloc is only built
        // on, and cannot leave, the thread that initialised it).
        NonNull::new(unsafe { (self.malloc)(size) }.cast())
    }

    #[inline]
    unsafe fn free(&mut self, ptr: NonNull<u8>, _size: usize) {
        // SAFETY: as in `alloc`, and the caller guarantees `ptr` is live from PyObject_Malloc.
        unsafe { (self.free)(ptr.as_ptr().cast()) }
    }
}
