//! `run nodes`: a lesson on two nodes of the lab server, a real redis-server and a
//! real HAProxy, judged from the trace (the transcript itself is pinned in
//! lessons.rs, and reference.rs runs it on two Node reference processes).

use crate::common;

use common::{name_list as names, run, stderr, step_titled as step};

#[test]
fn an_adapter_and_a_sticky_balancer_change_who_receives() {
    let (doc, code) = crate::reference::json_run(&["run", "nodes", "--json"]);
    assert_eq!(code, Some(0), "{doc:#}");

    // No adapter: node 1's `io.emit` reaches node 1's sockets only.
    let alone = step(&doc, "alice writes to everyone, with no adapter");
    assert_eq!(names(&alone["delivered_to"]), ["alice"]);
    assert_eq!(alone["nodes"]["alice"], 1);
    assert_eq!(alone["nodes"]["bob"], 2);

    // Polling through round robin: the second request meets a node without the session.
    let refused = step(
        &doc,
        "carol comes in through the balancer, polling, round robin",
    );
    let text = refused.to_string();
    assert!(text.contains("Session ID unknown"), "{refused:#}");
    assert!(refused["nodes"].get("carol").is_none(), "{refused:#}");

    // Redis adapter and a sticky balancer: everyone, carol on the node that kept her.
    let everyone = step(&doc, "alice writes to everyone again");
    assert_eq!(names(&everyone["delivered_to"]), ["alice", "bob", "carol"]);
    let carol = everyone["nodes"]["carol"].as_u64().unwrap();
    assert!(carol == 1 || carol == 2, "{everyone:#}");

    // A room whose members sit on both nodes.
    let team = step(&doc, "alice writes to team");
    assert_eq!(names(&team["delivered_to"]), ["bob", "carol"]);

    // `local`: the sockets on carol's node, and none on the other.
    let local = step(&doc, "carol asks her node alone to speak");
    let expected: Vec<&str> = ["alice", "bob", "carol"]
        .into_iter()
        .filter(|n| local["nodes"][*n].as_u64() == Some(carol))
        .collect();
    assert_eq!(names(&local["delivered_to"]), expected);
}

#[test]
fn a_missing_load_balancer_is_named_with_how_to_install_it() {
    let out = common::bin()
        .args(["run", "nodes", "--color", "never"])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("HAProxy"), "{err}");
    assert!(err.contains("apt-get install haproxy"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn one_server_for_a_lesson_on_two_nodes_is_a_usage_error() {
    let out = run(&["run", "nodes", "--server", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("give `--server` once for each"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn nodes_are_checked_where_the_file_says_them() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "count = 4",
            "[nodes]\ncount = 4\n",
            "`count` = 4 nodes: a lesson shows 2 to 3",
        ),
        (
            "a node past count",
            "[nodes]\ncount = 2\n",
            "`node` = 3 for `alice`: the lesson's nodes are 1 to 2",
        ),
        (
            "a redeploy while connected",
            "[nodes]\ncount = 2\n",
            "`redeploy` restarts every server: disconnect `alice`",
        ),
    ];
    for (i, (what, nodes, message)) in cases.iter().enumerate() {
        let node = if *what == "a node past count" { 3 } else { 1 };
        let mut text = format!(
            "format_version = 2\ntitle = \"t\"\nsummary = \"s\"\nintro = \"i\"\n{nodes}\n\
             [server]\n[[server.namespaces]]\nname = \"/\"\n\n\
             [[clients]]\nname = \"alice\"\nnode = {node}\n\n\
             [[steps]]\ntitle = \"in\"\nop = \"connect\"\nactor = \"alice\"\n"
        );
        if *what == "a redeploy while connected" {
            text.push_str("\n[[steps]]\ntitle = \"up\"\nop = \"redeploy\"\nadapter = \"redis\"\n");
        }
        let name = format!("case{i}");
        std::fs::write(dir.path().join(format!("{name}.toml")), &text).unwrap();
        let out = common::bin()
            .args([
                "check",
                dir.path().join(format!("{name}.toml")).to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let err = format!("{}{}", common::stdout(&out), stderr(&out));
        assert_ne!(out.status.code(), Some(0), "{what}: {err}");
        assert!(err.contains(message), "{what}: {err}");
        // file:line:col
        assert!(err.contains(&format!("{name}.toml:")), "{what}: {err}");
    }
}
