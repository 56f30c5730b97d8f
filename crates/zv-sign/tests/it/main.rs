//! zv-sign's integration tests, one binary (cargo's `tests/it/` layout): the published
//! vectors (`tests/data/`) and the properties.

mod props;
mod vectors;
