//! The web channel's round trip: `POST /api/ask` and `POST /api/chat` over loopback HTTP (keep-alive), on the shipped
//! faq/ with a warm engine, against the in-process server `faqbot serve` runs. What it adds to the engine's own
//! time (`benches/answer.rs`) is HTTP, JSON and the hop to a blocking thread.

use std::collections::HashSet;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use faqbot::Engine;
use faqbot::live::LiveEngine;
use faqbot::search::open_or_build;
use faqbot::telegram::Conversation;
use faqbot::web::{self, Options, Web};

const FAQ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/faq");

fn round_trip(c: &mut Criterion) {
    let index = tempfile::tempdir().expect("temporary index folder");
    let opened = open_or_build(Path::new(FAQ), index.path(), false).expect("index of the shipped faq");
    let engine = Engine::new(opened.index, faqbot::answer::DEFAULT_THRESHOLD);
    let live = Arc::new(LiveEngine::new(engine, Path::new(FAQ), index.path()));
    let web = Arc::new(Web::new(Options {
        allow_origins: Vec::new(),
        rate_limit: NonZeroU32::MAX,
        wechat: None,
    }));
    web.set_ready(Arc::new(Conversation::new(live, None, HashSet::new())));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(web::bind("127.0.0.1:0".parse().expect("address")))
        .expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    runtime.spawn(async move {
        let app = web::router(web).into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app).await
    });
    let client = reqwest::Client::new();
    let post = |path: &str, body: serde_json::Value| {
        let request = client.post(format!("{base}{path}")).json(&body);
        runtime.block_on(async {
            let response = request.send().await.expect("a response");
            assert!(response.status().is_success());
            response.bytes().await.expect("a body")
        })
    };
    let mut group = c.benchmark_group("web");
    let question = "Can I switch my subscription account to a service account?";
    group.bench_function("api_ask", |b| {
        b.iter(|| post("/api/ask", serde_json::json!({ "question": question })))
    });
    group.bench_function("api_chat", |b| {
        b.iter(|| post("/api/chat", serde_json::json!({ "session": "bench", "text": question })))
    });
    group.finish();
}

criterion_group!(benches, round_trip);
criterion_main!(benches);
