//! The memory budget: work whose size is known before it is done (the pairs of a join) is
//! estimated first and refused, with the estimate, when it would not fit. The default budget
//! is the smallest of 75% of physical memory, the cgroup's `memory.max` and the address-space
//! limit (`ulimit -v`), less 512 MiB for everything else; `--max-memory` replaces it.

use std::sync::OnceLock;

/// The budget and which limit set it (named in the refusal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryBudget {
    pub bytes: u64,
    pub limit: &'static str,
}

static OVERRIDE: OnceLock<u64> = OnceLock::new();

/// Sets the budget for the rest of the run (`--max-memory`).
pub fn set_max_memory(bytes: u64) {
    let _ = OVERRIDE.set(bytes);
}

const RESERVE: u64 = 512 << 20;

/// The budget of this run.
pub fn memory_budget() -> MemoryBudget {
    if let Some(&bytes) = OVERRIDE.get() {
        return MemoryBudget {
            bytes,
            limit: "--max-memory",
        };
    }
    let mut limits: Vec<(u64, &'static str)> = Vec::new();
    if let Some(total) = physical_memory() {
        limits.push((total / 4 * 3, "75% of physical memory"));
    }
    if let Some(max) = read_number("/sys/fs/cgroup/memory.max") {
        limits.push((max, "the cgroup's memory.max"));
    }
    if let Some(limit) = address_space_limit() {
        limits.push((limit, "the address-space limit (ulimit -v)"));
    }
    let (bytes, limit) = limits
        .into_iter()
        .min_by_key(|&(b, _)| b)
        .unwrap_or((u64::MAX, "no known limit"));
    MemoryBudget {
        bytes: bytes.saturating_sub(RESERVE),
        limit,
    }
}

/// Refuses work that would need `needed` bytes when that passes the budget: the message says
/// what (`what`, e.g. "join 'a'"), the estimate, the budget and which limit set it.
///
/// The error is the budget's own (`?` turns it into [`crate::Error::OverBudget`]), so that
/// this module sits below the error type and imports nothing above it.
pub fn check(needed: u64, what: impl FnOnce() -> String) -> Result<(), OverBudget> {
    let budget = memory_budget();
    if needed > budget.bytes {
        return Err(OverBudget {
            what: what(),
            needed,
            budget,
        });
    }
    Ok(())
}

/// Work refused before it ran because its estimate passes the memory budget.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what} would need about {}, above the memory budget of {} ({}); --max-memory sets the budget",
    shown(*.needed),
    shown(.budget.bytes),
    .budget.limit
)]
pub struct OverBudget {
    /// What was refused ("join 'a' of 1,000 rows").
    pub what: String,
    /// The estimate, in bytes.
    pub needed: u64,
    /// The budget it passed.
    pub budget: MemoryBudget,
}

fn read_number(path: &str) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn address_space_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max address space"))?;
    // "Max address space   <soft>   <hard>   bytes"
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Parses a size: bytes, or a number with K, M, G or T (powers of 1024), e.g. `8G`, `512M`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((at, _)) => (&text[..at], &text[at..]),
        None => (text, ""),
    };
    let scale: u64 = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(format!("unknown unit in '{text}'; use K, M, G or T")),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a size"))?;
    if !value.is_finite() || value <= 0.0 {
        return Err(format!("'{text}' is not a positive size"));
    }
    Ok((value * scale as f64) as u64)
}

/// A size for a message, in GiB or MiB.
pub fn shown(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("8G"), Ok(8 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("-1G").is_err() && parse_size("x").is_err());
    }

    #[test]
    fn the_default_budget_is_below_physical_memory() {
        let budget = memory_budget();
        if let Some(total) = physical_memory() {
            assert!(budget.bytes < total);
        }
    }
}
