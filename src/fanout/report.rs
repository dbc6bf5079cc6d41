//! What the swarm measured, size by size, and how it is shown: a table, a chart and
//! one sentence on growth. Every figure comes from a receipt a client noted.

use std::time::Duration;

use indicatif::ProgressBar;

use super::swarm::{Delivery, Swarm, Target};
use super::{sizes, FanoutError, IN_FLIGHT, ROOM_SIZE, TIMEOUT};

/// Nearest-rank percentile of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Median of the "every recipient had it" times, p50 and p99 over all recipients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub all: Duration,
    pub p50: Duration,
    pub p99: Duration,
    pub recipients: usize,
}

pub fn summarize(deliveries: &[Delivery]) -> Summary {
    let mut alls: Vec<Duration> = deliveries.iter().map(|d| d.all).collect();
    alls.sort();
    let mut pooled: Vec<Duration> = deliveries
        .iter()
        .flat_map(|d| d.latencies.iter().copied())
        .collect();
    pooled.sort();
    Summary {
        all: percentile(&alls, 50.0),
        p50: percentile(&pooled, 50.0),
        p99: percentile(&pooled, 99.0),
        recipients: deliveries.first().map(|d| d.latencies.len()).unwrap_or(0),
    }
}

/// One measured size.
#[derive(Debug, Clone)]
pub struct Row {
    pub clients: usize,
    /// Time to connect the clients added for this size.
    pub connect: Duration,
    pub everyone: Summary,
    pub room: Summary,
}

pub struct Report {
    pub rows: Vec<Row>,
    pub connect_total: Duration,
    pub limit: u64,
    pub repeats: usize,
}

/// Runs the whole measurement: grows the swarm size by size and broadcasts.
pub async fn measure(
    url: &str,
    clients: usize,
    repeats: usize,
    progress: &ProgressBar,
    limit: u64,
) -> Result<Report, FanoutError> {
    let mut swarm = Swarm::new(url, TIMEOUT).await?;
    let outcome = measure_on(&mut swarm, clients, repeats, progress, limit).await;
    swarm.close().await;
    outcome
}

async fn measure_on(
    swarm: &mut Swarm,
    clients: usize,
    repeats: usize,
    progress: &ProgressBar,
    limit: u64,
) -> Result<Report, FanoutError> {
    let mut rows = Vec::new();
    let mut connect_total = Duration::ZERO;
    for size in sizes(clients) {
        progress.set_message(format!("connecting {size} clients"));
        let connect = swarm.grow_to(size, IN_FLIGHT, progress).await?;
        connect_total += connect;
        swarm.fill_room(ROOM_SIZE).await?;
        progress.set_message(format!("broadcasting to {size} clients"));
        let mut everyone = Vec::new();
        let mut room = Vec::new();
        for _ in 0..repeats.max(1) {
            everyone.push(swarm.broadcast(Target::Everyone).await?);
            room.push(swarm.broadcast(Target::Room).await?);
        }
        let strays = swarm.settle().await?;
        if strays > 0 {
            return Err(FanoutError::Strays { count: strays });
        }
        rows.push(Row {
            clients: size,
            connect,
            everyone: summarize(&everyone),
            room: summarize(&room),
        });
    }
    Ok(Report {
        rows,
        connect_total,
        limit,
        repeats: repeats.max(1),
    })
}

/// Milliseconds with a precision that suits the size.
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

pub fn table(report: &Report) -> String {
    let room = report.rows.first().map(|r| r.room.recipients).unwrap_or(0);
    let mut out = String::new();
    out.push_str(&format!(
        "{:>8}  {:>10}  | {:>10} {:>9} {:>9}  | {:>10} {:>9} {:>9}\n",
        "clients",
        "connect",
        "io.emit",
        "p50",
        "p99",
        format!("room of {room}"),
        "p50",
        "p99"
    ));
    for r in &report.rows {
        out.push_str(&format!(
            "{:>8}  {:>10}  | {:>10} {:>9} {:>9}  | {:>10} {:>9} {:>9}\n",
            r.clients,
            ms(r.connect),
            ms(r.everyone.all),
            ms(r.everyone.p50),
            ms(r.everyone.p99),
            ms(r.room.all),
            ms(r.room.p50),
            ms(r.room.p99),
        ));
    }
    out
}

/// How much each kind of emit grew from the smallest size to the largest, as measured.
pub fn growth(report: &Report) -> String {
    let (Some(first), Some(last)) = (report.rows.first(), report.rows.last()) else {
        return String::new();
    };
    let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64().max(1e-9);
    format!(
        "From {} to {} clients, `io.emit` took {:.1} times as long; the emit to the room of {}, \
         {:.1} times.",
        first.clients,
        last.clients,
        ratio(first.everyone.all, last.everyone.all),
        last.room.recipients,
        ratio(first.room.all, last.room.all),
    )
}

const CHART_WIDTH: usize = 50;

/// Bars of the time until every recipient had the emit: `#` for `io.emit`, `=` for the room.
pub fn chart(report: &Report) -> String {
    let room = report.rows.first().map(|r| r.room.recipients).unwrap_or(0);
    let longest = report
        .rows
        .iter()
        .flat_map(|r| [r.everyone.all, r.room.all])
        .max()
        .unwrap_or_default()
        .as_secs_f64();
    let bar = |d: Duration, c: char| {
        let n = if longest > 0.0 {
            ((d.as_secs_f64() / longest) * CHART_WIDTH as f64).round() as usize
        } else {
            0
        };
        c.to_string().repeat(n.max(1))
    };
    let room_label = format!("room of {room}");
    let width = room_label.len().max("io.emit".len());
    let mut out = String::new();
    for r in &report.rows {
        out.push_str(&format!(
            "{:>8}  {:<width$} |{} {}\n",
            r.clients,
            "io.emit",
            bar(r.everyone.all, '#'),
            ms(r.everyone.all)
        ));
        out.push_str(&format!(
            "{:>8}  {:<width$} |{} {}\n",
            "",
            room_label,
            bar(r.room.all, '='),
            ms(r.room.all)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&d, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&d[..1], 99.0), Duration::from_millis(1));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    fn summary(ms: u64) -> Summary {
        let d = Duration::from_millis(ms);
        Summary {
            all: d,
            p50: d,
            p99: d,
            recipients: 10,
        }
    }

    #[test]
    fn the_chart_has_two_bars_per_size_scaled_to_the_longest() {
        let report = Report {
            rows: vec![
                Row {
                    clients: 10,
                    connect: Duration::from_millis(1),
                    everyone: summary(1),
                    room: summary(1),
                },
                Row {
                    clients: 1000,
                    connect: Duration::from_millis(1),
                    everyone: summary(100),
                    room: summary(1),
                },
            ],
            connect_total: Duration::from_millis(2),
            limit: 20_000,
            repeats: 3,
        };
        let chart = chart(&report);
        let lines: Vec<&str> = chart.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[2].matches('#').count(), CHART_WIDTH);
        assert_eq!(lines[3].matches('=').count(), 1);
        assert!(lines[1].contains("room of 10"));
        assert_eq!(table(&report).lines().count(), 3);
    }
}
