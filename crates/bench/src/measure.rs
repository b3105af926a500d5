//! Clocks and memory readings: thread CPU time (the primary metric), wall time, page faults, RSS
//! and peak RSS.

use std::ops::AddAssign;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::contenders::os;

/// Bytes per MiB.
pub const MIB: f64 = 1024.0 * 1024.0;

/// CPU time and minor page faults of the calling thread, and wall time, started together.
#[derive(Debug)]
pub struct Timer {
    cpu_ns: u64,
    faults: u64,
    wall: Instant,
}

/// Time measured by a [`Timer`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Elapsed {
    /// Thread CPU time (`CLOCK_THREAD_CPUTIME_ID`) in ns: time descheduled does not count,
    /// kernel time spent on the thread's behalf (page faults) does.
    pub cpu_ns: u64,
    /// Wall-clock time in ns.
    pub wall_ns: u64,
    /// Minor page faults taken by the thread.
    pub minor_faults: u64,
}

impl Timer {
    /// Starts both clocks.
    #[inline]
    pub fn start() -> Timer {
        let faults = os::thread_minor_faults();
        let wall = Instant::now();
        Timer {
            cpu_ns: os::thread_cpu_ns(),
            faults,
            wall,
        }
    }

    /// Reads both clocks.
    #[inline]
    pub fn stop(self) -> Elapsed {
        let cpu_ns = os::thread_cpu_ns().saturating_sub(self.cpu_ns);
        let wall_ns = u64::try_from(self.wall.elapsed().as_nanos()).unwrap_or(u64::MAX);
        Elapsed {
            cpu_ns,
            wall_ns,
            minor_faults: os::thread_minor_faults().saturating_sub(self.faults),
        }
    }
}

impl AddAssign for Elapsed {
    fn add_assign(&mut self, rhs: Elapsed) {
        self.cpu_ns += rhs.cpu_ns;
        self.wall_ns += rhs.wall_ns;
        self.minor_faults += rhs.minor_faults;
    }
}

/// Current resident set size in bytes (`/proc/self/statm`, resident pages × page size).
pub fn rss_bytes() -> Result<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").context("reading /proc/self/statm")?;
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .context("malformed /proc/self/statm")?
        .parse()
        .context("malformed /proc/self/statm")?;
    Ok(pages * os::page_size())
}

/// Peak resident set size in bytes (`VmHWM` in `/proc/self/status`).
pub fn peak_rss_bytes() -> Result<u64> {
    let status =
        std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .context("no VmHWM in /proc/self/status")?;
    let kib: u64 = line
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .context("malformed VmHWM")?;
    Ok(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_readings_are_plausible() {
        let rss = rss_bytes().unwrap();
        let peak = peak_rss_bytes().unwrap();
        assert!(rss > 0);
        assert!(peak > 0);
    }

    #[test]
    fn thread_cpu_time_advances() {
        let t = Timer::start();
        let mut x = 0u64;
        for i in 0..1_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        std::hint::black_box(x);
        let e = t.stop();
        assert!(e.cpu_ns > 0 && e.wall_ns > 0);
    }
}
