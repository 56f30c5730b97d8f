//! Allocation-free formatting for the hot path of [`Signer::sign`](crate::Signer::sign):
//! decimal digits, and base64 + PHP `urlencode` of the 20-byte HMAC-SHA1 tag.
//!
//! Everything here is checked against the straightforward implementations (`u64::to_string`,
//! the `base64` crate, [`php_urlencode`](crate::php_urlencode)) in the tests below.

/// Length of an HMAC-SHA1 tag.
pub(crate) const TAG_LEN: usize = 20;

/// Length of the base64 (padded) form of a [`TAG_LEN`]-byte tag.
pub(crate) const SIGNATURE_LEN: usize = 28;

/// Size of the signature buffer: the [`SIGNATURE_LEN`] characters, then slack so that the token
/// encoder can copy fixed 28-byte windows starting at any character.
pub(crate) const SIGNATURE_BUF: usize = 2 * SIGNATURE_LEN;

/// Capacity of the token buffer. The longest token is 82 bytes (26 × `%2F` or `%2B`, one plain
/// character, `%3D`: the 27th character has two zero low bits, so it is never `+` or `/`); the
/// encoder copies fixed 28-byte windows that may reach up to byte 106, hence the slack.
pub(crate) const TOKEN_CAP: usize = 112;

/// Most decimal digits of a `u64` (`18446744073709551615`).
pub(crate) const DIGITS_MAX: usize = 20;

/// Number of decimal digits of `n` (1 for 0).
#[inline]
pub(crate) fn decimal_len(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// `"00" "01" … "99"`.
const DEC_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes the decimal digits of `n` so that they end just before `buf[end]`; returns the index
/// of the first digit (`end - decimal_len(n)`). Nothing outside the digits is written.
///
/// Four digits per 64-bit division (as the `itoa` crate does), then two-digit table lookups.
/// (A SWAR variant writing 8-digit words was measured slower here: the wide stores defeat
/// store-to-load forwarding when the hash reads the bytes right back.)
#[inline]
pub(crate) fn write_decimal_back(buf: &mut [u8], end: usize, mut n: u64) -> usize {
    let mut pos = end;
    while n >= 10_000 {
        let rem = (n % 10_000) as usize;
        n /= 10_000;
        let (hi, lo) = (rem / 100, rem % 100);
        pos -= 4;
        buf[pos..pos + 2].copy_from_slice(&DEC_PAIRS[2 * hi..2 * hi + 2]);
        buf[pos + 2..pos + 4].copy_from_slice(&DEC_PAIRS[2 * lo..2 * lo + 2]);
    }
    let mut n = n as usize; // < 10_000
    if n >= 100 {
        let lo = n % 100;
        n /= 100;
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DEC_PAIRS[2 * lo..2 * lo + 2]);
    }
    if n >= 10 {
        pos -= 2;
        buf[pos..pos + 2].copy_from_slice(&DEC_PAIRS[2 * n..2 * n + 2]);
    } else {
        pos -= 1;
        buf[pos] = b'0' + n as u8;
    }
    pos
}

/// The standard base64 alphabet.
const BASE64_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 of every 12-bit value: two characters, as a little-endian `u16` (8 KiB). Encoding 3
/// bytes then takes two lookups instead of four.
static BASE64_PAIRS: [u16; 4096] = {
    let mut table = [0u16; 4096];
    let mut i = 0;
    while i < 4096 {
        table[i] = u16::from_le_bytes([BASE64_ALPHABET[i >> 6], BASE64_ALPHABET[i & 63]]);
        i += 1;
    }
    table
};

/// A 4-bit mask of which of the 4 bytes of `word` (little-endian order) are `+` or `/`, the
/// only base64 characters besides `=` that PHP's `urlencode` changes.
///
/// `b | 4 == b'/'` holds exactly for `+` (0x2B) and `/` (0x2F), so those bytes become zero
/// after the xor; the exact SWAR zero-byte test flags them in bit 7 of their byte, and the
/// multiplication gathers bits 7, 15, 23, 31 into bits 24..=27 (each partial product is a
/// distinct single bit, so nothing carries).
#[inline]
const fn plus_or_slash_mask(word: u32) -> u32 {
    let x = (word | 0x0404_0404) ^ 0x2F2F_2F2F;
    let zero = !(((x & 0x7F7F_7F7F) + 0x7F7F_7F7F) | x) & 0x8080_8080;
    ((zero >> 7).wrapping_mul(0x0102_0408) >> 24) & 0xF
}

