//! Which TCP ports a process group listens on, so that a server that ignores `PORT`
//! (the chat tutorial's `server.listen(3000)`) is told so by the port it chose.
//! Linux reads `/proc`: the group's processes from `/proc/PID/stat`, their socket
//! inodes from `/proc/PID/fd`, and listening sockets from `/proc/net/tcp{,6}`. That
//! is some forty lines; a crate for it (procfs, listeners) would bring far more
//! code and still need the group filter. Elsewhere the answer is "unknown" (empty).

#[cfg(target_os = "linux")]
pub fn of_group(pgid: i32) -> Vec<u16> {
    use std::collections::BTreeSet;
    let mut inodes = BTreeSet::new();
    for pid in group_members(pgid) {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            let target = target.to_string_lossy();
            if let Some(inode) = target
                .strip_prefix("socket:[")
                .and_then(|t| t.strip_suffix(']'))
            {
                inodes.insert(inode.to_string());
            }
        }
    }
    let mut ports = BTreeSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        ports.extend(listening(&text, &inodes));
    }
    ports.into_iter().collect()
}

#[cfg(not(target_os = "linux"))]
pub fn of_group(_pgid: i32) -> Vec<u16> {
    Vec::new()
}

/// Whether a process of the group is still running (not a zombie).
#[cfg(target_os = "linux")]
pub fn group_running(pgid: i32) -> bool {
    group_members(pgid).into_iter().any(|pid| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z'))
    })
}

/// Elsewhere the group's existence has to do.
#[cfg(not(target_os = "linux"))]
pub fn group_running(_pgid: i32) -> bool {
    true
}

/// The pids whose process group is `pgid`.
#[cfg(target_os = "linux")]
fn group_members(pgid: i32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // After the command name, which may hold spaces and ends at the last ')':
            // state, ppid, pgrp.
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(2)?.parse::<i32>().ok())
                == Some(pgid)
        })
        .collect()
}

/// Ports of the sockets in state LISTEN (`0A`) whose inode is one of `inodes`, read
/// from a `/proc/net/tcp` table.
fn listening(table: &str, inodes: &std::collections::BTreeSet<String>) -> Vec<u16> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (local, state, inode) = (fields.get(1)?, fields.get(3)?, fields.get(9)?);
            if *state != "0A" || !inodes.contains(*inode) {
                return None;
            }
            let (_, port) = local.rsplit_once(':')?;
            u16::from_str_radix(port, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proc_table_gives_the_listening_ports_of_known_sockets() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1\n   1: 0100007F:0BB9 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 99 1\n   2: 0100007F:0BBA 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 4243 1\n";
        let inodes = ["4242".to_string(), "4243".to_string()].into();
        assert_eq!(listening(table, &inodes), vec![3000]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_group_is_found_listening() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // SAFETY: getpgrp has no arguments and cannot fail.
        let pgid = unsafe { libc::getpgrp() };
        assert!(of_group(pgid).contains(&port));
    }
}
