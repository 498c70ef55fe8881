//! The host's one integration-test binary.

mod ai;
mod cli;
mod config;
mod conformance;
mod corpus;
mod engine;
mod formats;
mod honest_output;
mod hostile;
mod hostile_repo;
mod identity;
mod live;
mod merge;
mod processes;
mod real_identity;
mod real_tools;
mod sbom;
mod scaffold;
mod serve_live;
mod size_caps;
mod support;
mod suppression;
mod tool_runs;
mod untrusted_tree;
mod workflows;
