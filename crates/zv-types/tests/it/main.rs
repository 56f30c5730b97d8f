//! zv-types' integration tests, one binary (cargo's `tests/it/` layout): each module is one
//! area, through the public API.

mod code_macro;
mod money;
mod paging;
mod properties;
mod vendor_examples;
