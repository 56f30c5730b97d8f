//! The server's address: the base URL a client is given, and whether a request's `Host`
//! names it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// `http://127.0.0.1:PORT`, `http://[::1]:PORT`, or the same with `https` (the certificate
/// covers the IP addresses as well as `localhost`; an IP avoids a name lookup that could
/// pick another address). An unspecified address (`0.0.0.0`) is reached through the
/// loopback address of its family.
pub(crate) fn base_url(addr: SocketAddr, tls: bool) -> String {
    let host = match reached(addr) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    let scheme = if tls { "https" } else { "http" };
    format!("{scheme}://{host}:{}", addr.port())
}

/// The IP a client reaches `addr` at: itself, or for an unspecified address (`0.0.0.0`)
/// the loopback address of its family.
fn reached(addr: SocketAddr) -> IpAddr {
    match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    }
}

/// Whether `authority` (`127.0.0.1:PORT`, `[::1]:PORT`) names the address the server at
/// `local` is reached at (see [`base_url`]) exactly; without a port, the scheme's default.
pub(crate) fn is_address(authority: &str, local: SocketAddr, tls: bool) -> bool {
    let Ok(authority) = authority.parse::<http::uri::Authority>() else { return false };
    let host = authority.host().trim_start_matches('[').trim_end_matches(']');
    let port = authority.port_u16().unwrap_or(if tls { 443 } else { 80 });
    host.parse::<IpAddr>().is_ok_and(|ip| ip == reached(local)) && port == local.port()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let a = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(base_url(a("127.0.0.1:8080"), false), "http://127.0.0.1:8080");
        assert_eq!(base_url(a("127.0.0.1:8080"), true), "https://127.0.0.1:8080");
        assert_eq!(base_url(a("0.0.0.0:1"), false), "http://127.0.0.1:1");
        assert_eq!(base_url(a("0.0.0.0:1"), true), "https://127.0.0.1:1");
        assert_eq!(base_url(a("[::]:2"), false), "http://[::1]:2");
        assert_eq!(base_url(a("[::1]:2"), true), "https://[::1]:2");
        assert_eq!(base_url(a("192.0.2.7:3"), true), "https://192.0.2.7:3");
    }

    #[test]
    fn only_the_listening_address_is_its_own() {
        let v4: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let v6: SocketAddr = "[::1]:8080".parse().unwrap();
        assert!(is_address("127.0.0.1:8080", v4, false));
        assert!(is_address("[::1]:8080", v6, true));
        for foreign in [
            "evil.example:8080",
            "localhost:8080",
            "127.0.0.1:8081",
            "127.0.0.1",
            "127.0.0.2:8080",
            "",
            "[::1]:8080",
        ] {
            assert!(!is_address(foreign, v4, false), "{foreign}");
        }
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(is_address("127.0.0.1:8080", any, false), "as its base URL names it");
        assert!(!is_address("0.0.0.0:8080", any, false));
        let default: SocketAddr = "127.0.0.1:80".parse().unwrap();
        assert!(is_address("127.0.0.1", default, false));
        assert!(!is_address("127.0.0.1", default, true));
    }
}
