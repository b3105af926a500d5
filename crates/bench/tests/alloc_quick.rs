//! Smoke test: `pymem-bench alloc --quick --json --runs 1 --only glibc,obmalloc` prints one valid
//! JSON object per line with the required keys, for all five workloads. No timing assertions.

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;

#[test]
fn alloc_quick_json_has_required_keys_and_all_workloads() {
    let out = Command::new(env!("CARGO_BIN_EXE_pymem-bench"))
        .args([
            "alloc",
            "--quick",
            "--json",
            "--runs",
            "1",
            "--only",
            "glibc,obmalloc",
        ])
        .output()
        .expect("run pymem-bench");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "pymem-bench failed: {}\n{stderr}",
        out.status
    );

    let mut workloads = BTreeSet::new();
    let mut contenders = BTreeSet::new();
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no output; stderr:\n{stderr}");
    for line in lines {
        let v: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        for key in [
            "suite",
            "contender",
            "workload",
            "ns_per_op",
            "cpu_ms",
            "peak_rss_mib",
        ] {
            assert!(v.get(key).is_some(), "missing `{key}` in {line}");
        }
        assert_eq!(v["suite"], "alloc");
        assert!(
            v["ns_per_op"].is_number() && v["peak_rss_mib"].is_number(),
            "{line}"
        );
        let workload = v["workload"]
            .as_str()
            .expect("workload is a string")
            .to_owned();
        if workload == "w4" {
            for key in ["rss_full_mib", "rss_after_mib"] {
                assert!(v[key].is_number(), "w4 lacks `{key}`: {line}");
            }
        }
        workloads.insert(workload);
        contenders.insert(
            v["contender"]
                .as_str()
                .expect("contender is a string")
                .to_owned(),
        );
    }
    let expected: BTreeSet<String> = ["w1", "w2", "w3", "w4", "w5"].map(String::from).into();
    assert_eq!(workloads, expected);
    let expected: BTreeSet<String> = ["glibc", "obmalloc"].map(String::from).into();
    assert_eq!(contenders, expected);
}

#[test]
fn unknown_contender_is_an_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_pymem-bench"))
        .args(["alloc", "--quick", "--runs", "1", "--only", "nosuch"])
        .output()
        .expect("run pymem-bench");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown contender"));
}
