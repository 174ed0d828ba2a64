//! Memory per tracked user, measured with a counting global allocator (allocated bytes,
//! not RSS). Prints bytes per user and per message for growing generated inputs.
//!
//! `cargo run --release -p convolens-benches --bin memory_probe`

use convolens::{Config, Engine};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is
// updated around it. (Benchmarks may use unsafe; the core forbids it.)
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    println!(
        "{:>8} {:>10} {:>12} {:>14} {:>12}",
        "users", "messages", "state bytes", "bytes/user", "bytes/msg"
    );
    for users in [500u32, 2_000, 8_000] {
        let data = convolens_benches::traffic(users, 61);
        let before = LIVE.load(Ordering::Relaxed);
        let mut e = Engine::new(Config::default()).expect("config");
        e.ingest_reader(&data[..]).expect("read");
        let after = LIVE.load(Ordering::Relaxed);
        let s = e.store();
        let n_users = s.live_users().count();
        let n_msgs = s.msgs.len();
        let bytes = after.saturating_sub(before);
        println!(
            "{:>8} {:>10} {:>12} {:>14.1} {:>12.1}",
            n_users,
            n_msgs,
            bytes,
            bytes as f64 / n_users.max(1) as f64,
            bytes as f64 / n_msgs.max(1) as f64
        );
        drop(e);
    }
}
