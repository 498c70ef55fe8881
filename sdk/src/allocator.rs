//! The allocator adapters run with: a bump allocator that recycles freed blocks.
//!
//! Every call gets a fresh instance that the host discards afterwards, so nothing needs returning
//! to the system. New memory comes from a pointer bump; the most recent block grows in place (a
//! `Vec` or `String` being filled) and is given back when freed. Every block occupies a whole
//! power-of-two size class, so a freed block goes on its class's free list and serves the next
//! request of that class. An adapter that streams a large report (building a finding, submitting
//! a page of them, dropping them) thus keeps its memory flat instead of growing by everything it
//! ever allocated. Rounding large blocks up costs address space, not resident memory: the host
//! commits a page only when it is touched. The host's memory cap bounds the total.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

const PAGE: usize = 65536;
/// The smallest block: room for the free-list link, and the alignment every block gets.
const SMALLEST_CLASS: usize = 16;
/// Above this (more than a 32-bit memory could ever hold at once) blocks are bump-only.
const LARGEST_CLASS: usize = 1 << 31;
const CLASSES: usize = (LARGEST_CLASS / SMALLEST_CLASS).trailing_zeros() as usize + 1;

pub struct Allocator {
    next: Cell<usize>,
    end: Cell<usize>,
    /// Head of each size class's free list (0 when empty); a free block holds the next address.
    free: [Cell<usize>; CLASSES],
}

// SAFETY: adapters are single-threaded WebAssembly instances; nothing shares the allocator.
#[allow(unsafe_code, reason = "a GlobalAlloc is unsafe by definition")]
unsafe impl Sync for Allocator {}

/// The size class (and free list) of a block of `size` bytes.
fn class(size: usize) -> Option<usize> {
    (size <= LARGEST_CLASS)
        .then(|| (size.max(SMALLEST_CLASS).next_power_of_two() / SMALLEST_CLASS).trailing_zeros())
        .map(|c| c as usize)
}

/// How many bytes a block of `size` really occupies: its whole class, so a recycled block of the
/// class always fits (beyond the largest class, exactly its size).
fn footprint(size: usize) -> usize {
    class(size).map_or(size, |c| SMALLEST_CLASS << c)
}

impl Allocator {
    pub const fn new() -> Self {
        Allocator {
            next: Cell::new(0),
            end: Cell::new(0),
            free: [const { Cell::new(0) }; CLASSES],
        }
    }

    /// Make `[start, start + size)` available, growing linear memory if needed.
    fn reserve(&self, start: usize, size: usize) -> bool {
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

    fn bump(&self, layout: Layout) -> *mut u8 {
        if self.end.get() == 0 {
            // Everything past the memory the module starts with is unused: the heap begins there.
            let current = core::arch::wasm32::memory_size(0) * PAGE;
            self.next.set(current);
            self.end.set(current);
        }
        let start = self
            .next
            .get()
            .next_multiple_of(layout.align().max(SMALLEST_CLASS));
        let size = footprint(layout.size());
        if !self.reserve(start, size) {
            return core::ptr::null_mut();
        }
        self.next.set(start + size);
        start as *mut u8
    }

    fn is_last(&self, ptr: *mut u8, size: usize) -> bool {
        ptr as usize + footprint(size) == self.next.get()
    }
}

impl Default for Allocator {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every block handed out lies inside linear memory this allocator grew and spans at
// least `footprint(size)` bytes; a block is handed out again only after it was freed (popped from
// its class's list, or re-bumped after the most recent block was given back), and `next` never
// moves below a listed block, which would let the bump hand it out a second time.
#[allow(unsafe_code, reason = "a GlobalAlloc is unsafe by definition")]
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= SMALLEST_CLASS
            && let Some(c) = class(layout.size())
        {
            let head = self.free[c].get();
            if head != 0 {
                // SAFETY: `head` is a freed block of this class; its first word is the link.
                self.free[c].set(unsafe { *(head as *const usize) });
                return head as *mut u8;
            }
        }
        self.bump(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if self.is_last(ptr, layout.size()) {
            self.next.set(ptr as usize);
            return;
        }
        // Any block can be listed: each starts 16-aligned and spans its footprint. Only handing
        // one out again needs the requested alignment to be at most 16.
        if let Some(c) = class(layout.size()) {
            // SAFETY: the block is at least SMALLEST_CLASS bytes and 16-aligned: the link fits.
            unsafe { *(ptr as *mut usize) = self.free[c].get() };
            self.free[c].set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Within its class a block stays where it is. Shrinking into a smaller class moves it
        // instead: freed later under its new size, it would join the smaller class's list and
        // the rest of its footprint would never be used again.
        let old_footprint = footprint(layout.size());
        let new_footprint = footprint(new_size);
        if class(new_size) == class(layout.size()) && new_footprint <= old_footprint {
            return ptr;
        }
        if self.is_last(ptr, layout.size()) {
            let start = ptr as usize;
            if !self.reserve(start, new_footprint) {
                return core::ptr::null_mut();
            }
            self.next.set(start + new_footprint);
            return ptr;
        }
        // SAFETY: the caller guarantees `layout` describes `ptr`; the copy stays within both
        // blocks, and the old block is freed only after it.
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}
