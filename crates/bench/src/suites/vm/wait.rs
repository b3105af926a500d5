//! Runs one interpreter process and reads what it used from `wait4`: user and system CPU time
//! and peak RSS (`ru_maxrss`) of exactly that child, plus wall time and its output.
//!
//! This is the suite's only `unsafe` code (the `wait4` call); the crate's other OS calls live
//! in `contenders::os`.

use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};

/// How a measured process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this code.
    Code(i32),
    /// A signal killed it.
    Signal(i32),
}

impl Exit {
    /// Exit code 0.
    pub fn success(self) -> bool {
        self == Exit::Code(0)
    }
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::Code(code) => write!(f, "exit status {code}"),
            Exit::Signal(sig) => write!(f, "killed by signal {sig}"),
        }
    }
}

/// What one process printed and used.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// How it ended.
    pub exit: Exit,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
    /// User CPU time, ns (`ru_utime`).
    pub user_ns: u64,
    /// System CPU time, ns (`ru_stime`).
    pub sys_ns: u64,
    /// Wall time from spawn to reaping, ns.
    pub wall_ns: u64,
    /// Peak resident set size, bytes (`ru_maxrss`).
    pub peak_rss_bytes: u64,
}

/// Spawns `cmd` (stdin from /dev/null, stdout and stderr captured), waits for it with `wait4`
/// and returns what it printed and used. A child that fails is a [`Measured`] with its
/// [`Exit`]; errors are for spawning and waiting.
pub fn run_measured(cmd: &mut Command) -> Result<Measured> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Fork + exec rather than posix_spawn's vfork: a vfork child shares this process's address
    // space until exec, and Linux then counts this process's peak RSS (the pre-faulted memory
    // included) as the child's ru_maxrss. A forked child starts from a copy of this process's
    // resident anonymous memory only (a few MiB, less than any interpreter's own).
    // SAFETY: the hook does nothing, so it is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| Ok(()));
    }
    let start = Instant::now();
    let mut child = cmd.spawn().with_context(|| format!("spawning {cmd:?}"))?;
    let pid = libc::pid_t::try_from(child.id()).context("child pid out of range")?;
    let mut out_pipe = child.stdout.take().context("no stdout pipe")?;
    let mut err_pipe = child.stderr.take().context("no stderr pipe")?;
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    let mut out = Vec::new();
    let _ = out_pipe.read_to_end(&mut out);
    let waited = wait4(pid);
    let wall_ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    let err = err_reader
        .join()
        .map_err(|_| anyhow!("the stderr reader panicked"))?;
    // Reaped above: `child` must not be waited on again (dropping it does not wait).
    drop(child);
    let (status, usage) = waited.with_context(|| format!("wait4 on {cmd:?}"))?;
    let exit = if libc::WIFSIGNALED(status) {
        Exit::Signal(libc::WTERMSIG(status))
    } else {
        Exit::Code(libc::WEXITSTATUS(status))
    };
    Ok(Measured {
        exit,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
        user_ns: timeval_ns(usage.ru_utime),
        sys_ns: timeval_ns(usage.ru_stime),
        wall_ns,
        // Linux reports ru_maxrss in KiB.
        peak_rss_bytes: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
    })
}

fn timeval_ns(tv: libc::timeval) -> u64 {
    u64::try_from(tv.tv_sec).unwrap_or(0) * 1_000_000_000
        + u64::try_from(tv.tv_usec).unwrap_or(0) * 1_000
}

/// Waits for the child `pid` to terminate; returns its wait status and resource usage.
fn wait4(pid: libc::pid_t) -> io::Result<(libc::c_int, libc::rusage)> {
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut status: libc::c_int = 0;
    loop {
        // SAFETY: `status` and `usage` are valid and writable for the call; `pid` is a child of
        // this process that nothing else reaps (std's `Child` only reaps when waited on).
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == pid {
            return Ok((status, usage));
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_a_child_and_its_exit() {
        let m = run_measured(Command::new("sh").args([
            "-c",
            "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo out; echo err >&2",
        ]))
        .unwrap();
        assert_eq!(m.exit, Exit::Code(0));
        assert!(m.exit.success());
        assert_eq!(m.stdout, "out\n");
        assert_eq!(m.stderr, "err\n");
        assert!(m.user_ns + m.sys_ns > 0);
        assert!(m.wall_ns > 0);
        assert!(m.peak_rss_bytes > 0);

        let m = run_measured(Command::new("sh").args(["-c", "exit 3"])).unwrap();
        assert_eq!(m.exit, Exit::Code(3));
        let m = run_measured(Command::new("sh").args(["-c", "kill -9 $$"])).unwrap();
        assert_eq!(m.exit, Exit::Signal(9));
        assert!(run_measured(&mut Command::new("/nonexistent/interpreter")).is_err());
    }
}
