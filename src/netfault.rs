//! Network faults on loopback: a small TCP proxy in front of one client connection,
//! which a lesson step can cut (the connections open now carry nothing more, and no
//! side is told, as when Wi-Fi goes away; new connections go through), pause
//! (nothing forwarded either way, new connections included, as a frozen network or
//! a closed laptop lid) and resume.
//!
//! The fault acts on the real TCP connection, so what each side reports is what it
//! would report on a real network: the server hears no answer to its ping and gives
//! the socket up (`ping timeout`); the client hears no ping, closes its end, and
//! reconnects by itself through the same proxy.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What every connection through a link does now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Control {
    paused: bool,
    /// How many cuts so far: a connection opened before the latest cut is closed.
    cuts: u64,
}

/// One client's way to the server: clients connect to `addr`, and each of their
/// TCP connections is forwarded to the server's, until a fault says otherwise.
pub struct Link {
    pub addr: SocketAddr,
    control: watch::Sender<Control>,
    accept: JoinHandle<()>,
}

impl Link {
    /// Listens on a free loopback port and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr) -> std::io::Result<Link> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (control, watching) = watch::channel(Control::default());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(forward(client, upstream, watching.clone()));
            }
        });
        Ok(Link {
            addr,
            control,
            accept,
        })
    }

    /// The URL a Socket.IO client connects to instead of the server's.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every connection open now carries nothing more, without a word to either
    /// side: connections opened after it go through.
    pub fn cut(&self) {
        self.control.send_modify(|c| c.cuts += 1);
    }

    /// Stops forwarding, both ways, on every connection, new ones included.
    pub fn pause(&self) {
        self.control.send_modify(|c| c.paused = true);
    }

    /// Forwards again what a pause held back.
    pub fn resume(&self) {
        self.control.send_modify(|c| c.paused = false);
    }

    pub fn is_paused(&self) -> bool {
        self.control.borrow().paused
    }
}

impl Drop for Link {
    /// No connection outlives its link: they all end with the watch channel.
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Whether the connection must end now, or wait while paused.
fn cut_since(control: &watch::Receiver<Control>, born: u64) -> bool {
    control.borrow().cuts != born
}

/// One client connection: opened to the server once the link is not paused, then
/// forwarded both ways until either side ends it or a cut comes.
async fn forward(client: TcpStream, upstream: SocketAddr, mut control: watch::Receiver<Control>) {
    let born = control.borrow().cuts;
    // A frozen network lets nothing through, a new connection included.
    while control.borrow().paused {
        if control.changed().await.is_err() || cut_since(&control, born) {
            return;
        }
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    // As the lab's server and clients do: small packets go out at once.
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let mut up = Direction::new(client_read, server_write);
    let mut down = Direction::new(server_read, client_write);
    loop {
        if cut_since(&control, born) {
            return black_hole(up, down).await;
        }
        if up.done() && down.done() {
            return;
        }
        if control.borrow().paused {
            if control.changed().await.is_err() {
                return;
            }
            continue;
        }
        tokio::select! {
            changed = control.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            // Reads are cancel-safe: a read interrupted by a fault loses nothing.
            n = up.read(), if !up.done() => up.write(n).await,
            n = down.read(), if !down.done() => down.write(n).await,
        }
    }
}

/// A cut connection: nothing passes any more and nothing is said, as when a network
/// goes away. Each side finds out by its own heartbeat. The client giving up is not
/// passed on either: the connection ends when the server gives up, and dropping
/// both sockets then closes what is left of them.
async fn black_hole(mut up: Direction, mut down: Direction) {
    loop {
        tokio::select! {
            n = up.read(), if !up.done() => up.ended = matches!(n, Ok(0) | Err(_)),
            n = down.read() => {
                if matches!(n, Ok(0) | Err(_)) {
                    return;
                }
            }
        }
    }
}

/// One way of a forwarded connection.
struct Direction {
    from: OwnedReadHalf,
    to: OwnedWriteHalf,
    buf: Box<[u8]>,
    ended: bool,
}

impl Direction {
    fn new(from: OwnedReadHalf, to: OwnedWriteHalf) -> Direction {
        Direction {
            from,
            to,
            buf: vec![0; 16 * 1024].into_boxed_slice(),
            ended: false,
        }
    }

    fn done(&self) -> bool {
        self.ended
    }

    async fn read(&mut self) -> std::io::Result<usize> {
        self.from.read(&mut self.buf).await
    }

    /// Passes on what was read; an end or an error ends this way and tells the
    /// other side (a half close), as the kernel would.
    async fn write(&mut self, read: std::io::Result<usize>) {
        match read {
            Ok(0) | Err(_) => {
                self.ended = true;
                let _ = self.to.shutdown().await;
            }
            Ok(n) => {
                if self.to.write_all(&self.buf[..n]).await.is_err() {
                    self.ended = true;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A server that echoes every byte, on a free port.
    async fn echo() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (mut r, mut w) = s.split();
                    let _ = tokio::io::copy(&mut r, &mut w).await;
                });
            }
        });
        addr
    }

