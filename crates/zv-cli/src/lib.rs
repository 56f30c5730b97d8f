//! The pieces of the `zv` command line that do not depend on its arguments: the table
//! renderer every command shows its results with, exact JSON, the params and endpoint of
//! `zv api`, the endpoint catalogue search, the terminal's width and colour, the `-v` log
//! format, bounded file arguments, and the one-line error report.
//!
//! The binary (`src/main.rs`) parses the arguments, calls the SDK and prints with these.

#![warn(missing_docs)]

pub mod api;
pub mod batch;
pub mod data;
pub mod doctor;
pub mod endpoints;
pub mod exit;
pub mod format;
pub mod hints;
pub mod input;
pub mod journal;
pub mod params;
pub mod profile;
pub mod render;
pub mod report;
pub mod settings;
pub mod term;
pub mod verbose;
