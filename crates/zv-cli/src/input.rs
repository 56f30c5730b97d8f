//! Files the CLI reads (`--params @file`, `--basket @file`, `zv mock --fixtures FILE`), read
//! with a bound: only a regular file, and no larger than a limit, refused before anything is
//! read — so `@/dev/zero` or a FIFO fails at once instead of filling memory or hanging.

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
    use zv_mock::FileError as F;
    let (what, shown) = (what.to_owned(), path.display().to_string());
    zv_mock::read_bounded(path, limit).map_err(|e| match e {
        F::NotRegular => InputError::NotRegular { what, path: shown },
        F::TooLarge(limit) => InputError::TooLarge { what, path: shown, limit },
        F::NotUtf8 => InputError::NotUtf8 { what, path: shown },
        F::Io(source) => InputError::Io { what, path: shown, source },
        // `FileError` may grow; whatever it says, it says of this file.
        other => InputError::Io { what, path: shown, source: std::io::Error::other(other.to_string()) },
    })
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
