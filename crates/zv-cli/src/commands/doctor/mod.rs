//! `zv doctor`: the checks that need the network; the verdicts and rules in [`checks`].

pub mod checks;

use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::config::settings::{Setting, Settings};
use crate::output::data::Data;
use crate::output::format::Printer;
use crate::report::error_line;
use checks::{Check, Status};
use zv_api::zv_transport::http;
use zv_types::{ExchangeCodeParams, GetExchangeCodeStatus};

use super::Context;
use crate::failure::Failure;
use crate::gateway::Gateway;
use crate::output::typed as output;

/// The exchange code the probe asks about: any answer but a refused signature will do.
const PROBE_CODE: &str = "0";

/// Examples shown at the end of `zv doctor --help`, sandbox ones first.
pub const EXAMPLES: &str = r#"Examples:
  zv --sandbox doctor
  zv --profile prod doctor --json"#;

/// How long each network step (DNS, TCP, TLS, the HTTP probe) may take: `--timeout`,
/// else 10 s, at most 30 s.
fn step_timeout(timeout: Option<Duration>) -> Duration {
    timeout.unwrap_or(Duration::from_secs(10)).min(Duration::from_secs(30))
}

/// Runs `zv doctor`.
pub(crate) fn run(cx: &Context<'_>, out: &mut impl Write) -> Result<(), Failure> {
    let g = cx.global;
    let resolved = cx.settings()?;
    // The probe is one more step within the deadline: one attempt unless --retries.
    let step = step_timeout(g.timeout);
    let retries = Some(g.retries.unwrap_or(0));
    let connect = || crate::gateway::connect_within(Some(step), retries, resolved.as_ref(), cx.attempts);
    check(resolved.as_ref(), g.timeout, connect, &cx.printer(crate::output::format::Format::Table), out)
}

/// Runs every check and prints them; fails (exit 1) when one fails.
fn check(
    settings: Option<&Settings>,
    timeout: Option<Duration>,
    gateway: impl FnOnce() -> Result<Gateway, Failure>,
    printer: &Printer,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let mut checks = Vec::new();
    // A gateway needs credentials; without them the probe is not sent.
    let gateway = gateway();
    // Checked as the client checks it: a refused URL (user info, a query) is not shown,
    // only why it was refused, and nothing is sent to it.
    let base_url = match (settings, &gateway) {
        (Some(s), _) => s.base_url.value.as_deref().map(zv_api::validate_base_url).transpose(),
        (None, Ok(g)) => Ok(Some(g.client.config().base_url().to_owned())),
        (None, Err(_)) => Ok(None),
    };
    match settings {
        Some(s) => {
            checks.push(match &base_url {
                Err(e) => {
                    Check::new("base URL", Status::Fail, format!("{} ({})", error_line(e), s.base_url.source))
                }
                Ok(Some(url)) if url.starts_with("http://") => Check::new(
                    "base URL",
                    Status::Warn,
                    format!(
                        "{url} ({}) is plain http: the grantCode, the token and every answer cross the network unencrypted; use https if the gateway offers it",
                        s.base_url.source
                    ),
                ),
                Ok(_) => setting("base URL", &s.base_url),
            });
            checks.push(setting("openId", &s.open_id));
            checks.push(grant_code(&s.grant_code));
            let key = &s.open_key;
            checks.push(match &key.value {
                Some(_) => Check::new("openKey", Status::Pass, format!("present ({})", key.source)),
                None => Check::new(
                    "openKey",
                    Status::Fail,
                    match &s.store_error {
                        Some(e) => format!("absent: {e}"),
                        None => {
                            "absent: set ZV_OPEN_KEY, or store it with `zv profile add NAME --open-key-stdin`"
                                .to_owned()
                        }
                    },
                ),
            });
        }
        None => {
            let shown = base_url.as_ref().ok().and_then(Option::as_deref).unwrap_or_default();
            checks.push(Check::new("base URL", Status::Pass, format!("{shown} (sandbox)")));
            for name in ["openId", "grantCode"] {
                checks.push(Check::new(name, Status::Pass, "the sandbox's"));
            }
            checks.push(Check::new("openKey", Status::Pass, "present (the sandbox's)"));
        }
    }
    let reachable = match &base_url {
        Ok(url) => network(url.as_deref().unwrap_or_default(), step_timeout(timeout), &resolve, &mut checks),
        Err(_) => {
            for name in ["DNS", "TCP", "TLS"] {
                checks.push(Check::new(name, Status::Fail, "not checked: the base URL is not valid"));
            }
            false
        }
    };
    let (clock, probe) = match (&gateway, reachable) {
        (Err(f), _) => (
            Check::new("clock", Status::Fail, "not checked: no request was sent"),
            Check::new("signed probe", Status::Fail, format!("not sent: {}", f.message)),
        ),
        (Ok(_), false) => (
            Check::new("clock", Status::Fail, "not checked: the gateway is unreachable"),
            Check::new("signed probe", Status::Fail, "not sent: the gateway is unreachable"),
        ),
        (Ok(g), true) => probe(g),
    };
    checks.push(clock);
    checks.push(probe);
    let rows = Data::Array(checks.iter().map(Check::to_data).collect());
    output::show(out, printer, &rows, None, |out| {
        for check in &checks {
            writeln!(out, "{}", check.line())?;
        }
        Ok(())
    })
    .map_err(Failure::output)?;
    if checks::all_pass(&checks) {
        Ok(())
    } else {
        let count = |status| checks.iter().filter(|c| c.status == status).count();
        let (failed, unsure) = (count(Status::Fail), count(Status::Inconclusive));
        let message = match (failed, unsure) {
            (0, n) => format!("{n} of {} checks inconclusive", checks.len()),
            (n, 0) => format!("{n} of {} checks failed", checks.len()),
            (n, m) => format!("{n} of {} checks failed, {m} inconclusive", checks.len()),
        };
        Err(Failure::internal(message))
    }
}