/// Writes the base64 (standard alphabet, padded) form of `tag` to `signature[..28]` and its PHP
/// `urlencode` form (the token) to the start of `token`; returns the token's length.
///
/// Branch-free except for one loop iteration per `+` or `/` (about 0.8 per signature on average,
/// none in about 44 % of signatures): runs of plain characters are moved with fixed-size 28-byte
/// copies (no `memcpy` calls, no per-character branches), which is what the slack in both
/// buffers is for.
#[inline]
pub(crate) fn encode_tag(
    tag: &[u8; TAG_LEN],
    signature: &mut [u8; SIGNATURE_BUF],
    token: &mut [u8; TOKEN_CAP],
) -> usize {
    // 6 groups of 3 bytes → 4 characters, then 2 bytes → 3 characters and `=`.
    let mut escapes = 0u32;
    for group in 0..7 {
        let n = if group < 6 {
            let b = &tag[3 * group..3 * group + 3];
            u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2])
        } else {
            u32::from(tag[18]) << 16 | u32::from(tag[19]) << 8
        };
        let word =
            u32::from(BASE64_PAIRS[(n >> 12) as usize]) | u32::from(BASE64_PAIRS[(n & 0xFFF) as usize]) << 16;
        signature[4 * group..4 * group + 4].copy_from_slice(&word.to_le_bytes());
        escapes |= plus_or_slash_mask(word) << (4 * group);
    }
    // The 28th character (an `A` from the zero bits above) is the padding.
    escapes &= (1 << (SIGNATURE_LEN - 1)) - 1;
    signature[SIGNATURE_LEN - 1] = b'=';

    let mut len = 0;
    let mut from = 0;
    while escapes != 0 {
        let i = escapes.trailing_zeros() as usize;
        escapes &= escapes - 1;
        token[len..len + SIGNATURE_LEN].copy_from_slice(&signature[from..from + SIGNATURE_LEN]);
        len += i - from;
        // `%2B` for `+`, `%2F` for `/` (`F` = `B` + 4).
        token[len..len + 3].copy_from_slice(&[b'%', b'2', b'B' + 4 * u8::from(signature[i] == b'/')]);
        len += 3;
        from = i + 1;
    }
    token[len..len + SIGNATURE_LEN].copy_from_slice(&signature[from..from + SIGNATURE_LEN]);
    len += SIGNATURE_LEN - 1 - from;
    token[len..len + 3].copy_from_slice(b"%3D");
    len + 3
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    fn decimal_samples() -> Vec<u64> {
        let mut rng = fastrand::Rng::with_seed(3);
        let mut values = vec![0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, u64::MAX, u64::MAX - 1];
        values.extend((0..20).map(|p| 10u64.pow(p)));
        values.extend((1..20).map(|p| 10u64.pow(p) - 1));
        values.extend((1..20).map(|p| 10u64.pow(p) + 1));
        values.extend((0..20_000).map(|_| rng.u64(..) >> rng.u32(0..64)));
        values
    }

    #[test]
    fn decimal_matches_to_string() {
        for n in decimal_samples() {
            let expected = n.to_string();
            assert_eq!(decimal_len(n), expected.len(), "{n}");
            let mut buf = [b'#'; DIGITS_MAX + 2];
            let end = DIGITS_MAX + 1;
            let start = write_decimal_back(&mut buf, end, n);
            assert_eq!(start, end - expected.len(), "{n}");
            assert_eq!(&buf[start..end], expected.as_bytes(), "{n}");
            assert!(buf[..start].iter().all(|&b| b == b'#'), "wrote before the start");
            assert_eq!(buf[end], b'#', "wrote past the end");
        }
    }

    fn naive_mask(word: u32) -> u32 {
        let mut m = 0;
        for (i, b) in word.to_le_bytes().into_iter().enumerate() {
            if b == b'+' || b == b'/' {
                m |= 1 << i;
            }
        }
        m
    }

    #[test]
    fn plus_or_slash_mask_is_exact() {
        // Every byte value at every position, next to every interesting neighbour.
        for b in 0..=255u8 {
            for fill in [b'A', b'+', b'/', 0, 0xFF, b'+' ^ 0x80] {
                for pos in 0..4 {
                    let mut bytes = [fill; 4];
                    bytes[pos] = b;
                    let word = u32::from_le_bytes(bytes);
                    assert_eq!(plus_or_slash_mask(word), naive_mask(word), "{bytes:?}");
                }
            }
        }
        let mut rng = fastrand::Rng::with_seed(9);
        for _ in 0..200_000 {
            let word = rng.u32(..);
            assert_eq!(plus_or_slash_mask(word), naive_mask(word), "{word:#x}");
        }
        assert_eq!(plus_or_slash_mask(u32::from_le_bytes(*b"+A/z")), 0b0101);
    }

    fn check(tag: [u8; TAG_LEN]) {
        let mut signature = [0; SIGNATURE_BUF];
        let mut token = [0; TOKEN_CAP];
        let len = encode_tag(&tag, &mut signature, &mut token);
        let expected = STANDARD.encode(tag);
        assert_eq!(&signature[..SIGNATURE_LEN], expected.as_bytes(), "{tag:?}");
        assert_eq!(&token[..len], crate::php_urlencode(&expected).as_bytes(), "{tag:?}");
    }

    #[test]
    fn encode_tag_matches_base64_and_urlencode() {
        check([0; TAG_LEN]);
        check([0xFF; TAG_LEN]);
        check([0xFB; TAG_LEN]);
        check([0xF8; TAG_LEN]);
        // Every group value at every position.
        for v in 0..64u32 {
            let n = v << 18 | v << 12 | v << 6 | v;
            let b = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            let mut tag = [0u8; TAG_LEN];
            for (i, t) in tag.iter_mut().enumerate() {
                *t = b[i % 3];
            }
            check(tag);
        }
        let mut rng = fastrand::Rng::with_seed(1);
        for _ in 0..50_000 {
            let mut tag = [0u8; TAG_LEN];
            rng.fill(&mut tag);
            check(tag);
        }
    }

    #[test]
    fn longest_token() {
        let mut signature = [0; SIGNATURE_BUF];
        let mut token = [0; TOKEN_CAP];
        let len = encode_tag(&[0xFF; TAG_LEN], &mut signature, &mut token);
        assert_eq!(&signature[..SIGNATURE_LEN], format!("{}8=", "/".repeat(26)).as_bytes());
        assert_eq!(len, 26 * 3 + 1 + 3);
        assert!(token[..len].ends_with(b"%2F8%3D"));
    }
}
