//! Reading the mock's files (fixtures, stubs, recordings): bounded, regular files only, and
//! JSON read with the path of its first problem.

use std::path::Path;

/// The largest fixtures, stubs or recording file the mock reads from a path: 16 MiB.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why [`read_bounded`] could not give a file's text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// A device, FIFO, socket or directory.
    #[error("not a regular file (a device, FIFO, socket or directory)")]
    NotRegular,
    /// Larger than the limit (in bytes).
    #[error("larger than {0} bytes")]
    TooLarge(u64),
    /// The operating system could not open or read it.
    #[error("cannot read: {0}")]
    Io(std::io::Error),
    /// Not UTF-8 text.
    #[error("not UTF-8 text")]
    NotUtf8,
}

/// The text of the regular file `path`, of at most `limit` bytes. A device, FIFO or
/// directory is refused before it is opened (opening a FIFO waits for a writer, reading
/// `/dev/zero` never ends), and the read stops one byte past the limit in case the file grows
/// meanwhile. The mock reads its fixtures, stubs and recordings with it, and the `zv` CLI
/// its file arguments.
pub fn read_bounded(path: &Path, limit: u64) -> Result<String, FileError> {
    use std::io::Read;
    let check = |meta: std::fs::Metadata| match (meta.is_file(), meta.len()) {
        (false, _) => Err(FileError::NotRegular),
        (true, len) if len > limit => Err(FileError::TooLarge(limit)),
        _ => Ok(()),
    };
    check(std::fs::metadata(path).map_err(FileError::Io)?)?;
    let file = std::fs::File::open(path).map_err(FileError::Io)?;
    check(file.metadata().map_err(FileError::Io)?)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(FileError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge(limit));
    }
    String::from_utf8(bytes).map_err(|_| FileError::NotUtf8)
}

/// [`read_bounded`] at [`MAX_FILE_BYTES`], the error as the mock's messages say it.
pub(crate) fn read_file(path: &Path) -> Result<String, String> {
    read_bounded(path, MAX_FILE_BYTES).map_err(|e| e.to_string())
}

/// Reads `text` as a `T` (and nothing after it); the error names the JSON path of a data
/// problem, and the line and column.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // A syntax error has no meaningful path; a data error names where it is.
        let is_data = inner.classify() == serde_json::error::Category::Data;
        if is_data && path != "." { format!("at `{path}`: {inner}") } else { inner.to_string() }
    })?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}
