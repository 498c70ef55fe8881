//! The allocator adapters run with. Every call gets a fresh instance that the host discards
//! afterwards, so memory never needs to be reused across calls: allocation is a pointer bump,
//! freeing the most recent block gives it back, and growing the most recent block happens in
//! place (the pattern of a `Vec` or `String` being filled). The host's memory cap bounds the total.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

const PAGE: usize = 65536;

pub struct BumpAllocator {
    next: Cell<usize>,
    end: Cell<usize>,
}

// SAFETY: adapters are single-threaded WebAssembly instances; nothing shares the allocator.
#[allow(unsafe_code, reason = "a GlobalAlloc is unsafe by definition")]
unsafe impl Sync for BumpAllocator {}

impl BumpAllocator {
    pub const fn new() -> Self {
        BumpAllocator {
            next: Cell::new(0),
            end: Cell::new(0),
        }
    }

    /// Make `[next, next + size)` available, growing linear memory if needed.
    fn reserve(&self, start: usize, size: usize) -> bool {
        if self.end.get() == 0 {
            // Everything past the memory the module starts with is unused: the heap begins there.
            let current = core::arch::wasm32::memory_size(0) * PAGE;
            self.next.set(current);
            self.end.set(current);
        }
        let Some(needed) = start.checked_add(size) else {
            return false;
        };
        if needed <= self.end.get() {
            return true;
        }
        let pages = (needed - self.end.get()).div_ceil(PAGE).max(16);
        if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
            return false;
        }
        self.end.set(self.end.get() + pages * PAGE);
        true
    }
}

impl Default for BumpAllocator {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every block returned lies inside linear memory this allocator grew and never hands out
// twice: `next` only moves forward, except to take back the block that ends exactly at it.
#[allow(unsafe_code, reason = "a GlobalAlloc is unsafe by definition")]
unsafe impl GlobalAlloc for BumpAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if self.end.get() == 0 && !self.reserve(0, 0) {
            return core::ptr::null_mut();
        }
        let start = self.next.get().next_multiple_of(layout.align());
        if !self.reserve(start, layout.size()) {
            return core::ptr::null_mut();
        }
        self.next.set(start + layout.size());
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize + layout.size() == self.next.get() {
            self.next.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let start = ptr as usize;
        if start + layout.size() == self.next.get() {
            if self.reserve(start, new_size) {
                self.next.set(start + new_size);
                return ptr;
            }
            return core::ptr::null_mut();
        }
        // SAFETY: the caller guarantees `layout` describes `ptr`; the copy stays within both blocks.
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
            }
            new
        }
    }
}