    async fn roundtrip(s: &mut TcpStream, text: &[u8]) -> Vec<u8> {
        s.write_all(text).await.unwrap();
        let mut got = vec![0; text.len()];
        s.read_exact(&mut got).await.unwrap();
        got
    }

    const BOUND: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn a_link_forwards_both_ways() {
        let link = Link::start(echo().await).await.unwrap();
        let mut s = TcpStream::connect(link.addr).await.unwrap();
        assert_eq!(roundtrip(&mut s, b"hello").await, b"hello");
    }

    #[tokio::test]
    async fn a_cut_silences_open_connections_and_lets_new_ones_through() {
        let link = Link::start(echo().await).await.unwrap();
        let mut s = TcpStream::connect(link.addr).await.unwrap();
        assert_eq!(roundtrip(&mut s, b"one").await, b"one");
        link.cut();
        s.write_all(b"lost").await.unwrap();
        let mut buf = [0u8; 8];
        // Absence proved by a bounded wait: the cut connection neither answers nor ends.
        let read = tokio::time::timeout(Duration::from_millis(200), s.read(&mut buf)).await;
        assert!(read.is_err(), "a cut connection still carried {read:?}");
        let mut again = TcpStream::connect(link.addr).await.unwrap();
        assert_eq!(roundtrip(&mut again, b"two").await, b"two");
    }

    #[tokio::test]
    async fn a_cut_connection_ends_when_the_server_ends_it() {
        // A server that reads until its peer is silent, then closes: what a
        // heartbeat timeout does.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = listener.local_addr().unwrap();
        let (closed_tx, closed) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let (s, _) = listener.accept().await.unwrap();
            let _ = closed.await;
            drop(s);
        });
        let link = Link::start(server).await.unwrap();
        let mut s = TcpStream::connect(link.addr).await.unwrap();
        s.write_all(b"hi").await.unwrap();
        link.cut();
        closed_tx.send(()).unwrap();
        let mut buf = [0u8; 8];
        let read = tokio::time::timeout(BOUND, s.read(&mut buf)).await;
        assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "{read:?}");
    }

    #[tokio::test]
    async fn a_pause_holds_every_byte_until_resumed() {
        let link = Link::start(echo().await).await.unwrap();
        let mut s = TcpStream::connect(link.addr).await.unwrap();
        assert_eq!(roundtrip(&mut s, b"one").await, b"one");
        link.pause();
        s.write_all(b"held").await.unwrap();
        let mut buf = [0u8; 4];
        // Absence proved by a bounded wait: nothing comes back while paused.
        let early = tokio::time::timeout(Duration::from_millis(200), s.read(&mut buf)).await;
        assert!(early.is_err(), "a paused link forwarded {early:?}");
        link.resume();
        tokio::time::timeout(BOUND, s.read_exact(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf, b"held");
    }

    #[tokio::test]
    async fn a_connection_made_while_paused_waits_for_the_resume() {
        let link = Link::start(echo().await).await.unwrap();
        link.pause();
        let mut s = TcpStream::connect(link.addr).await.unwrap();
        s.write_all(b"late").await.unwrap();
        let mut buf = [0u8; 4];
        let early = tokio::time::timeout(Duration::from_millis(200), s.read(&mut buf)).await;
        assert!(early.is_err(), "a paused link forwarded {early:?}");
        link.resume();
        tokio::time::timeout(BOUND, s.read_exact(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&buf, b"late");
    }
}
