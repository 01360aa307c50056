//! Memory that a burst of work leaves behind goes back to the system.
//!
//! Each password check (argon2id, `argon2::Params::default()`) allocates a 19 MiB block. glibc
//! serves the first such block with `mmap` and returns it on free — and then raises its `mmap`
//! threshold above it, so every later block comes from a thread's heap arena and stays there
//! once freed. Unauthenticated sign-ins, spread over the blocking threads, so grew a fresh
//! server by hundreds of megabytes that it never gave back (round 4: 60 wrong sign-ins from
//! one address, 941 MB). A fixed threshold keeps the blocks on `mmap`: freed, they are gone.

/// Allocations at least this large are mapped on their own and unmapped when freed.
pub const MMAP_THRESHOLD: usize = 1 << 20;

/// Fixes the allocator's `mmap` threshold for this process (once; a no-op off glibc).
pub fn return_large_frees() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallopt only sets a tunable of glibc's allocator; any value is valid input,
        // and it is called before the server allocates on other threads.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int);
        }
    });
}

/// This process's resident memory in bytes (`VmRSS`), where the system says.
pub fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
