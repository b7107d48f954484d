//! What the chaos and soak tests measure about the process (the plugin runs inside it): heap
//! bytes in use (glibc `mallinfo2`, summed over every arena, so the cdylib's allocations count
//! too), resident memory (`/proc/self/statm`), socket descriptors (`/proc/self/fd`), and the
//! plugin's own PLG-93 status counters. Also a seeded RNG for fault mixes and a wait-until with
//! a generous hang guard (a bound against hanging, never a timing assertion).
#![allow(dead_code)]

use std::time::{Duration, Instant};

use host_harness::host::LoadedPlugin;

/// The PLG-93 status lines (bedrock_plugin::plugin::STATUS_*).
pub const STREAMS_IN_FLIGHT: &str = "streams in flight";
pub const STREAM_LIMIT: &str = "stream limit";
pub const STREAM_TASKS: &str = "plugin stream tasks";
pub const PENDING_TASKS: &str = "plugin pending tasks";
pub const RUNTIME_TASKS: &str = "plugin runtime tasks";

#[repr(C)]
#[derive(Default)]
struct Mallinfo2 {
    arena: usize,
    ordblks: usize,
    smblks: usize,
    hblks: usize,
    hblkhd: usize,
    usmblks: usize,
    fsmblks: usize,
    uordblks: usize,
    fordblks: usize,
    keepcost: usize,
}

extern "C" {
    fn mallinfo2() -> Mallinfo2;
    fn sysconf(name: i32) -> i64;
}

/// `_SC_PAGESIZE` on Linux.
const SC_PAGESIZE: i32 = 30;

/// Heap bytes in use by the whole process (allocated chunks plus mmapped blocks).
pub fn heap_in_use() -> usize {
    // SAFETY: mallinfo2 takes no arguments and returns a plain struct by value (glibc ≥ 2.33).
    let info = unsafe { mallinfo2() };
    info.uordblks + info.hblkhd
}

/// Resident set size in bytes (`/proc/self/statm`, second field, times the page size).
pub fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("statm resident field");
    // SAFETY: sysconf only reads a constant.
    let page = unsafe { sysconf(SC_PAGESIZE) };
    pages * usize::try_from(page).unwrap_or(4096)
}

/// Open file descriptors of this process that are sockets.
pub fn open_sockets() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .filter_map(Result::ok)
        .filter(|entry| {
            std::fs::read_link(entry.path())
                .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
        })
        .count()
}

/// A PLG-93 status value of `plugin` (the number at the start of the line's value).
pub fn status_number(plugin: &LoadedPlugin, key: &str) -> usize {
    let status = plugin.status();
    let line = status
        .details
        .iter()
        .find(|line| line.key.as_str() == key)
        .unwrap_or_else(|| panic!("status has no `{key}` line"));
    line.value
        .as_str()
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("`{key}` is not a number: {}", line.value))
}

/// Everything measured at one point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub heap: usize,
    pub rss: usize,
    pub sockets: usize,
    pub runtime_tasks: usize,
    pub stream_tasks: usize,
    pub pending_tasks: usize,
}

impl Snapshot {
    /// Measured with `probe` (an instance that makes no requests) reading the process-wide
    /// counters.
    pub fn take(probe: &LoadedPlugin) -> Snapshot {
        Snapshot {
            heap: heap_in_use(),
            rss: rss_bytes(),
            sockets: open_sockets(),
            runtime_tasks: status_number(probe, RUNTIME_TASKS),
            stream_tasks: status_number(probe, STREAM_TASKS),
            pending_tasks: status_number(probe, PENDING_TASKS),
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "heap {} KiB, rss {} KiB, sockets {}, runtime tasks {}, stream tasks {}, pending tasks {}",
            self.heap / 1024,
            self.rss / 1024,
            self.sockets,
            self.runtime_tasks,
            self.stream_tasks,
            self.pending_tasks
        )
    }
}

/// Polls `done` until it holds; panics after `guard` (a hang guard, not a timing assertion:
/// connections close and tasks end asynchronously after the last handle is dropped).
pub fn wait_until(what: &str, guard: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < guard, "hang guard: {what} never held");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SplitMix64: a seeded RNG, so a fault mix is the same on every run.
/// Waits (hang guard 60 s) until the plugin's runtime tasks and the process's sockets are
/// back at `baseline`, then asserts every figure is: tasks and sockets exactly, heap within
/// 2 MiB and RSS within 64 MiB (allocator and page caching keep some).
pub fn assert_back_at_baseline(label: &str, probe: &LoadedPlugin, baseline: &Snapshot) {
    wait_until(
        "connections and tasks back at baseline",
        Duration::from_secs(60),
        || {
            let now = Snapshot::take(probe);
            now.runtime_tasks == baseline.runtime_tasks && now.sockets == baseline.sockets
        },
    );
    let after = Snapshot::take(probe);
    eprintln!("{label}: after, dropped      {}", after.describe());
    assert_eq!(after.runtime_tasks, baseline.runtime_tasks, "runtime tasks");
    assert_eq!(after.stream_tasks, baseline.stream_tasks, "stream tasks");
    assert_eq!(after.pending_tasks, baseline.pending_tasks, "pending tasks");
    assert_eq!(after.sockets, baseline.sockets, "sockets");
    assert!(
        after.heap <= baseline.heap + 2 * 1024 * 1024,
        "heap grew from {} to {} KiB",
        baseline.heap / 1024,
        after.heap / 1024
    );
    assert!(
        after.rss <= baseline.rss + 64 * 1024 * 1024,
        "rss grew from {} to {} KiB",
        baseline.rss / 1024,
        after.rss / 1024
    );
}

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}
