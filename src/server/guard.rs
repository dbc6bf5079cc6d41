//! Who may talk to a lab server. Every server the lab opens (`serve`, `web`, the demo,
//! each lesson's) sits on the learner's machine while the learner browses: any page
//! they visit may send requests to it. One middleware in front of the whole router,
//! the Socket.IO layer included, checks every request before anything runs:
//!
//! - `Host` must name this machine as the server is bound to it (`localhost` or an IP
//!   address): a name such as `attacker.example` resolved to 127.0.0.1 (DNS
//!   rebinding) is refused. Only the name is compared: a proxy in front of the server
//!   may pass on its own port.
//! - `Origin`, when a browser sends one, must be the lab's own page
//!   (`http://127.0.0.1:PORT`, `http://localhost:PORT`, or the request's own `Host`)
//!   or one the learner allowed (`serve --allow-origin`). Clients that send no
//!   `Origin` (the lab's own clients, Node's client) are not pages and pass.
//! - A request a browser sends from another site without `Origin` (an image, a
//!   link: `Sec-Fetch-Site: cross-site` or `same-site`) is refused as well.
//!
//! Every response, a refusal, an error or the Socket.IO layer's, carries the
//! Content-Security-Policy.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The page may load nothing from anywhere but this server.
pub const CSP: &str =
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// What one server accepts.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    port: u16,
    /// The address the listener is bound to: an unspecified one (0.0.0.0) accepts any
    /// IP address as the `Host`.
    bound: IpAddr,
    /// Origins the learner allowed, as `Origin` spells them.
    allowed: Arc<[String]>,
    /// Told each refusal (`serve`'s log), so that a learner whose page cannot
    /// connect reads why where they watch the server.
    monitor: Option<super::Monitor>,
}

impl Guard {
    pub(crate) fn new(
        bound: std::net::SocketAddr,
        allowed: &[String],
        monitor: Option<super::Monitor>,
    ) -> Guard {
        Guard {
            port: bound.port(),
            bound: bound.ip(),
            allowed: allowed.iter().map(|o| o.to_ascii_lowercase()).collect(),
            monitor,
        }
    }

    /// Whether `host` (a `Host` header: a name or an address, maybe a port) names
    /// this server.
    fn host_ok(&self, host: &str) -> bool {
        let name = host_name(host).to_ascii_lowercase();
        if name == "localhost" {
            return self.bound.is_loopback() || self.bound.is_unspecified();
        }
        let Ok(ip) = name.trim_start_matches('[').trim_end_matches(']').parse() else {
            return false;
        };
        let ip: IpAddr = ip;
        ip == self.bound
            || self.bound.is_unspecified()
            || (self.bound.is_loopback() && ip.is_loopback())
    }

    fn origin_ok(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = origin.to_ascii_lowercase();
        let own = [
            format!("http://127.0.0.1:{}", self.port),
            format!("http://localhost:{}", self.port),
        ];
        own.contains(&origin)
            || host.is_some_and(|h| origin == format!("http://{}", h.to_ascii_lowercase()))
            || self.allowed.contains(&origin)
    }

    /// Why `headers` may not reach this server, or `None`.
    fn refusal(&self, headers: &HeaderMap) -> Option<String> {
        let text = |name| headers.get(name).map(|v: &HeaderValue| v.to_str().ok());
        let host = match text(header::HOST) {
            // HTTP/1.1 clients always send it; one that sends none is no browser.
            None => None,
            Some(Some(host)) if self.host_ok(host) => Some(host),
            Some(host) => {
                return Some(format!(
                    "host `{}` is not this server: it answers only as `127.0.0.1:{port}` or `localhost:{port}`",
                    crate::safe::capped(host.unwrap_or("?")),
                    port = self.port
                ))
            }
        };
        match text(header::ORIGIN) {
            Some(Some(origin)) if self.origin_ok(origin, host) => None,
            Some(origin) => {
                let origin = crate::safe::capped(origin.unwrap_or("?")).into_owned();
                Some(format!(
                    "a page from `{origin}` may not use this server: only its own pages and clients that send no Origin may; to let your page in, start it with `socketio-lab serve --allow-origin {origin}`"
                ))
            }
            None => match text(header::HeaderName::from_static("sec-fetch-site")) {
                Some(Some("cross-site" | "same-site")) => Some(
                    "a page from another site may not use this server (`Sec-Fetch-Site`)".into(),
                ),
                _ => None,
            },
        }
    }
}

