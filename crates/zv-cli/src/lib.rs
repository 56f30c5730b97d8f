//! The pieces of the `zv` command line that do not depend on its arguments: the table
//! renderer every command shows its results with, the terminal's width and colour, the
//! `-v` log format, bounded file arguments, and the one-line error report.
//!
//! The binary (`src/main.rs`) parses the arguments, calls the SDK and prints with these.

#![warn(missing_docs)]

pub mod input;
pub mod render;
pub mod report;
pub mod term;
pub mod verbose;
