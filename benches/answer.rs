//! How long one question takes with a warm engine (alone, and as a Telegram reply rendered to HTML) on the shipped
//! faq/ and on a synthetic 1k-entry faq/, and how long the index takes to build. Larger sizes, the Python baselines
//! and memory are in benches/compare/run.sh.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use faqbot::faq::KnowledgeBase;
use faqbot::live::LiveEngine;
use faqbot::search::{build, open_or_build};
use faqbot::telegram::conversation::{Asker, Conversation};
use faqbot::{Ask, Engine};
use faqbot_synth as synth;

const FAQ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/faq");

fn questions(c: &mut Criterion) {
    let index = tempfile::tempdir().expect("temporary index folder");
    let opened = open_or_build(Path::new(FAQ), index.path(), false).expect("index of the shipped faq");
    let engine = Engine::new(opened.index, faqbot::answer::DEFAULT_THRESHOLD);
    let mut group = c.benchmark_group("ask");
    for (name, question) in [
        ("english", "Can I switch my subscription account to a service account?"),
        ("chinese", "订阅号可以改成服务号吗？"),
        ("typo", "how much does verfication cost?"),
        ("declined", "How do I back up my WeChat chat history?"),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| engine.ask(question, Ask::default()).expect("reply"))
        });
    }
    group.finish();
}

/// What the bot does with a message: the reply, rendered to Telegram HTML with its rules, source and buttons.
fn telegram_reply(c: &mut Criterion) {
    let index = tempfile::tempdir().expect("temporary index folder");
    let opened = open_or_build(Path::new(FAQ), index.path(), false).expect("index of the shipped faq");
    let engine = Engine::new(opened.index, faqbot::answer::DEFAULT_THRESHOLD);
    let live = Arc::new(LiveEngine::new(engine, Path::new(FAQ), index.path()));
    let conversation = Conversation::new(live, None, HashSet::new());
    let asker = Asker { chat: 1, user: Some(1) };
    let mut group = c.benchmark_group("telegram");
    for (name, question) in [
        ("answer", "Can I switch my subscription account to a service account?"),
        ("declined", "How do I back up my WeChat chat history?"),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                conversation
                    .question(question, asker)
                    .iter()
                    .map(|message| message.doc.html())
                    .collect::<Vec<_>>()
            })
        });
    }
    group.finish();
}

/// The generated questions cycled through, one per iteration: the mean over a realistic mix (English, Chinese,
/// out of domain) on a knowledge base 70 times the shipped one.
fn synthetic_questions(c: &mut Criterion) {
    const ENTRIES: usize = 1_000;
    let folder = tempfile::tempdir().expect("temporary folder");
    let (faq, index) = (folder.path().join("faq"), folder.path().join("index"));
    let corpus = synth::generate(ENTRIES, synth::DEFAULT_SEED);
    corpus.write_faq(&faq).expect("synthetic faq");
    let questions = corpus.questions(synth::DEFAULT_QUESTIONS, synth::DEFAULT_SEED);
    let opened = open_or_build(&faq, &index, false).expect("index of the synthetic faq");
    let engine = Engine::new(opened.index, faqbot::answer::DEFAULT_THRESHOLD);
    let mut group = c.benchmark_group("ask");
    let mut next = questions.iter().cycle();
    group.bench_function("synthetic 1k mix", |b| {
        b.iter(|| {
            let case = next.next().expect("a cycle never ends");
            engine.ask(&case.q, Ask::default()).expect("reply")
        })
    });
    group.finish();
}

fn index_build(c: &mut Criterion) {
    let knowledge_base = KnowledgeBase::load(Path::new(FAQ)).expect("faq").knowledge_base;
    let mut group = c.benchmark_group("index");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("build shipped faq", |b| {
        b.iter_with_setup(
            || tempfile::tempdir().expect("temporary folder"),
            |dir| build::build(&knowledge_base, &dir.path().join("gen"), "bench").expect("build"),
        )
    });
    group.finish();
}

criterion_group!(benches, questions, telegram_reply, synthetic_questions, index_build);
criterion_main!(benches);
