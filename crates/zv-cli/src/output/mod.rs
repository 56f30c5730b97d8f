//! What the CLI shows: exact JSON ([`data`]), the output formats ([`format`](mod@format)), the table
//! renderer ([`render`]), the typed commands' tables ([`typed`]), the terminal's width and
//! colour ([`terminal`]) and the `-v` log ([`verbose`]).

pub mod data;
pub mod format;
pub mod render;
pub mod terminal;
pub mod typed;
pub mod verbose;

#[cfg(test)]
mod render_tests;
