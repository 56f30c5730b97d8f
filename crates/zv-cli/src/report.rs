//! The one line a failure shows on stderr.

use std::error::Error;

use crate::output::render::replace_unsafe;

/// The error's `Display` followed by each [`source()`](Error::source) level, joined with
/// `": "`; a level whose text the line already contains is skipped, so the line reads the
/// same whether an error repeats its cause in its own `Display` or leaves it to `source()`.
/// Line breaks become spaces: the result is one line.
///
/// It is not [`zv_api::Report`]: that one joins every level as it is, while this line skips a
/// level the line already holds, which the unit test `each_level_once_whether_or_not_display_repeats_the_cause` checks.
pub fn error_line(error: &(dyn Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(level) = source {
        let text = level.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = level.source();
    }
    replace_unsafe(&line)
}

/// The gateway's `traceId` of the response an error came from, made safe to show: trimmed,
/// control characters escaped, at most 128 characters.
pub fn trace_id(error: &zv_api::Error) -> Option<String> {
    error.trace_id().map(|id| zv_types::text::Sanitized::new(id.trim()).max_chars(128).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("connection refused")]
    struct Os;

    #[derive(Debug, thiserror::Error)]
    enum Transport {
        #[error("could not connect")]
        Leaves(#[source] Os),
        #[error("could not connect: {0}")]
        Repeats(#[source] Os),
    }

    #[derive(Debug, thiserror::Error)]
    enum Api {
        #[error("transport error calling /v3/x")]
        Leaves(#[source] Transport),
        #[error("transport error calling /v3/x: {0}")]
        Repeats(#[source] Transport),
    }

    #[test]
    fn each_level_once_whether_or_not_display_repeats_the_cause() {
        let expected = "transport error calling /v3/x: could not connect: connection refused";
        assert_eq!(error_line(&Api::Leaves(Transport::Leaves(Os))), expected);
        assert_eq!(error_line(&Api::Repeats(Transport::Repeats(Os))), expected);
        assert_eq!(error_line(&Api::Leaves(Transport::Repeats(Os))), expected);
        assert_eq!(error_line(&Api::Repeats(Transport::Leaves(Os))), expected);
    }

    #[test]
    fn an_error_without_source_is_its_display_on_one_line() {
        #[derive(Debug, thiserror::Error)]
        #[error("API business error 20001: 查询的\n信息不存在")]
        struct Business;
        assert_eq!(error_line(&Business), "API business error 20001: 查询的 信息不存在");
    }
}
