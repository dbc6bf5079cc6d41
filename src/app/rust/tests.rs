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
