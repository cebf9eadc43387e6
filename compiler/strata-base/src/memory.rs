//! Memory accounting for the whole process: the `strata` binary's global allocator counts the
//! bytes it hands out ([`CountingAlloc`]), and the stages that multiply a model into many more
//! objects (lowering, emission) check [`over_budget`] as they go, so that a program too big for
//! the machine ends with an error (E2007) instead of the allocator aborting the process.
//!
//! Without the counting allocator (library tests), nothing is counted and nothing is over budget.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static COUNTING: AtomicBool = AtomicBool::new(false);
/// 0 = the default budget.
static BUDGET: AtomicUsize = AtomicUsize::new(0);

/// The memory budget when the process has no address-space limit: 8 GiB.
/// Under a limit (`ulimit -v`, RLIMIT_AS) the budget is a quarter of it, since the address space also
/// holds the thread stacks, the allocator's reservations and its free pages (a 2 GiB limit gives 512 MiB of live
/// data). `STRATA_MEMORY_LIMIT` (bytes, or with a K/M/G suffix) sets it explicitly.
pub const DEFAULT_BUDGET: usize = 8 << 30;

/// The address-space limit of the process, if any.
fn address_space_limit() -> Option<usize> {
    // /proc/self/limits: `Max address space   LIMIT   LIMIT   bytes` (Linux); elsewhere none.
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max address space"))?;
    let soft = line
        .trim_start_matches("Max address space")
        .split_whitespace()
        .next()?;
    soft.parse::<usize>().ok()
}

/// A global allocator that counts the live bytes of another.
pub struct CountingAlloc<A>(pub A);

unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.0.dealloc(ptr, layout) };
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                ALLOCATED.fetch_add(new_size - layout.size(), Ordering::Relaxed);
            } else {
                ALLOCATED.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// Called once by a binary that installed [`CountingAlloc`]: turns the checks on and reads
/// `STRATA_MEMORY_LIMIT`.
pub fn enable_accounting() {
    COUNTING.store(true, Ordering::Relaxed);
    let budget = std::env::var("STRATA_MEMORY_LIMIT")
        .ok()
        .and_then(|v| parse_size(&v))
        .or_else(|| address_space_limit().map(|l| l / 4));
    if let Some(b) = budget {
        BUDGET.store(b.max(1), Ordering::Relaxed);
    }
}

fn parse_size(v: &str) -> Option<usize> {
    let v = v.trim();
    let (num, mul) = match v.chars().last()? {
        'k' | 'K' => (&v[..v.len() - 1], 1usize << 10),
        'm' | 'M' => (&v[..v.len() - 1], 1 << 20),
        'g' | 'G' => (&v[..v.len() - 1], 1 << 30),
        _ => (v, 1),
    };
    num.trim().parse::<usize>().ok()?.checked_mul(mul)
}

/// Live bytes, when counted.
pub fn allocated() -> usize {
    ALLOCATED.load(Ordering::Relaxed)
}

/// The budget in bytes.
pub fn budget() -> usize {
    match BUDGET.load(Ordering::Relaxed) {
        0 => DEFAULT_BUDGET,
        b => b,
    }
}

/// Whether the process holds more than its budget (always false when nothing is counted).
pub fn over_budget() -> bool {
    COUNTING.load(Ordering::Relaxed) && allocated() > budget()
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_parse_with_suffixes() {
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("512M"), Some(512 << 20));
        assert_eq!(parse_size("2g"), Some(2 << 30));
        assert_eq!(parse_size("x"), None);
    }
}
