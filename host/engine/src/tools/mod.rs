//! External tools: found on PATH, version-probed, run from the registry's argv templates with no
//! shell, killed as a whole process group on timeout or cancellation.

mod child_env;
mod discovery;
mod probe;
mod probe_cache;
mod process;

pub use child_env::{ChildEnv, is_own_variable};
pub use discovery::find_tool;
pub use probe::{ToolStatus, probe_found, probe_tool};
pub use probe_cache::ProbeCache;
pub use process::{Overflow, ToolFailure, ToolRun, run_capped, run_tool};
