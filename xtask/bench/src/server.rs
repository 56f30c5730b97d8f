//! A minimal HTTP/1.1 keep-alive server on 127.0.0.1: one thread per connection, no
//! signature checks, so that both sides of an HTTP comparison cost the server exactly the
//! same. It answers every request with the same bytes ([`Server::start`]) or with the page
//! the request's params ask for ([`Server::paged`]).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

/// How a server answers: the whole HTTP response to a request with this body.
pub trait Respond: Send + Sync + 'static {
    /// The response (status line, headers and body) to a request whose body is
    /// `request_body`, written into `scratch` if it is not ready-made.
    fn respond<'a>(&'a self, request_body: &[u8], scratch: &'a mut Scratch) -> &'a [u8];
}

/// A connection's buffers for the responses it writes, reused from request to request.
#[derive(Debug, Default)]
pub struct Scratch {
    /// For a body.
    pub body: Vec<u8>,
    /// For the whole response.
    pub response: Vec<u8>,
}

/// The same ready-made response to every request.
struct Fixed(Box<[u8]>);

impl Respond for Fixed {
    fn respond<'a>(&'a self, _: &[u8], _: &'a mut Scratch) -> &'a [u8] {
        &self.0
    }
}

/// Writes a `200 application/json` response with `body` into `out` (cleared first).
pub fn write_response(body: &[u8], out: &mut Vec<u8>) {
    out.clear();
    // Writing into a Vec cannot fail.
    let _ = write!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    out.extend_from_slice(body);
}

/// A running server; it lives as long as the process.
#[derive(Debug, Clone)]
pub struct Server {
    addr: SocketAddr,
}

impl Server {
    /// Starts answering every request with a `200 application/json` carrying `body`.
    pub fn start(body: Vec<u8>) -> io::Result<Server> {
        let mut response = Vec::new();
        write_response(&body, &mut response);
        Self::with(Fixed(response.into()))
    }

    /// Starts answering each request with the page of `pages` (the fixtures' `ItemPages`)
    /// its params ask for (each page written when asked for: memory does not grow with the
    /// number of pages). Generic, so that the server does not depend on the fixtures.
    pub fn paged(pages: impl Respond) -> io::Result<Server> {
        Self::with(pages)
    }

    /// Starts answering with `respond`.
    fn with(respond: impl Respond) -> io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let respond: Arc<dyn Respond> = Arc::new(respond);
        thread::Builder::new().name("bench-server".into()).spawn(move || {
            for stream in listener.incoming().flatten() {
                let respond = Arc::clone(&respond);
                let _ =
                    thread::Builder::new().name("bench-conn".into()).spawn(move || serve(stream, &*respond));
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
fn serve(stream: TcpStream, respond: &dyn Respond) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    let mut line = String::new();
    let (mut body, mut scratch) = (Vec::new(), Scratch::default());
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
        body.clear();
        if chunked {
            read_chunked(&mut reader, &mut line, &mut body)?;
        } else {
            (&mut reader).take(content_length as u64).read_to_end(&mut body)?;
        }
        writer.write_all(respond.respond(&body, &mut scratch))?;
        if close {
            return Ok(());
        }
    }
}

/// Reads a chunked body into `body`.
fn read_chunked(reader: &mut BufReader<TcpStream>, line: &mut String, body: &mut Vec<u8>) -> io::Result<()> {
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
        reader.take(size as u64).read_to_end(body)?;
        io::copy(&mut reader.take(2), &mut io::sink())?; // the chunk's CRLF
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::ItemPages;

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

    #[test]
    fn a_paged_server_answers_the_page_asked_for() {
        let pages = ItemPages::new(2, 3);
        let server = Server::paged(pages.clone()).unwrap();
        let mut stream = TcpStream::connect(server.addr).unwrap();
        for (number, request) in
            [(2, r#"{"params":{"pageNo":2,"pageSize":3}}"#), (1, r#"{"params":{"pageSize":3,"pageNo":1}}"#)]
        {
            let mut expect = Vec::new();
            let mut body = Vec::new();
            pages.write_body(number, &mut body);
            write_response(&body, &mut expect);
            let head = format!(
                "POST /v3/goods/item/getItemList HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
                request.len()
            );
            exchange(&mut stream, &[head.as_bytes(), request.as_bytes()].concat(), &expect);
        }
        // The body of a chunked request is read too.
        let chunked = "POST /v3/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"params\":{\"page\r\n14\r\nNo\":1,\"pageSize\":3}}\r\n0\r\n\r\n";
        let (mut expect, mut body) = (Vec::new(), Vec::new());
        pages.write_body(1, &mut body);
        write_response(&body, &mut expect);
        exchange(&mut stream, chunked.as_bytes(), &expect);
    }
}
