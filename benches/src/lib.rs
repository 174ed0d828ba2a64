//! Helpers shared by the benchmarks: generated traffic of a given size.

use convolens_examples::{GenConfig, generate};

/// Generated JSONL traffic for about `users` users over `days` days (seed 42).
pub fn traffic(users: u32, days: u32) -> Vec<u8> {
    let cfg = GenConfig {
        users,
        days,
        ..GenConfig::default()
    };
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = generate(&cfg, &mut out);
    out
}

/// The lines of `bytes`.
pub fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

/// A global allocator that counts the bytes currently allocated: forwards every call to
/// the system allocator and keeps a running total. A benchmark binary installs it with
/// `#[global_allocator] static GLOBAL: Counting = Counting;` and reads [`live`].
pub struct Counting;

static LIVE: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);

/// Bytes allocated now through [`Counting`] (0 when it is not the global allocator).
pub fn live() -> isize {
    LIVE.load(std::sync::atomic::Ordering::Relaxed)
}

/// The bytes `f` leaves allocated, with what it returned (drop that after reading).
pub fn allocated_by<T>(f: impl FnOnce() -> T) -> (T, isize) {
    let before = live();
    let out = f();
    (out, live() - before)
}

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is
// updated around it. (Benchmarks may use unsafe; the core forbids it.) A layout's size
// never exceeds `isize::MAX` (`Layout` guarantees it), so the casts cannot wrap.
#[allow(unsafe_code, clippy::cast_possible_wrap)]
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        LIVE.fetch_sub(layout.size() as isize, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            std::sync::atomic::Ordering::Relaxed,
        );
        // SAFETY: forwarded unchanged.
        unsafe { std::alloc::System.realloc(ptr, layout, new_size) }
    }
}

/// CPU seconds this process has used (user + system, all threads), nanosecond resolution
/// on Linux; `None` elsewhere. On a shared machine this is the steadier measure of
/// single-threaded work than the wall clock.
pub fn cpu_seconds() -> Option<f64> {
    #[cfg(target_os = "linux")]
    {
        #[repr(C)]
        struct Timespec {
            tv_sec: i64,
            tv_nsec: i64,
        }
        // CLOCK_PROCESS_CPUTIME_ID in <time.h> on Linux.
        const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
        #[allow(unsafe_code)]
        unsafe extern "C" {
            fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
        }
        let mut ts = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
        #[allow(unsafe_code)]
        let rc = unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &raw mut ts) };
        (rc == 0).then_some(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9)
    }
    #[cfg(not(target_os = "linux"))]
    None
}
