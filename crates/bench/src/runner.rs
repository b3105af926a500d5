//! Runs one measurement in a fresh child process (the binary re-executed with `__child`), and
//! the [`Sample`] it reports back as one JSON line.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value, json};

/// One measurement of one (contender, workload) in one child process.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sample {
    /// Thread CPU time of the timed sections, ns (for multi-threaded workloads: per thread, mean).
    pub cpu_ns: f64,
    /// Wall time of the timed sections, ns.
    pub wall_ns: f64,
    /// Operations timed (an op is one alloc + its free, or one tree node), per thread.
    pub ops: u64,
    /// Peak RSS of the child (`VmHWM`), bytes.
    pub peak_rss_bytes: u64,
    /// Workload-specific numbers (e.g. `rss_full_bytes`).
    pub extra: BTreeMap<String, f64>,
}

impl Sample {
    /// CPU ns per op.
    pub fn ns_per_op(&self) -> f64 {
        self.cpu_ns / self.ops.max(1) as f64
    }

    /// Wall ns per op.
    pub fn wall_ns_per_op(&self) -> f64 {
        self.wall_ns / self.ops.max(1) as f64
    }

    /// The one-line JSON form the child prints.
    pub fn to_json(&self) -> String {
        json!({
            "cpu_ns": self.cpu_ns,
            "wall_ns": self.wall_ns,
            "ops": self.ops,
            "peak_rss_bytes": self.peak_rss_bytes,
            "extra": self.extra,
        })
        .to_string()
    }

    /// Parses [`Sample::to_json`]'s output.
    pub fn from_json(line: &str) -> Result<Sample> {
        let v: Value = serde_json::from_str(line).context("child printed invalid JSON")?;
        let num = |k: &str| {
            v.get(k)
                .and_then(Value::as_f64)
                .with_context(|| format!("sample lacks `{k}`"))
        };
        let extra = match v.get("extra") {
            Some(Value::Object(map)) => map
                .iter()
                .filter_map(|(k, v)| v.as_f64().map(|f| (k.clone(), f)))
                .collect(),
            _ => BTreeMap::new(),
        };
        Ok(Sample {
            cpu_ns: num("cpu_ns")?,
            wall_ns: num("wall_ns")?,
            ops: num("ops")? as u64,
            peak_rss_bytes: num("peak_rss_bytes")? as u64,
            extra,
        })
    }
}

/// What a child process is asked to measure.
#[derive(Clone, Copy, Debug)]
pub struct ChildSpec<'a> {
    /// Suite name.
    pub suite: &'a str,
    /// Contender name.
    pub contender: &'a str,
    /// Workload name.
    pub workload: &'a str,
    /// `--quick` sizes.
    pub quick: bool,
    /// libpython3.11, for pymalloc.
    pub libpython: Option<&'a Path>,
    /// Bytes to pre-fault (and give back) in the parent just before spawning the child.
    pub prewarm_bytes: usize,
}

/// How a child process ended: with a sample, or without one.
#[derive(Clone, Debug, PartialEq)]
pub enum ChildOutcome {
    /// The child exited successfully and printed this sample.
    Sample(Sample),
    /// The child failed: killed by `signal` (if it was), or exited with `code`.
    Failed {
        /// The exit code, when the child exited.
        code: Option<i32>,
        /// The signal that killed the child, if one did.
        signal: Option<i32>,
        /// What the child printed on stderr.
        stderr: String,
    },
}

/// Runs `spec` in a fresh child process (with `PYTHONMALLOC` unset) and returns its sample.
/// First pre-faults `spec.prewarm_bytes` in this process (see
/// [`prewarm_memory`](crate::contenders::os::prewarm_memory)).
pub fn run_child(spec: &ChildSpec<'_>) -> Result<Sample> {
    match run_child_outcome(spec)? {
        ChildOutcome::Sample(sample) => Ok(sample),
        ChildOutcome::Failed {
            code,
            signal,
            stderr,
        } => {
            let status = match (code, signal) {
                (_, Some(sig)) => format!("killed by signal {sig}"),
                (Some(code), None) => format!("exit status {code}"),
                (None, None) => "no exit status".to_owned(),
            };
            bail!("child failed ({status}): {}", stderr.trim())
        }
    }
}

/// Like [`run_child`], but a child that fails (a crash included) is an outcome, not an error;
/// errors are left for spawning failures and a successful child that printed no sample.
pub fn run_child_outcome(spec: &ChildSpec<'_>) -> Result<ChildOutcome> {
    use std::os::unix::process::ExitStatusExt;

    let exe = std::env::current_exe().context("locating the pymem-bench executable")?;
    let mut cmd = Command::new(exe);
    cmd.args(["__child", "--suite", spec.suite])
        .args(["--contender", spec.contender, "--workload", spec.workload])
        .env_remove("PYTHONMALLOC")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if spec.quick {
        cmd.arg("--quick");
    }
    if let Some(lib) = spec.libpython {
        cmd.arg("--libpython").arg(lib);
    }
    crate::contenders::os::prewarm_memory(spec.prewarm_bytes);
    let out = cmd.output().context("spawning the child process")?;
    if !out.status.success() {
        return Ok(ChildOutcome::Failed {
            code: out.status.code(),
            signal: out.status.signal(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .context("child printed no sample")?;
    Sample::from_json(line).map(ChildOutcome::Sample)
}

/// Median of `values` (mean of the middle two for an even count); `None` when empty.
pub fn median(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    })
}

/// Builds a JSON object from `(key, value)` pairs, keeping their order.
pub fn json_object(pairs: Vec<(&str, Value)>) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        map.insert(k.to_owned(), v);
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_even_empty() {
        assert_eq!(median([3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median([4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(std::iter::empty()), None);
    }

    #[test]
    fn sample_round_trips() {
        let mut s = Sample {
            cpu_ns: 1.5e9,
            wall_ns: 2.0e9,
            ops: 1234,
            peak_rss_bytes: 4096,
            extra: BTreeMap::new(),
        };
        s.extra.insert("rss_full_bytes".into(), 1e8);
        assert_eq!(Sample::from_json(&s.to_json()).unwrap(), s);
    }
}
