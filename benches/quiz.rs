//! `cargo bench --bench quiz`: the whole scripted quiz (every lesson's questions,
//! answered right), through the same library operation as `socketio-lab quiz
//! --answers ...`, on the embedded server. Each chosen answer (every choice of a
//! multiple-answer question) is run on a fresh lab server, as in the real command.

use divan::Bencher;
use socketio_lab::engine::LabOptions;
use socketio_lab::paint::Paint;
use socketio_lab::quiz;
use socketio_lab::quiz_session::{self, QuizOptions, Scripted};
use socketio_lab::registry::Registry;

/// Right answers to every question, in quiz order (chat, emit, rooms, namespaces,
/// cheatsheet). Not a key: the runs judge them; the bench only checks they pass.
const ANSWERS: &str = "2,1+2+5, 3,2, 1,1,1+2, 1,1+2+3,1, 2,1,1,1,1,1+2,1,1,1,1";

fn main() {
    // Scores go to a folder of this run, never the user's.
    let state = tempfile::tempdir().expect("a temporary folder");
    std::env::set_var("SOCKETIO_LAB_STATE_DIR", state.path());
    divan::main();
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn whole_scripted_quiz(bencher: Bencher) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let registry = Registry::load(None).expect("the built-in lessons");
    let questions = quiz_session::questions(&registry, None).expect("questions");
    let answers = quiz::parse_answers(ANSWERS).expect("answers");
    quiz::check_answers(&questions, &answers).expect("one answer per question");
    let options = QuizOptions {
        lab: LabOptions::default(),
        ..QuizOptions::default()
    };
    bencher.bench_local(|| {
        let mut scripted = Scripted(answers.clone());
        let finished = runtime
            .block_on(quiz_session::run(
                &questions,
                &mut scripted,
                &options,
                &mut std::io::sink(),
                Paint::PLAIN,
            ))
            .expect("the quiz runs");
        assert_eq!(finished.verdict, socketio_lab::judge::Verdict::Passed);
    });
}
