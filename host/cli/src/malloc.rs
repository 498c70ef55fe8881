//! As many glibc malloc arenas as cores, not eight per core.
//!
//! glibc gives every thread that allocates concurrently an arena of its own (up to eight per
//! core), and memory freed in one arena only serves later allocations in that arena. A scan moves
//! its findings between threads (an adapter's output is lifted on a blocking thread, the pipeline
//! runs on a runtime worker), so with an arena per thread the memory one phase freed sat unused
//! while the next grew a fresh arena: W1 peaked about 6 MB higher. One arena for the whole
//! process was worse the other way: the per-finding steps and the JSON output, which run on every
//! core, spent a quarter of their time waiting on its lock (W1 took 0.65 s with one arena, 0.48 s
//! with two on two cores, and peaked 1–2 MB higher). One arena per core is what the parallel
//! phases need. A user's own `MALLOC_ARENA_MAX` is left to win.

/// Call before any thread starts.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: mallopt only changes a malloc tuning value; called before other threads exist.
        #[allow(unsafe_code, reason = "mallopt is a C function")]
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

/// Give the memory a finished scan freed back to the system before its report is written: glibc
/// keeps freed blocks for reuse, so what the scan's steps used and dropped would otherwise stay
/// resident under the report's own (W1: 62 MB at the end with it kept, 55 MB released).
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap memory to the system.
    #[allow(unsafe_code, reason = "malloc_trim is a C function")]
    unsafe {
        libc::malloc_trim(0);
    }
}
