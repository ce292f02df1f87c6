//! Will the build fit? Its peak memory estimated from the store's manifest, against the memory
//! the machine (or its cgroup) has available, checked before any work is done.
//!
//! The estimate is a fixed part (the dense tables over every area × period × category, the
//! release being written) plus a part per conversation and per spell (their columns and
//! indexes), from the single-machine curve in docs/performance.md (`scripts/bench scale`):
//! measured, 811 MiB at 3.4 million conversations and 975 MiB at 13.6 million (about 17 bytes
//! more per conversation with its share of spells); estimated with a margin, 1 GiB plus 48 bytes
//! per conversation and per spell (1.8 GiB at 13.6 million conversations and 4.6 million spells).

/// Fixed part of the peak, bytes.
const BASE: u64 = 1 << 30;
/// Bytes per conversation.
const PER_CONVERSATION: u64 = 48;
/// Bytes per spell.
const PER_SPELL: u64 = 48;

/// The build's estimated peak memory in bytes for a store of these sizes.
pub fn estimated_peak(conversations: u64, spells: u64) -> u64 {
    BASE.saturating_add(conversations.saturating_mul(PER_CONVERSATION))
        .saturating_add(spells.saturating_mul(PER_SPELL))
}

/// Bytes of memory available to this process: `MemAvailable` of /proc/meminfo, or the cgroup's
/// limit less its use when that is lower. `None` where neither can be read.
pub fn available() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok();
    let mem = meminfo.as_deref().and_then(|m| {
        m.lines()
            .find_map(|l| l.strip_prefix("MemAvailable:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
    });
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
    };
    let cgroup = match (
        read("/sys/fs/cgroup/memory.max"),
        read("/sys/fs/cgroup/memory.current"),
    ) {
        (Some(max), Some(cur)) => Some(max.saturating_sub(cur)),
        _ => None,
    };
    match (mem, cgroup) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Gibibytes, one decimal, for messages.
pub fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}
