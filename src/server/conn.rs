//! Connections that cannot hold the server hostage: one that has not been answered
//! within the handshake timeout of being accepted, or that then sends nothing for
//! the idle timeout, is closed. Without this, half-open connections are kept forever
//! and, past the file limit, lock every new client out.
//!
//! A long-poll is the server's wait, not the client's: once a connection's first
//! request is a whole `GET` head, nothing more is owed by the client, and the idle
//! timeout applies instead (the server answers a poll within its ping interval).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, Instant, Sleep};

/// How long a connection may take to be answered, and then stay silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From accept until the server has answered a first request (the Socket.IO
    /// handshake or the WebSocket upgrade), or until a first `GET` has arrived whole
    /// (a long-poll the server holds). Bytes sent meanwhile do not extend it, so a
    /// client that trickles a request in does not hold the connection either.
    pub handshake: Duration,
    /// engine.io's heartbeat: the server pings every `ping_interval`, and a client
    /// that has not answered within `ping_timeout` is gone.
    pub ping_interval: Duration,
    pub ping_timeout: Duration,
}

impl Default for Timeouts {
    /// socketioxide's (and Node's) heartbeat; Node gives a request's headers 60 s.
    fn default() -> Timeouts {
        Timeouts {
            handshake: Duration::from_secs(10),
            ping_interval: Duration::from_secs(25),
            ping_timeout: Duration::from_secs(20),
        }
    }
}

impl Timeouts {
    /// The longest silence from a client once answered: a live Socket.IO client
    /// answers every ping, so it is never silent for a ping interval and twice the
    /// time it has to answer (65 s by default). Anything else is closed then.
    ///
    /// Never shorter than the handshake timeout: with a lesson's shortened heartbeat
    /// (`[network]`) this guard would otherwise race the heartbeat itself, and a
    /// frozen client would leave with `transport error` instead of `ping timeout`.
    pub fn idle(&self) -> Duration {
        (self.ping_interval + 2 * self.ping_timeout).max(self.handshake)
    }
}

/// The TCP listener, its connections guarded by `timeouts`.
pub(crate) struct Guarded {
    pub listener: TcpListener,
    pub timeouts: Timeouts,
}

impl Listener for Guarded {
    type Io = GuardedStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (tcp, addr) = Listener::accept(&mut self.listener).await;
        // Small packets go out at once: without TCP_NODELAY a packet that follows
        // another can wait for the peer's delayed ACK (about 40 ms on Linux).
        let _ = tcp.set_nodelay(true);
        let stream = GuardedStream {
            tcp,
            deadline: Box::pin(sleep(self.timeouts.handshake)),
            idle: self.timeouts.idle(),
            answered: false,
            first: FirstRequest::default(),
        };
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

/// A connection whose reads fail with `TimedOut` once its deadline has passed, so
/// that the HTTP server (or the WebSocket over it) closes it.
pub(crate) struct GuardedStream {
    tcp: TcpStream,
    deadline: Pin<Box<Sleep>>,
    idle: Duration,
    /// Whether the handshake deadline is over: the server has written to it, or the
    /// first request is a whole `GET` that the server is holding. Until then the
    /// handshake deadline holds; afterwards each byte read moves the deadline `idle`
    /// ahead.
    answered: bool,
    first: FirstRequest,
}

/// The start of a connection's first request, read until its head is whole.
#[derive(Default)]
struct FirstRequest {
    method: [u8; 4],
    read: usize,
    /// How much of the blank line that ends the head (`\r\n\r\n`) has been read.
    ending: u8,
}

impl FirstRequest {
    /// Reads `bytes`; whether they complete the head of a `GET` (which has no body:
    /// all that is left is the server's answer).
    fn whole_get(&mut self, bytes: &[u8]) -> bool {
        for &b in bytes {
            if let Some(slot) = self.method.get_mut(self.read) {
                *slot = b;
            }
            self.read += 1;
            self.ending = match (self.ending, b) {
                (0 | 2, b'\r') => self.ending + 1,
                (1 | 3, b'\n') => self.ending + 1,
                (_, b'\r') => 1,
                _ => 0,
            };
            if self.ending == 4 {
                return &self.method == b"GET ";
            }
        }
        false
    }
}

impl GuardedStream {
    fn extend(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.idle);
    }

    /// The first bytes the server writes end the handshake.
    fn note(&mut self, written: &Poll<io::Result<usize>>) {
        if !self.answered && matches!(written, Poll::Ready(Ok(n)) if *n > 0) {
            self.answered = true;
            self.extend();
        }
    }
}

impl AsyncRead for GuardedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // Checked first: a trickling client always has a byte ready when the timer
        // wakes the task, and would otherwise outlive its deadline by a trickle.
        if self.deadline.is_elapsed() {
            return Poll::Ready(Err(silent_too_long()));
        }
        let before = buf.filled().len();
        match Pin::new(&mut self.tcp).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let fresh = &buf.filled()[before..];
                if !self.answered && self.first.whole_get(fresh) {
                    self.answered = true;
                }
                if self.answered && !fresh.is_empty() {
                    self.extend();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(silent_too_long())),
                Poll::Pending => Poll::Pending,
            },
            ready => ready,
        }
    }
}

fn silent_too_long() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "the connection was silent for too long",
    )
}

impl AsyncWrite for GuardedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.tcp).poll_write(cx, data);
        self.note(&written);
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.tcp).poll_write_vectored(cx, data);
        self.note(&written);
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.tcp.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.tcp).poll_shutdown(cx)
    }
}