/// A configuration value and where it came from.
fn setting(name: &'static str, s: &Setting) -> Check {
    match &s.value {
        Some(v) => Check::new(name, Status::Pass, format!("{v} ({})", s.source)),
        None => Check::new(
            name,
            Status::Fail,
            format!("not set: give --{}, its ZV_ variable or a profile", flag(name)),
        ),
    }
}

/// The grantCode as every surface shows it ([`zv_api::redact_grant_code`]), and its source.
fn grant_code(s: &Setting) -> Check {
    let shown = s.value.as_deref().map(|g| zv_api::redact_grant_code(g, g).into_owned());
    setting("grantCode", &Setting { value: shown, source: s.source.clone() })
}

fn flag(name: &str) -> &'static str {
    match name {
        "openId" => "open-id",
        "grantCode" => "grant-code",
        _ => "base-url",
    }
}

/// Resolves a host and port: the system's resolver.
fn resolve(host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
    (host, port).to_socket_addrs().map(Iterator::collect)
}

/// `step` on a thread of its own, waited for at most `timeout`: the system's resolver
/// takes no timeout. A step still running then is left to finish on its own.
fn within<T: Send + 'static>(
    timeout: Duration,
    step: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new().name("zv-doctor-step".to_owned()).spawn(move || {
        let _ = tx.send(step());
    })?;
    rx.recv_timeout(timeout).unwrap_or_else(|_| {
        Err(std::io::Error::new(std::io::ErrorKind::TimedOut, format!("no answer within {timeout:?}")))
    })
}

/// The resolver `zv doctor` uses, replaceable in tests.
type Resolver = dyn Fn(&str, u16) -> std::io::Result<Vec<SocketAddr>> + Send + Sync;

/// DNS, TCP and TLS to the base URL, each within `timeout`; whether the gateway is reachable.
fn network(base_url: &str, timeout: Duration, resolver: &'static Resolver, checks: &mut Vec<Check>) -> bool {
    let uri = match base_url.parse::<http::Uri>() {
        Ok(uri) if uri.host().is_some() => uri,
        _ => {
            for name in ["DNS", "TCP", "TLS"] {
                checks.push(Check::new(
                    name,
                    Status::Fail,
                    format!("not checked: {base_url:?} is not a URL"),
                ));
            }
            return false;
        }
    };
    let host = uri.host().unwrap_or_default().trim_matches(['[', ']']).to_owned();
    let https = uri.scheme_str() == Some("https");
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let started = Instant::now();
    let lookup = {
        let host = host.clone();
        within(timeout, move || resolver(&host, port))
    };
    let addrs = match lookup {
        Ok(addrs) if !addrs.is_empty() => addrs,
        result => {
            let why = result.err().map_or_else(|| "no address".to_owned(), |e| e.to_string());
            checks.push(Check::new("DNS", Status::Fail, format!("{host}: {why}")).timed(started.elapsed()));
            checks.push(Check::new("TCP", Status::Fail, "not checked: no address"));
            checks.push(Check::new("TLS", Status::Fail, "not checked: no address"));
            return false;
        }
    };
    let shown: Vec<String> = addrs.iter().take(3).map(|a| a.ip().to_string()).collect();
    checks.push(
        Check::new("DNS", Status::Pass, format!("{host} → {}", shown.join(", "))).timed(started.elapsed()),
    );
    let started = Instant::now();
    let deadline = started + timeout;
    let mut last_error = None;
    let mut stream = None;
    for addr in &addrs {
        let Some(left) = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()) else {
            last_error = Some(format!("no connection within {timeout:?}"));
            break;
        };
        match TcpStream::connect_timeout(addr, left) {
            Ok(s) => {
                stream = Some((s, *addr));
                break;
            }
            Err(e) => last_error = Some(format!("{addr}: {e}")),
        }
    }
    let Some((stream, addr)) = stream else {
        let why = last_error.unwrap_or_else(|| "no address".to_owned());
        checks.push(Check::new("TCP", Status::Fail, why).timed(started.elapsed()));
        checks.push(Check::new("TLS", Status::Fail, "not checked: no connection"));
        return false;
    };
    checks.push(Check::new("TCP", Status::Pass, format!("connected to {addr}")).timed(started.elapsed()));
    if !https {
        checks.push(Check::new("TLS", Status::Pass, "not used: the base URL is http"));
        return true;
    }
    let started = Instant::now();
    let check = match tls_handshake(stream, &host, started + timeout) {
        Ok(version) => {
            Check::new("TLS", Status::Pass, format!("{version} with {host}, certificate verified"))
        }
        Err(e) => Check::new("TLS", Status::Fail, format!("{host}: {e}")),
    };
    let ok = check.status == Status::Pass;
    checks.push(check.timed(started.elapsed()));
    ok
}

