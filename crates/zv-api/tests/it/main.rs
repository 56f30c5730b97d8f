//! zv-api's integration tests, one binary (cargo's `tests/it/` layout): each module is one
//! area, run through both clients over a scripted transport or 127.0.0.1 port 0.

mod backends;
mod chains;
mod common;
mod config;
mod golden;
mod hints;
mod hostile;
mod limit;
mod outcome;
mod pages;
mod parse;
mod retry;
mod secrets;
