//! The project config file, `.securescan.yml`: where it is found, what it may say, how it is
//! checked, and what it does to a scan.

mod discovery;
mod lint;
mod node;
mod policy;
mod schema;

pub use discovery::{CONFIG_NAMES, UntrustedConfig, check_trusted, discover};
pub use lint::{Issue, Level, Lint, lint, lint_text};
pub use policy::FindingPolicy;
pub use schema::{KEYS, ProjectConfig, parse_severity, severity_names};
