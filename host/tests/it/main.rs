//! The host's one integration-test binary.

mod cli;
mod conformance;
mod hostile;
mod processes;
mod real_tools;
mod support;
