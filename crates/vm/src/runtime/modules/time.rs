//! The `time` module: `time`, `perf_counter`, `monotonic`, `process_time`, `sleep` (and the
//! `_ns` variants).

use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use heap::{AnyObj, Gil, Obj};

use super::sys::{check_none, check_one, def, float_arg};
use crate::runtime::object::PyDict;
use crate::runtime::{PyResult, Vm};

/// Fills the module namespace.
pub fn fill(gil: &mut Gil<'_>, vm: &Vm, ns: &Obj<PyDict>) {
    let o = "time";
    def(gil, vm, ns, o, "time", time);
    def(gil, vm, ns, o, "time_ns", time_ns);
    def(gil, vm, ns, o, "perf_counter", perf_counter);
    def(gil, vm, ns, o, "perf_counter_ns", perf_counter_ns);
    def(gil, vm, ns, o, "monotonic", perf_counter);
    def(gil, vm, ns, o, "monotonic_ns", perf_counter_ns);
    def(gil, vm, ns, o, "process_time", process_time);
    def(gil, vm, ns, o, "process_time_ns", process_time_ns);
    def(gil, vm, ns, o, "sleep", sleep);
}

fn since_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// A monotonic clock, counted from the first use.
fn monotonic() -> Duration {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// CPU time of the process (`CLOCK_PROCESS_CPUTIME_ID`).
fn cpu_time() -> Duration {
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: clock_gettime writes one timespec to the pointer we pass.
    let r = unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if r != 0 {
        return monotonic();
    }
    Duration::new(ts.sec as u64, ts.nsec as u32)
}

#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;

unsafe extern "C" {
    fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
}

macro_rules! clock_fns {
    ($f:ident, $f_ns:ident, $clock:expr, $qual:expr) => {
        fn $f(
            gil: &mut Gil<'_>,
            vm: &Vm,
            args: &[AnyObj],
            kwargs: &[(AnyObj, AnyObj)],
        ) -> PyResult<AnyObj> {
            check_none(gil, vm, $qual, args, kwargs)?;
            Ok(vm.float(gil, $clock.as_secs_f64()))
        }

        fn $f_ns(
            gil: &mut Gil<'_>,
            vm: &Vm,
            args: &[AnyObj],
            kwargs: &[(AnyObj, AnyObj)],
        ) -> PyResult<AnyObj> {
            check_none(gil, vm, $qual, args, kwargs)?;
            Ok(vm.int(gil, $clock.as_nanos() as i64))
        }
    };
}

clock_fns!(time, time_ns, since_epoch(), "time.time");
clock_fns!(
    perf_counter,
    perf_counter_ns,
    monotonic(),
    "time.perf_counter"
);
clock_fns!(
    process_time,
    process_time_ns,
    cpu_time(),
    "time.process_time"
);

fn sleep(
    gil: &mut Gil<'_>,
    vm: &Vm,
    args: &[AnyObj],
    kwargs: &[(AnyObj, AnyObj)],
) -> PyResult<AnyObj> {
    check_one(gil, vm, "time.sleep", args, kwargs)?;
    let s = match float_arg(gil, vm, &args[0]) {
        Ok(s) => s,
        Err(_) => {
            let n = super::sys::tname(gil, vm, &args[0]);
            return Err(vm.type_error(
                gil,
                &format!("'{n}' object cannot be interpreted as an integer"),
            ));
        }
    };
    if s.is_nan() {
        return Err(vm.value_error(gil, "Invalid value NaN (not a number)"));
    }
    if s < 0.0 {
        return Err(vm.value_error(gil, "sleep length must be non-negative"));
    }
    let d = Duration::from_secs_f64(s);
    gil.allow_threads(move || std::thread::sleep(d));
    Ok(vm.none.clone())
}
