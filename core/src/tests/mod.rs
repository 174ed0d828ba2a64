//! The crate's own tests of internal state: per-message charges, conversations, the fact
//! store and the sealed days — what the public API reports only in sums. They live in the
//! crate (compiled under `cfg(test)` only) so that the internal types keep their fields
//! crate-private; the integration tests in `core/tests/` use the public API (and a few
//! functions of the hidden `internals` module).
//!
//! The files keep the integration tests' form (`convolens::` paths through the crate's
//! own alias, `support` and `cases` shared with `core/tests/`), so a test can move between
//! the two without edits.

// The shared support modules are written for integration tests, where their items must be
// `pub`; here nothing leaves the test module.
#![allow(unreachable_pub)]
// `ReportOptions` is `#[non_exhaustive]`: outside the crate it cannot be built with a
// struct literal, so these tests set fields on a default, as a user's code must.
#![allow(clippy::field_reassign_with_default)]

#[path = "../../tests/cases/mod.rs"]
pub(crate) mod cases;
#[path = "../../tests/support/mod.rs"]
mod support;

mod billing_support;

mod attribution;
mod billing;
mod billing_props;
mod billing_rules;
mod engagement;
mod error_paths;
mod expiry;
mod hostile_input;
mod mixed_props;
mod pricing_2026;
mod properties;
mod shared_data;
mod sources;
