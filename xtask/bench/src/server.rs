//! A minimal HTTP/1.1 keep-alive server on 127.0.0.1 that answers every request with the
//! same bytes: one thread per connection, no signature checks, so that both sides of an
//! HTTP comparison cost the server exactly the same.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

/// A running server; it lives as long as the process.
#[derive(Debug, Clone)]
pub struct Server {
    addr: SocketAddr,
}

impl Server {
    /// Starts answering every request with a `200 application/json` carrying `body`.
    pub fn start(body: Vec<u8>) -> io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let mut response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(&body);
        let response: Arc<[u8]> = response.into();
        thread::Builder::new().name("bench-server".into()).spawn(move || {
            for stream in listener.incoming().flatten() {
                let response = Arc::clone(&response);
                let _ =
                    thread::Builder::new().name("bench-conn".into()).spawn(move || serve(stream, &response));
            }
        })?;
        Ok(Server { addr })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Serves one connection until the client closes it.
fn serve(stream: TcpStream, response: &[u8]) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let mut line = String::new();
    loop {
        // Request line and headers.
        let mut content_length = 0usize;
        let mut chunked = false;
        let mut close = false;
        let mut first = true;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(()); // closed between requests
            }
            let header = line.trim_end();
            if header.is_empty() {
                if first {
                    continue; // stray CRLF between requests
                }
                break;
            }
            first = false;
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.parse().map_err(|_| io::Error::other("bad content-length"))?;
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.eq_ignore_ascii_case("chunked");
                } else if name.eq_ignore_ascii_case("connection") {
                    close = value.eq_ignore_ascii_case("close");
                }
            }
        }
        if chunked {
            skip_chunked(&mut reader, &mut line)?;
        } else {
            io::copy(&mut (&mut reader).take(content_length as u64), &mut io::sink())?;
        }
        writer.write_all(response)?;
        if close {
            return Ok(());
        }
    }
}

fn skip_chunked(reader: &mut BufReader<TcpStream>, line: &mut String) -> io::Result<()> {
    loop {
        line.clear();
        reader.read_line(line)?;
        let size = line.trim_end().split(';').next().unwrap_or("0");
        let size = usize::from_str_radix(size.trim(), 16).map_err(|_| io::Error::other("bad chunk size"))?;
        if size == 0 {
            // Trailers until the empty line.
            loop {
                line.clear();
                if reader.read_line(line)? == 0 || line.trim_end().is_empty() {
                    return Ok(());
                }
            }
        }
        io::copy(&mut reader.take(size as u64 + 2), &mut io::sink())?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(stream: &mut TcpStream, request: &[u8], expect: &[u8]) {
        stream.write_all(request).unwrap();
        let mut got = vec![0; expect.len()];
        stream.read_exact(&mut got).unwrap();
        assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(expect));
    }

    #[test]
    fn answers_every_request_on_one_connection() {
        let server = Server::start(b"{\"ok\":1}".to_vec()).unwrap();
        let mut stream = TcpStream::connect(server.addr).unwrap();
        let expect =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 8\r\n\r\n{\"ok\":1}";
        exchange(&mut stream, b"POST /v3/x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}", expect);
        let chunked = b"POST /v3/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
        exchange(&mut stream, chunked, expect);
        exchange(
            &mut stream,
            b"POST /v3/x HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            expect,
        );
        assert_eq!(stream.read(&mut [0; 8]).unwrap(), 0, "closed after `Connection: close`");
    }
}
