use super::*;
use crate::app::tutorial_chat;

#[test]
fn a_parameter_no_operation_reads_is_marked_unused() {
    let handler = Handler {
        event: "pair".into(),
        args: vec!["a".into(), "b".into()],
        ops: vec![Op::Log("{b}".into())],
    };
    let code = event_fn("on_pair", &handler, "SocketData", None);
    assert!(
        code.contains("Data((_a, b)): Data<(String, String)>"),
        "{code}"
    );
}

#[test]
fn the_tutorial_chat_in_rust() {
    let (code, install) = namespace(&tutorial_chat().namespaces[0]);
    assert_eq!(install, "io.ns(\"/\", on_connect);");
    assert!(code.contains("async fn on_chat_message(io: SocketIo, Data(msg): Data<String>) {\n    println!(\"message: {msg}\");\n    io.emit(\"chat message\", &msg).await.unwrap_or_else"), "{code}");
    assert!(code.contains(OWN_ID_ROOM));
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
