//! One glibc malloc arena for the whole process.
//!
//! glibc gives every thread that allocates concurrently an arena of its own, and memory freed in
//! one arena only serves later allocations in that arena. A scan moves its findings between
//! threads (an adapter's output is lifted on a blocking thread, the pipeline runs on a runtime
//! worker), so with one arena per thread the memory the first phase freed sat unused while the
//! next one grew a fresh arena: W1 peaked about 6 MB higher for it, and was no faster. A user's
//! own `MALLOC_ARENA_MAX` is left to win.

/// Call before any thread starts.
pub fn use_one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only changes a malloc tuning value; called before other threads exist.
        #[allow(unsafe_code, reason = "mallopt is a C function")]
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}
