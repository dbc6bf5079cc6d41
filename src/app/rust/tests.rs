use super::*;
use crate::app::tutorial_chat;
use crate::app::{EmitOp, Expr};

#[test]
fn a_parameter_no_operation_reads_is_marked_unused() {
    let handler = Handler {
        event: "pair".into(),
        args: vec!["a".into(), "b".into()],
        ops: vec![Op::Log("{b}".into())],
    };
    let code = event_fn("on_pair", &handler, "SocketData", None, false);
    assert!(
        code.contains("Data((_a, b)): Data<(String, String)>"),
        "{code}"
    );
}

#[test]
fn the_tutorial_chat_in_rust() {
    let (code, install) = namespace(&tutorial_chat().namespaces[0]);
    assert_eq!(install, "io.ns(\"/\", on_connect);");
    assert!(code.contains("async fn on_chat_message(io: SocketIo, Data(msg): Data<String>) {\n    println!(\"message: {msg}\");\n    io.emit(\"chat message\", &msg).await.ok();"), "{code}");
    // Nothing in the chat names a room by a socket's id: no shim.
    assert!(!code.contains(OWN_ID_ROOM), "{code}");
    assert!(!code.contains("socket.join(socket.id)"), "{code}");
}

fn tell_and_join(ids_sent_to: &[&str]) -> Namespace {
    let emit = |to: &str| EmitOp {
        event: "news".into(),
        to: vec![vec![Expr(Source::Param(to.into()))]],
        args: vec![Expr(Source::Param("msg".into()))],
        ..EmitOp::default()
    };
    Namespace {
        name: "/".into(),
        events: vec![
            Handler {
                event: "tell".into(),
                args: vec!["room".into(), "msg".into()],
                ops: vec![Op::Emit(emit("room"))],
            },
            Handler {
                event: "join".into(),
                args: vec!["room".into()],
                ops: vec![Op::Join(vec![Expr(Source::Param("room".into()))])],
            },
        ],
        id_events: ids_sent_to.iter().map(|e| e.to_string()).collect(),
        ..Namespace::default()
    }
}

/// `socket.to(room)` is printed as a socketioxide user writes it, unless a socket
/// can be in another's own-id room; the own-id room itself only where an id is used.
#[test]
fn own_id_shims_appear_only_where_they_change_the_traffic() {
    let plain = printed(&tell_and_join(&[]));
    assert!(!plain.connect.contains(OWN_ID_ROOM), "{}", plain.connect);
    let tell = plain.event("tell").unwrap();
    assert!(
        tell.contains("    socket.to(room.clone()).emit(\"news\", &msg).await.ok();\n"),
        "{tell}"
    );

    // A private message by id: the room must exist, but nobody else can be in it.
    let private = printed(&tell_and_join(&["tell"]));
    assert!(private.connect.contains(OWN_ID_ROOM), "{}", private.connect);
    let tell = private.event("tell").unwrap();
    assert!(!tell.contains(SENDER_ROOM), "{tell}");
    assert!(tell.contains("socket.to(room.clone())"), "{tell}");

    // A socket may join another's own-id room: Node leaves that whole room out.
    let game = printed(&tell_and_join(&["tell", "join"]));
    let tell = game.event("tell").unwrap();
    assert!(tell.contains(SENDER_ROOM), "{tell}");
    assert!(
        tell.contains("socket.broadcast().to(room.clone()).except(socket.id)"),
        "{tell}"
    );
}

/// `any` (Node's `onAny`) is one function that every handler and the fallback call
/// first, before the per-packet middleware's check, as Node runs `onAny` first.
#[test]
fn any_is_called_first_in_every_handler_and_the_fallback() {
    let mut ns = tutorial_chat().namespaces.remove(0);
    ns.any = vec![Op::Log("in: {event}".into())];
    let printed = printed(&ns);
    assert!(
        printed
            .any
            .contains("async fn on_any(event: &str) {\n    println!(\"in: {event}\");\n}"),
        "{}",
        printed.any
    );
    let handler = printed.event("chat message").unwrap();
    assert!(
        handler.starts_with(&format!(
            "async fn on_chat_message(io: SocketIo, Data(msg): Data<String>) {{\n    {ANY_SHIM}\n    on_any(\"chat message\").await;\n"
        )),
        "{handler}"
    );
    // No catch-all was declared, yet `onAny` sees unhandled events too.
    let fallback = printed.unhandled.as_deref().unwrap();
    assert!(
        fallback.contains("Event(event): Event) {\n    // shim: socketioxide has no `onAny`; each handler calls it first\n    on_any(&event).await;"),
        "{fallback}"
    );
    assert!(printed
        .connect
        .contains("socket.on_fallback(on_unhandled);"));
    let js = crate::app::js::namespace(&ns);
    assert!(
        js.contains("  socket.onAny((event) => {\n    console.log(`in: ${event}`);\n  });\n  socket.on(\"chat message\""),
        "{js}"
    );
}

#[test]
fn a_namespace_named_by_digits_gives_rust_names() {
    let ns = Namespace {
        name: "/1".into(),
        events: vec![Handler {
            event: "go".into(),
            args: vec![],
            ops: vec![Op::Log("went".into())],
        }],
        ..Namespace::default()
    };
    let (code, install) = namespace(&ns);
    assert!(install.contains("ns_1_on_connect"), "{install}");
    assert!(code.contains("async fn ns_1_on_connect("), "{code}");
    assert!(code.contains("async fn ns_1_on_go("), "{code}");
}
