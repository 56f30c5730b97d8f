//! What the terminal wants: the width of stdout and whether a stream gets colour.

use std::io::IsTerminal;

use crate::output::render::Layout;

/// Whether `stream` gets ANSI colour: when it is a terminal, unless `NO_COLOR` is set;
/// `CLICOLOR_FORCE` turns it on for anything else (the no-color.org and bixense.com/clicolors
/// conventions, as anstream reads them; `NO_COLOR` wins over `CLICOLOR_FORCE`).
pub fn wants_color<S: anstream::stream::RawStream>(stream: &S) -> bool {
    anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never
}

/// The table layout for stdout: see [`Layout::for_stream`]; bold headers when stdout gets
/// colour.
pub fn stdout_layout() -> Layout {
    let stdout = std::io::stdout();
    let width = terminal_size::terminal_size_of(&stdout).map(|(w, _)| w.0);
    let columns = std::env::var("COLUMNS").ok();
    Layout::for_stream(stdout.is_terminal(), width, columns.as_deref()).colored(wants_color(&stdout))
}

/// Whether stdout is a terminal (a person reads it) rather than a pipe or a file.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}
