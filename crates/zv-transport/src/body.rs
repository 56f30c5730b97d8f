//! The response-size cap shared by every backend: [`BodyLimit`] and
//! [`read_to_end_capped`].

use std::io::Read;

use crate::TransportError;

/// Most memory reserved up front from an announced `Content-Length`.
const MAX_PREALLOCATION: u64 = 1024 * 1024;

/// Size of the chunks [`read_to_end_capped`] reads.
const READ_CHUNK: usize = 16 * 1024;

/// Collects a response body while enforcing a size cap.
///
/// [`new`](Self::new) refuses an announced `Content-Length` above the cap
/// before anything is read; [`push`](Self::push) refuses the chunk that takes
/// the total past the cap. The buffer never grows beyond the cap, and at most
/// `min(Content-Length, cap, 1 MiB)` is reserved up front, so a hostile
/// server cannot make the client allocate more than the cap.
///
/// ```
/// use zv_transport::{BodyLimit, TransportErrorKind};
///
/// let mut body = BodyLimit::new(8, Some(6))?;
/// body.push(b"hello ")?;
/// let err = body.push(b"world").unwrap_err();
/// assert_eq!(err.kind(), TransportErrorKind::BodyTooLarge);
///
/// let err = BodyLimit::new(8, Some(9)).unwrap_err();
/// assert_eq!(err.to_string(), "response body exceeds the 8-byte limit (at least 9 bytes)");
/// # Ok::<(), zv_transport::TransportError>(())
/// ```
#[derive(Debug)]
pub struct BodyLimit {
    cap: u64,
    buf: Vec<u8>,
}

impl BodyLimit {
    /// Starts collecting a body of at most `cap` bytes.
    ///
    /// Fails with [`TransportErrorKind::BodyTooLarge`](crate::TransportErrorKind::BodyTooLarge)
    /// if the announced `content_length` is already above the cap.
    pub fn new(cap: u64, content_length: Option<u64>) -> Result<Self, TransportError> {
        if let Some(announced) = content_length
            && announced > cap
        {
            return Err(TransportError::body_too_large(cap, Some(announced)));
        }
        let reserve = content_length.unwrap_or(0).min(cap).min(MAX_PREALLOCATION);
        Ok(Self {
            cap,
            // `reserve` is at most 1 MiB, so the conversion cannot fail.
            buf: Vec::with_capacity(usize::try_from(reserve).unwrap_or(0)),
        })
    }

    /// Appends a chunk, or fails with
    /// [`TransportErrorKind::BodyTooLarge`](crate::TransportErrorKind::BodyTooLarge)
    /// (leaving the collected bytes unchanged) if the total would pass the cap.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), TransportError> {
        let total = self.len().saturating_add(chunk.len() as u64);
        if total > self.cap {
            return Err(TransportError::body_too_large(self.cap, Some(total)));
        }
        let needed = self.buf.len() + chunk.len();
        if needed > self.buf.capacity() {
            // Grow geometrically, but never reserve past the cap.
            let cap = usize::try_from(self.cap).unwrap_or(usize::MAX);
            let target = needed.max(self.buf.capacity().saturating_mul(2)).min(cap);
            self.buf.reserve_exact(target - self.buf.len());
        }
        self.buf.extend_from_slice(chunk);
        Ok(())
    }

    /// Bytes collected so far.
    pub fn len(&self) -> u64 {
        self.buf.len() as u64
    }

    /// Whether nothing has been collected yet.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The cap, in bytes.
    pub fn cap(&self) -> u64 {
        self.cap
    }

    /// The collected body.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads `reader` to its end in bounded chunks through a [`BodyLimit`]: the
