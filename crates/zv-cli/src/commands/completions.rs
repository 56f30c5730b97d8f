//! `zv completions SHELL`: a shell completion script.

use std::io::Write;

use crate::failure::Failure;

/// Examples shown at the end of `zv completions --help`.
pub const EXAMPLES: &str = r#"Examples:
  zv completions bash > ~/.local/share/bash-completion/completions/zv
  zv completions zsh > ~/.zfunc/_zv
  zv completions fish > ~/.config/fish/completions/zv.fish"#;

/// `zv completions`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Writes the script completing `command` (the whole `zv` command line) for the shell.
pub(crate) fn run(args: Args, mut command: clap::Command, out: &mut impl Write) -> Result<(), Failure> {
    // clap_complete panics when its writer fails (`zv completions bash | head`): it writes
    // into memory, and the one write to stdout reports its own error.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "zv", &mut script);
    out.write_all(&script).map_err(Failure::output)
}