/// A rustls handshake (ring, the Mozilla roots) over `stream`, done by `deadline` however
/// slowly the server sends; the protocol version agreed.
fn tls_handshake(mut stream: TcpStream, host: &str, deadline: Instant) -> Result<String, String> {
    use rustls::pki_types::ServerName;
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    let config =
        rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_root_certificates(roots)
            .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned()).map_err(|e| e.to_string())?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    let timed_out = || "the handshake did not finish in time (timed out)".to_owned();
    // One read or write at a time (not `complete_io`, which loops until the handshake is
    // done), each given only the time left: a server that trickles its handshake a byte at
    // a time runs out of it like one that sends nothing.
    while conn.is_handshaking() {
        let left =
            deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()).ok_or_else(timed_out)?;
        stream.set_read_timeout(Some(left)).map_err(|e| e.to_string())?;
        stream.set_write_timeout(Some(left)).map_err(|e| e.to_string())?;
        let io = if conn.wants_write() {
            conn.write_tls(&mut stream)
        } else if conn.wants_read() {
            match conn.read_tls(&mut stream) {
                Ok(0) => return Err("the server closed the connection during the handshake".to_owned()),
                Ok(n) => conn.process_new_packets().map(|_| n).map_err(std::io::Error::other),
                Err(e) => Err(e),
            }
        } else {
            break;
        };
        io.map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => timed_out(),
            _ => e.to_string(),
        })?;
    }
    // A last flight (the client's Finished) still to send.
    while conn.wants_write() {
        conn.write_tls(&mut stream).map_err(|e| e.to_string())?;
    }
    Ok(conn.protocol_version().map_or_else(|| "TLS".to_owned(), |v| format!("{v:?}").replace('_', ".")))
}

/// The signed probe (an exchange code's status: a read) and the clock against its `Date`.
fn probe(gateway: &Gateway) -> (Check, Check) {
    let started = Instant::now();
    let result = gateway.client.send::<GetExchangeCodeStatus>(&ExchangeCodeParams::new(PROBE_CODE));
    let elapsed = started.elapsed();
    let response = match &result {
        Ok(r) => Some(&r.http),
        Err(e) => e.http_response(),
    };
    let date = response.and_then(|r| r.headers().get(http::header::DATE)).and_then(|d| d.to_str().ok());
    let clock = match date.map(httpdate::parse_http_date) {
        Some(Ok(date)) => checks::clock(skew(SystemTime::now(), date)),
        Some(Err(_)) => Check::new("clock", Status::Warn, "the gateway's Date header is not an HTTP date"),
        None if response.is_some() => Check::new("clock", Status::Warn, "the gateway sent no Date header"),
        None => Check::new("clock", Status::Fail, "not checked: no answer from the gateway"),
    };
    let status = result.as_ref().map(|r| r.http.status().as_u16());
    let now_unix = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let probe = checks::probe(status, Some(clock.status), now_unix).timed(elapsed);
    (clock, probe)
}

/// Local time minus `date`, in whole seconds.
fn skew(now: SystemTime, date: SystemTime) -> i64 {
    match now.duration_since(date) {
        Ok(ahead) => i64::try_from(ahead.as_secs()).unwrap_or(i64::MAX),
        Err(behind) => -i64::try_from(behind.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resolver_that_never_answers_fails_dns_at_the_deadline() {
        fn stuck(_: &str, _: u16) -> std::io::Result<Vec<SocketAddr>> {
            loop {
                std::thread::park();
            }
        }
        let mut checks = Vec::new();
        assert!(!network("https://gw.example", Duration::from_millis(20), &stuck, &mut checks));
        let names: Vec<&str> = checks.iter().map(|c| c.name).collect();
        assert_eq!(names, ["DNS", "TCP", "TLS"]);
        assert!(checks.iter().all(|c| c.status == Status::Fail));
        assert!(checks[0].detail.contains("gw.example: no answer within"), "{}", checks[0].detail);
    }

    #[test]
    fn a_resolver_error_or_no_address_fails_dns() {
        fn none(_: &str, _: u16) -> std::io::Result<Vec<SocketAddr>> {
            Ok(Vec::new())
        }
        let mut checks = Vec::new();
        assert!(!network("http://gw.example", Duration::from_secs(5), &none, &mut checks));
        assert_eq!(checks[0].detail, "gw.example: no address");
    }

    #[test]
    fn each_step_gets_the_timeout_within_bounds() {
        assert_eq!(step_timeout(None), Duration::from_secs(10));
        assert_eq!(step_timeout(Some(Duration::from_millis(300))), Duration::from_millis(300));
        assert_eq!(step_timeout(Some(Duration::from_secs(600))), Duration::from_secs(30));
    }
}
