//! Files the CLI reads (`--params @file`, `--basket @file`, `zv mock --fixtures FILE`), read
//! with a bound: only a regular file, and no larger than a limit, refused before anything is
//! read — so `@/dev/zero` or a FIFO fails at once instead of filling memory or hanging.

use std::io::Read;
use std::path::Path;

/// The default limit on a file argument: 16 MiB.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file argument was not read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("cannot read {what} file {path}: {source}")]
    Io {
        /// The argument, e.g. `--params`.
        what: String,
        /// The file.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A device, FIFO, socket or directory: only a regular file is read.
    #[error("{what} file {path} is not a regular file (a device, FIFO, socket or directory); give a file")]
    NotRegular {
        /// The argument.
        what: String,
        /// The file.
        path: String,
    },
    /// Larger than the limit.
    #[error("{what} file {path} is larger than {limit} bytes")]
    TooLarge {
        /// The argument.
        what: String,
        /// The file.
        path: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// Not UTF-8 text.
    #[error("{what} file {path} is not UTF-8 text")]
    NotUtf8 {
        /// The argument.
        what: String,
        /// The file.
        path: String,
    },
}

/// The text of a regular file of at most `limit` bytes; `what` names the argument in errors.
///
/// The file's type and size are checked before it is opened (opening a FIFO would wait for a
/// writer), again on the open file, and the read itself stops one byte past the limit, in
/// case the file grows in between.
pub fn read_file(what: &str, path: &Path, limit: u64) -> Result<String, InputError> {
    let shown = path.display().to_string();
    let io = |source| InputError::Io { what: what.to_owned(), path: shown.clone(), source };
    let check = |meta: std::fs::Metadata| {
        if !meta.is_file() {
            Err(InputError::NotRegular { what: what.to_owned(), path: shown.clone() })
        } else if meta.len() > limit {
            Err(InputError::TooLarge { what: what.to_owned(), path: shown.clone(), limit })
        } else {
            Ok(())
        }
    };
    check(std::fs::metadata(path).map_err(io)?)?;
    let file = std::fs::File::open(path).map_err(io)?;
    check(file.metadata().map_err(io)?)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge { what: what.to_owned(), path: shown, limit });
    }
    String::from_utf8(bytes).map_err(|_| InputError::NotUtf8 { what: what.to_owned(), path: shown })
}

/// An argument given inline or as `@file`: the inline text, or the file's text read with
/// [`read_file`].
pub fn text_arg(what: &str, arg: &str, limit: u64) -> Result<String, InputError> {
    match arg.strip_prefix('@') {
        Some(path) => read_file(what, Path::new(path), limit),
        None => Ok(arg.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_regular_file_is_read_and_anything_else_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.json");
        std::fs::write(&file, "{\"a\":1}").unwrap();
        assert_eq!(read_file("--params", &file, 7).unwrap(), "{\"a\":1}");
        assert!(matches!(read_file("--params", &file, 6), Err(InputError::TooLarge { limit: 6, .. })));
        assert!(matches!(read_file("--params", dir.path(), 100), Err(InputError::NotRegular { .. })));
        assert!(matches!(
            read_file("--params", &dir.path().join("missing"), 100),
            Err(InputError::Io { .. })
        ));
        std::fs::write(&file, [0xff, 0xfe]).unwrap();
        assert!(matches!(read_file("--params", &file, 100), Err(InputError::NotUtf8 { .. })));
        assert_eq!(text_arg("--params", "{}", 0).unwrap(), "{}");
    }
}