/// blocking backends' body reader.
///
/// Refuses an announced `content_length` above `cap` before reading anything,
/// and stops reading as soon as the body passes `cap`. A read error becomes
/// [`TransportErrorKind::Timeout`](crate::TransportErrorKind::Timeout) for
/// `TimedOut`/`WouldBlock`, [`TransportErrorKind::Io`](crate::TransportErrorKind::Io)
/// otherwise; a reader may also wrap a [`TransportError`] in an `io::Error`
/// (`io::Error::other(e)`) to report a precise cause, which is returned as is.
///
/// ```
/// let body = zv_transport::read_to_end_capped(&b"{\"ok\":true}"[..], Some(11), 1024)?;
/// assert_eq!(body, b"{\"ok\":true}");
/// # Ok::<(), zv_transport::TransportError>(())
/// ```
pub fn read_to_end_capped<R: Read>(
    mut reader: R,
    content_length: Option<u64>,
    cap: u64,
) -> Result<Vec<u8>, TransportError> {
    let mut body = BodyLimit::new(cap, content_length)?;
    let mut chunk = [0u8; READ_CHUNK];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => return Ok(body.into_bytes()),
            Ok(n) => body.push(&chunk[..n])?,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(TransportError::from_exchange_io(e)),
        }
    }
}

