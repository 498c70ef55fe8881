//! An adapter that misbehaves on request, to prove the host contains it. The first word of the
//! report picks the attack; anything else parses as a clean, empty report.

use securescan_adapter_sdk::prelude::*;

pub struct Hostile;

impl Adapter for Hostile {
    fn parse(input: &Input) -> Result<Output, ParseError> {
        let report = input.report_text()?;
        match report.split_whitespace().next().unwrap_or("") {
            "spin" => spin(),
            "allocate" => allocate(),
            "flood" => Ok(flood()),
            "panic" => panic!("hostile adapter panicked on purpose"),
            "forge" => Ok(forge()),
            "forge-then-spin" => forge_then_spin(),
            "fail-after-pages" => fail_after_pages(),
            // It measures the SDK's allocator and linear memory, which only exist in the sandbox.
            #[cfg(target_arch = "wasm32")]
            "churn" => churn(),
            _ => Ok(Output::default()),
        }
    }
}

fn spin() -> ! {
    let mut counter: u64 = 0;
    loop {
        counter = std::hint::black_box(counter.wrapping_add(1));
    }
}

fn allocate() -> ! {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(vec![7u8; 1 << 20]);
        std::hint::black_box(&hoard);
    }
}

/// Far more findings than any limit allows, each with a long description.
fn flood() -> Output {
    let description = "x".repeat(64 * 1024);
    (0..2_000)
        .map(|i| Finding::new(&format!("flood {i}"), &description, Severity::Info))
        .collect()
}

/// A finding whose line range runs backwards: the host must refuse it, not store it.
fn forge() -> Output {
    std::iter::once(
        Finding::new("forged", "forged", Severity::Critical)
            .file("a.py")
            .lines(10, 2),
    )
    .collect()
}

/// Valid findings handed over while parsing, the last of the first page forged, then a loop: the
/// host must end the call at the refused page instead of letting it run into the deadline.
fn forge_then_spin() -> ! {
    let mut output = Output::default();
    for i in 0..255 {
        output.push(Finding::new(&format!("ok {i}"), "fine", Severity::Low));
    }
    output.push(
        Finding::new("forged", "forged", Severity::Critical)
            .file("a.py")
            .lines(10, 2),
    );
    spin()
}

/// Pages of findings handed over, then an error: none of them may survive the failed parse.
fn fail_after_pages() -> Result<Output, ParseError> {
    let mut output = Output::default();
    for i in 0..600 {
        output.push(Finding::new(
            &format!("partial {i}"),
            "half-read",
            Severity::High,
        ));
    }
    Err(ParseError::Malformed("gave up after 600 records".into()))
}

/// Not an attack but a stress of the SDK's allocator, which every adapter runs on: blocks of many
/// sizes and alignments allocated, grown, shrunk and freed in a fixed pseudo-random order, each
/// filled with its own pattern and checked before it is touched again, so two blocks sharing
/// memory are caught. Corruption is a parse error; success is one finding saying how many bytes
/// went through how much memory, so a test can see freed blocks being reused.
#[cfg(target_arch = "wasm32")]
#[allow(
    unsafe_code,
    reason = "driving the global allocator directly is the point"
)]
fn churn() -> Result<Output, ParseError> {
    use std::alloc::{Layout, alloc, dealloc, realloc};

    struct Block {
        ptr: *mut u8,
        layout: Layout,
        seed: u8,
    }
    // Every byte on small blocks; the ends and every 4 KiB on large ones.
    fn offsets(size: usize) -> impl Iterator<Item = usize> {
        let step = if size > 8192 { 4096 } else { 1 };
        (0..size).step_by(step).chain(size.saturating_sub(64)..size)
    }
    fn fill(block: &Block) {
        for i in offsets(block.layout.size()) {
            // SAFETY: `i` is inside the block, which this function's caller owns.
            unsafe { *block.ptr.add(i) = block.seed.wrapping_add(i as u8) };
        }
    }
    fn intact(block: &Block, size: usize) -> bool {
        // SAFETY: as in `fill`; `size` is at most the block's size.
        offsets(size).all(|i| unsafe { *block.ptr.add(i) } == block.seed.wrapping_add(i as u8))
    }
    let corrupted = |step: usize| {
        Err(ParseError::Malformed(format!(
            "allocator corruption at step {step}"
        )))
    };

    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut random = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut slots: Vec<Option<Block>> = (0..512).map(|_| None).collect();
    let mut volume: u64 = 0;
    for step in 0..60_000 {
        let r = random();
        let slot = (r % 512) as usize;
        let size = match (r >> 9) % 1000 {
            0 => (1 << 20) + (r >> 20) as usize % (1 << 20),
            1..=90 => 1 + (r >> 20) as usize % (64 << 10),
            _ => 1 + (r >> 20) as usize % 512,
        };
        // Rust's own types need at most 16; over-aligned requests are rare and never recycled.
        let align = match (r >> 44) % 100 {
            0 => 64,
            a => 1usize << (a % 5),
        };
        match slots[slot].take() {
            None => {
                let layout = Layout::from_size_align(size, align).expect("valid layout");
                // SAFETY: the layout has a non-zero size.
                let ptr = unsafe { alloc(layout) };
                if ptr.is_null() || !(ptr as usize).is_multiple_of(align) {
                    return corrupted(step);
                }
                let block = Block {
                    ptr,
                    layout,
                    seed: (r >> 56) as u8,
                };
                fill(&block);
                volume += size as u64;
                slots[slot] = Some(block);
            }
            Some(block) => {
                if !intact(&block, block.layout.size()) {
                    return corrupted(step);
                }
                if (r >> 52) % 2 == 0 {
                    // SAFETY: allocated with this layout and not freed since.
                    unsafe { dealloc(block.ptr, block.layout) };
                    continue;
                }
                // SAFETY: as above; the new size is non-zero.
                let ptr = unsafe { realloc(block.ptr, block.layout, size) };
                if ptr.is_null() || !(ptr as usize).is_multiple_of(block.layout.align()) {
                    return corrupted(step);
                }
                let kept = size.min(block.layout.size());
                let moved = Block {
                    ptr,
                    layout: Layout::from_size_align(size, block.layout.align())
                        .expect("valid layout"),
                    seed: block.seed,
                };
                // The pattern checked on a large block only samples, so only compare what
                // `offsets` wrote within the kept prefix.
                if !offsets(block.layout.size())
                    .filter(|&i| i < kept)
                    // SAFETY: `i` is inside the kept prefix of the moved block.
                    .all(|i| unsafe { *ptr.add(i) } == block.seed.wrapping_add(i as u8))
                {
                    return corrupted(step);
                }
                fill(&moved);
                volume += size as u64;
                slots[slot] = Some(moved);
            }
        }
    }
    for block in slots.into_iter().flatten() {
        if !intact(&block, block.layout.size()) {
            return corrupted(60_000);
        }
        // SAFETY: allocated with this layout and not freed since.
        unsafe { dealloc(block.ptr, block.layout) };
    }
    let memory = core::arch::wasm32::memory_size(0) * 65536;
    Ok(std::iter::once(Finding::new(
        &format!("churned {volume} bytes in {memory} bytes of memory"),
        "allocator stress",
        Severity::Info,
    ))
    .collect())
}

securescan_adapter_sdk::export_adapter!(Hostile);
