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

securescan_adapter_sdk::export_adapter!(Hostile);