/// The body length a response announces, if it is meaningful: `None` when
/// the response has no body by definition (to `HEAD`, 1xx, 204, 304) or is
/// framed by `Transfer-Encoding` (which overrides `Content-Length`).
#[cfg(any(feature = "ureq", feature = "reqwest"))]
pub(crate) fn announced_length(
    method: &http::Method,
    status: http::StatusCode,
    headers: &http::HeaderMap,
) -> Option<u64> {
    if method == http::Method::HEAD
        || status.is_informational()
        || status == http::StatusCode::NO_CONTENT
        || status == http::StatusCode::NOT_MODIFIED
        || headers.contains_key(http::header::TRANSFER_ENCODING)
    {
        return None;
    }
    headers.get(http::header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TransportErrorKind;
    use proptest::prelude::*;

    #[test]
    fn content_length_over_cap_is_refused_up_front() {
        let e = BodyLimit::new(10, Some(11)).unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::BodyTooLarge);
        assert_eq!(e.body_limit(), Some(10));
        assert!(BodyLimit::new(10, Some(10)).is_ok());
        assert!(BodyLimit::new(10, None).is_ok());
    }

    #[test]
    fn preallocation_is_bounded() {
        let b = BodyLimit::new(u64::MAX, Some(300 * 1024 * 1024)).unwrap();
        assert!(b.buf.capacity() <= MAX_PREALLOCATION as usize);
        let b = BodyLimit::new(100, Some(100)).unwrap();
        assert!(b.buf.capacity() >= 100 && b.buf.capacity() < 1024);
    }

    #[test]
    fn push_refuses_the_chunk_that_passes_the_cap() {
        let mut b = BodyLimit::new(5, None).unwrap();
        b.push(b"abc").unwrap();
        b.push(b"").unwrap();
        let e = b.push(b"def").unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::BodyTooLarge);
        assert_eq!(e.to_string(), "response body exceeds the 5-byte limit (at least 6 bytes)");
        assert_eq!(b.len(), 3);
        b.push(b"de").unwrap();
        assert_eq!(b.into_bytes(), b"abcde");
    }

    #[test]
    fn zero_cap_accepts_only_empty() {
        let mut b = BodyLimit::new(0, Some(0)).unwrap();
        assert!(b.is_empty());
        b.push(b"").unwrap();
        assert!(b.push(b"x").is_err());
        assert_eq!(b.cap(), 0);
    }

    #[test]
    fn growth_never_reserves_past_the_cap() {
        let cap = 100_000u64;
        let mut b = BodyLimit::new(cap, None).unwrap();
        while b.len() + 1000 <= cap {
            b.push(&[7u8; 1000]).unwrap();
            assert!(b.buf.capacity() as u64 <= cap);
        }
    }

    /// A reader that yields `remaining` bytes in small pieces, like a socket.
    struct Trickle {
        remaining: u64,
        read: u64,
    }

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = (out.len() as u64).min(self.remaining).min(3000) as usize;
            out[..n].fill(b'x');
            self.remaining -= n as u64;
            self.read += n as u64;
            Ok(n)
        }
    }

    #[test]
    fn reader_stops_early_on_a_huge_body() {
        let mut r = Trickle { remaining: 300 * 1024 * 1024, read: 0 };
        let e = read_to_end_capped(&mut r, None, 64 * 1024).unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::BodyTooLarge);
        assert!(r.read < 64 * 1024 + 2 * READ_CHUNK as u64, "read {} bytes", r.read);
    }

    #[test]
    fn reader_refuses_content_length_without_reading() {
        let mut r = Trickle { remaining: 100, read: 0 };
        let e = read_to_end_capped(&mut r, Some(1 << 40), 50).unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::BodyTooLarge);
        assert_eq!(r.read, 0);
    }

    #[test]
    fn reader_exactly_at_cap_succeeds() {
        let r = Trickle { remaining: 40_000, read: 0 };
        assert_eq!(read_to_end_capped(r, Some(40_000), 40_000).unwrap().len(), 40_000);
    }

    #[test]
    fn reader_errors_are_classified() {
        struct Failing(std::io::ErrorKind, bool);
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                if std::mem::take(&mut self.1) {
                    return Err(std::io::ErrorKind::Interrupted.into());
                }
                Err(self.0.into())
            }
        }
        let e = read_to_end_capped(Failing(std::io::ErrorKind::TimedOut, true), None, 9).unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::Timeout);
        assert!(e.may_have_reached_server());
        let e = read_to_end_capped(Failing(std::io::ErrorKind::UnexpectedEof, false), None, 9).unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::Io);
    }

    #[cfg(any(feature = "ureq", feature = "reqwest"))]
    #[test]
    fn announced_length_rules() {
        use http::{HeaderMap, HeaderValue, Method, StatusCode};
        let mut h = HeaderMap::new();
        h.insert(http::header::CONTENT_LENGTH, HeaderValue::from_static(" 42 "));
        assert_eq!(announced_length(&Method::POST, StatusCode::OK, &h), Some(42));
        assert_eq!(announced_length(&Method::HEAD, StatusCode::OK, &h), None);
        assert_eq!(announced_length(&Method::POST, StatusCode::NO_CONTENT, &h), None);
        assert_eq!(announced_length(&Method::GET, StatusCode::NOT_MODIFIED, &h), None);
        h.insert(http::header::TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        assert_eq!(announced_length(&Method::POST, StatusCode::OK, &h), None);
        let mut h = HeaderMap::new();
        h.insert(http::header::CONTENT_LENGTH, HeaderValue::from_static("nope"));
        assert_eq!(announced_length(&Method::POST, StatusCode::OK, &h), None);
    }

    proptest! {
        #[test]
        fn accepted_iff_total_within_cap(
            cap in 0u64..4096,
            sizes in proptest::collection::vec(0usize..600, 0..24),
        ) {
            let total: u64 = sizes.iter().map(|&n| n as u64).sum();
            let mut body = BodyLimit::new(cap, None).unwrap();
            let mut result = Ok(());
            for &n in &sizes {
                result = body.push(&vec![1u8; n]);
                if result.is_err() {
                    break;
                }
            }
            prop_assert_eq!(result.is_ok(), total <= cap);
            if let Err(e) = result {
                prop_assert_eq!(e.kind(), TransportErrorKind::BodyTooLarge);
                prop_assert!(body.len() <= cap);
            } else {
                prop_assert_eq!(body.len(), total);
                prop_assert_eq!(body.into_bytes().len() as u64, total);
            }
        }

        #[test]
        fn reader_agrees_with_the_cap(cap in 0u64..200_000, len in 0u64..200_000) {
            let r = Trickle { remaining: len, read: 0 };
            let result = read_to_end_capped(r, None, cap);
            prop_assert_eq!(result.is_ok(), len <= cap);
        }
    }
}