/// The name part of a `Host` header: `[::1]:3000` gives `[::1]`, `localhost:3000`
/// gives `localhost`.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

/// The middleware: refuses what `Guard` refuses with 403 and its reason, and sets the
/// CSP on every response.
pub(crate) async fn check(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let mut response = match guard.refusal(request.headers()) {
        Some(why) => {
            if let Some(monitor) = &guard.monitor {
                let text = format!("refused a request: {why}");
                monitor.tell(super::Activity::Note(crate::protocol::Note::Log { text }));
            }
            (StatusCode::FORBIDDEN, format!("{why}\n")).into_response()
        }
        None => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// An `--allow-origin` value as browsers send it in `Origin` (`http://host:port`,
/// no path), or why it is not one.
pub fn parse_origin(text: &str) -> Result<String, String> {
    if text == "null" {
        return Ok(text.into());
    }
    let url = url::Url::parse(text).map_err(|e| format!("`{text}` is not an origin ({e})"))?;
    let origin = url.origin();
    let path_free = url.path() == "/" && url.query().is_none() && url.fragment().is_none();
    if !origin.is_tuple() || !path_free || !text.contains("://") {
        return Err(format!(
            "`{text}` is not an origin: write it as a browser sends it, such as `http://localhost:5173`"
        ));
    }
    Ok(origin.ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(bound: &str) -> Guard {
        Guard::new(
            bound.parse().unwrap(),
            &["http://localhost:5173".into()],
            None,
        )
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn hosts_are_this_machine_by_address_or_localhost() {
        let g = guard("127.0.0.1:3000");
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "127.0.0.1",
            "LOCALHOST:9",
            "[::1]:3000",
        ] {
            assert_eq!(g.refusal(&headers(&[("host", ok)])), None, "{ok}");
        }
        for bad in [
            "attacker.example:3000",
            "127.0.0.1.nip.io:3000",
            "10.0.0.1:3000",
            "",
        ] {
            let why = g.refusal(&headers(&[("host", bad)])).unwrap();
            assert!(why.starts_with("host `"), "{why}");
        }
        let any = guard("0.0.0.0:3000");
        assert_eq!(any.refusal(&headers(&[("host", "192.168.1.5:3000")])), None);
        assert!(any
            .refusal(&headers(&[("host", "lab.example:3000")]))
            .is_some());
    }

    #[test]
    fn origins_are_the_labs_own_or_allowed() {
        let g = guard("127.0.0.1:3000");
        let host = ("host", "127.0.0.1:3000");
        for ok in [
            "http://127.0.0.1:3000",
            "http://localhost:3000",
            "http://localhost:5173",
        ] {
            assert_eq!(g.refusal(&headers(&[host, ("origin", ok)])), None, "{ok}");
        }
        for bad in ["http://127.0.0.1:8000", "https://attacker.example", "null"] {
            let why = g.refusal(&headers(&[host, ("origin", bad)])).unwrap();
            assert!(why.contains(&format!("--allow-origin {bad}")), "{why}");
        }
        let sneaky = headers(&[host, ("sec-fetch-site", "cross-site")]);
        assert!(g.refusal(&sneaky).is_some());
        assert_eq!(
            g.refusal(&headers(&[host, ("sec-fetch-site", "same-origin")])),
            None
        );
    }

    #[test]
    fn allowed_origins_are_spelled_as_browsers_send_them() {
        assert_eq!(
            parse_origin("http://localhost:5173/").unwrap(),
            "http://localhost:5173"
        );
        assert_eq!(
            parse_origin("HTTP://Example.com").unwrap(),
            "http://example.com"
        );
        assert!(parse_origin("localhost:5173").is_err());
        assert!(parse_origin("http://localhost:5173/app").is_err());
    }
}
