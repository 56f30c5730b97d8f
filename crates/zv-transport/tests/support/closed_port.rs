//! A closed port that stays closed, for the tests of zv-transport, zv-api and zv-cli (each
//! includes this file by path; it stays outside `tests/it/` so their paths do not move).
#![allow(dead_code)]

/// A port on 127.0.0.1 that refuses every connection for as long as this lives: a socket is
/// bound to it and never listens (a connection gets a reset: "refused"), and while it is
/// bound no other socket can have the port. (A port bound, released and then used is a
/// race: another test's server may be given it in between.)
pub struct ClosedPort {
    _socket: socket2::Socket,
    /// The port.
    pub port: u16,
}

impl ClosedPort {
    pub fn new() -> ClosedPort {
        let socket =
            socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
        socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into()).expect("bind 127.0.0.1:0");
        let port = socket.local_addr().ok().and_then(|a| a.as_socket()).expect("a bound address").port();
        ClosedPort { _socket: socket, port }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}
