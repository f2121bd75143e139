//! No input breaks the engine: query syntax, control characters, huge pastes and arbitrary strings all get a reply.

use std::path::Path;
use std::sync::OnceLock;

use faqbot::search::open_or_build;
use faqbot::{Ask, Engine};
use proptest::prelude::*;

use crate::util::{SHIPPED_FAQ, Workspace};

/// One engine on the shipped faq/ for every generated question.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let index = Path::new(env!("CARGO_TARGET_TMPDIR")).join("robustness-index");
        let opened = open_or_build(Path::new(SHIPPED_FAQ), &index, false).expect("index of the shipped faq");
        Engine::new(opened.index, faqbot::answer::DEFAULT_THRESHOLD)
    })
}

fn hostile_inputs() -> Vec<String> {
    vec![
        "\"switch\" account".into(),
        "title:switch".into(),
        "switch AND service OR NOT subscription".into(),
        "swi*ch ~verification^3".into(),
        "[fees] {cost} (price)".into(),
        "😀🎉 can I switch? 👍".into(),
        "con\u{0007}trol \u{0000} chars \u{001b}[31m".into(),
        "\u{202e}switch\u{200f} account \u{200e}".into(),
        "ＣＡＮ Ｉ ＳＷＩＴＣＨ ＭＹ ＡＣＣＯＵＮＴ？".into(),
        "".into(),
        "   ".into(),
        "?".into(),
        "a".repeat(20_000),
        "订阅号".repeat(7_000),
        "switch ".repeat(3_000),
        "\\ / \\\\ '' \"\" `` && || !! -- ++".into(),
    ]
}

#[test]
fn hostile_inputs_get_a_reply_from_the_binary() {
    let workspace = Workspace::shipped();
    let input: String = hostile_inputs()
        .iter()
        .map(|q| format!("{}\n", q.replace(['\n', '\r'], " ")))
        .collect();
    let output = workspace.run_with_input(&["ask", "--json"], Some(&input));
    assert_eq!(output.code, 0, "{}", output.stderr);
    let replies = output.json_lines();
    assert_eq!(replies.len(), hostile_inputs().len());
    for reply in &replies {
        assert!(reply["answered"].is_boolean() && reply["results"].is_array(), "{reply}");
    }
    assert_eq!(
        replies[8]["results"][0]["id"], "switch-account-type",
        "full-width text is folded"
    );
    assert_eq!(replies[8]["answered"], true);
    assert!(output.stderr.is_empty(), "no warnings or errors: {}", output.stderr);
}

#[test]
fn hostile_inputs_get_a_reply_from_the_engine() {
    for question in hostile_inputs() {
        let reply = engine()
            .ask(&question, Ask::default())
            .unwrap_or_else(|e| panic!("{question:?}: {e}"));
        assert!((0.0..=1.0).contains(&reply.confidence), "{question:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_always_get_a_consistent_reply(question in any::<String>()) {
        let reply = engine().ask(&question, Ask { results: 4, explain: true }).expect("a reply");
        prop_assert!(reply.results.len() <= 4);
        prop_assert!(!reply.answered || !reply.results.is_empty());
        // Best first by the engine's ranking: the lexical score relative to the best plus the semantic similarity.
        if let Some(explanation) = &reply.explanation {
            let best = explanation.candidates.iter().map(|c| c.score).fold(0.0, f32::max);
            let key = |c: &faqbot::answer::ExplainedCandidate| {
                if best > 0.0 { c.score / best + faqbot::search::query::SEMANTIC_WEIGHT * c.semantic } else { 0.0 }
            };
            prop_assert!(explanation.candidates.windows(2).all(|pair| key(&pair[0]) >= key(&pair[1]) - 1e-6), "best first");
        }
        let mut ids: Vec<&str> = reply.results.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        prop_assert_eq!(ids.len(), reply.results.len(), "no entry twice");
        if let Some(best) = reply.results.first() {
            prop_assert_eq!(best.confidence, reply.confidence);
        }
    }

    #[test]
    fn query_syntax_around_a_known_question_changes_nothing(noise in "[ :\"*~^()\\[\\]{}+\\-]{1,12}") {
        let plain = engine().ask("verification cost", Ask::default()).expect("a reply");
        let noisy = engine().ask(&format!("{noise}verification{noise}cost{noise}"), Ask::default()).expect("a reply");
        prop_assert_eq!(&noisy.results[0].id, &plain.results[0].id);
        prop_assert_eq!(noisy.confidence, plain.confidence);
    }
}
