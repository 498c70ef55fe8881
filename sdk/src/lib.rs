//! Write a SecureScan scanner adapter as plain Rust.
//!
//! An adapter turns what a tool printed (or what the host gathered) into findings. It is a pure
//! function: no files, no network, no clock. Implement [`Adapter`], then call
//! [`export_adapter!`] once; the crate builds as a WebAssembly component for `wasm32-wasip2`
//! (what the host loads) and as an ordinary library (what your unit tests call).
//!
//! ```
//! use securescan_adapter_sdk::prelude::*;
//!
//! #[derive(serde::Deserialize)]
//! struct Report { issues: Vec<Issue> }
//! #[derive(serde::Deserialize)]
//! struct Issue { id: String, level: String, file: String, line: u32 }
//!
//! const LEVELS: SeverityMap = SeverityMap::new(&[("error", Severity::High)], Severity::Low);
//!
//! pub struct MyTool;
//!
//! impl Adapter for MyTool {
//!     fn parse(input: &Input) -> Result<Output, ParseError> {
//!         let report: Report = input.report_json()?;
//!         Ok(report.issues.into_iter().map(|issue| {
//!             Finding::new(&issue.id, "found by my-tool", LEVELS.get(&issue.level))
//!                 .rule(&issue.id)
//!                 .file(&issue.file)
//!                 .lines(issue.line, issue.line)
//!         }).collect())
//!     }
//! }
//!
//! securescan_adapter_sdk::export_adapter!(MyTool);
//!
//! let input = Input::from_report(br#"{"issues":[{"id":"X1","level":"ERROR","file":"a.py","line":3}]}"#);
//! let output = MyTool::parse(&input).unwrap();
//! assert_eq!(output.findings[0].severity, Severity::High);
//! ```

pub mod abi;
mod cwe;
mod error;
mod input;
pub mod log;
mod metadata;
pub mod npm;
mod output;
mod paths;
pub mod percent;
mod severity;
pub mod spdx;
#[cfg(feature = "testing")]
pub mod testing;
pub mod text;
#[doc(hidden)]
mod wit_mapping;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod __private;
#[cfg(target_arch = "wasm32")]
mod allocator;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: allocator::Allocator = allocator::Allocator::new();

pub use cwe::normalize_cwe;
pub use error::ParseError;
pub use input::{
    CommandOutput, FileKind, FileMetadata, GatheredFile, Header, HttpExchange, Input, ToolReport,
    parse_json, parse_json_seed,
};
pub use metadata::Metadata;
pub use output::{Finding, Output};
pub use paths::{under_target, within_target};
pub use severity::{Severity, SeverityMap};

/// Everything an adapter usually needs, in one import.
pub mod prelude {
    pub use crate::{
        Adapter, CommandOutput, FileKind, FileMetadata, Finding, GatheredFile, HttpExchange, Input,
        Metadata, Output, ParseError, Severity, SeverityMap, ToolReport, normalize_cwe,
        under_target, within_target,
    };
}

/// A scanner adapter: raw input in, normalized findings out.
pub trait Adapter {
    /// Parse one input. Return a [`ParseError`] when the input cannot be understood; never panic
    /// on bad input (a panic is reported to the user as a crashed adapter).
    fn parse(input: &Input) -> Result<Output, ParseError>;
}

/// Export an [`Adapter`] as the component's `securescan:adapter/parser` implementation and stamp
/// the SDK's ABI version into the component. Expands to nothing outside `wasm32`, so the same
/// crate stays an ordinary library for native tests.
#[macro_export]
macro_rules! export_adapter {
    ($adapter:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct ExportedAdapter;

            impl $crate::__private::ParserGuest for ExportedAdapter {
                fn parse(
                    input: $crate::__private::WitInput,
                ) -> ::core::result::Result<$crate::__private::WitOutput, $crate::__private::WitParseError>
                {
                    $crate::__private::parse_with::<$adapter>(input)
                }
            }

            $crate::__private::export_bindings!(ExportedAdapter with_types_in $crate::__private::bindings);

            // Read by the host before it compiles the component (see wit/README.md).
            #[unsafe(link_section = "securescan:adapter-abi")]
            #[used]
            static ABI_STAMP: [u8; $crate::abi::ABI_VERSION.len()] = $crate::abi::stamp();
        };
    };
}
