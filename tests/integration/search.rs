//! `faqbot search`: ranked hits with scores and highlighted snippets.

use crate::util::{Workspace, assert_starts_with};

#[test]
fn shows_ranked_hits_with_highlighted_snippets() {
    let workspace = Workspace::shipped();
    let output = workspace.run(&["search", "verification", "fee"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let first = output.stdout.lines().next().expect("a hit");
    assert!(first.starts_with(" 1. fees  score "), "{}", output.stdout);
    assert!(
        output.stdout.contains("**"),
        "matched words are marked when not a terminal: {}",
        output.stdout
    );
}

#[test]
fn json_lines_carry_snippet_ranges_inside_the_snippet() {
    let workspace = Workspace::shipped();
    let output = workspace.run(&["search", "--json", "--top", "3", "broadcast"]);
    let hits = output.json_lines();
    assert_eq!(hits.len(), 3, "{}", output.stdout);
    assert_eq!(hits[0]["id"], "broadcast-quota");
    let snippet = hits[0]["snippet"].as_str().expect("snippet");
    let words: Vec<String> = hits[0]["highlights"]
        .as_array()
        .expect("highlights")
        .iter()
        .map(|range| {
            let (start, end) = (
                range["start"].as_u64().expect("start") as usize,
                range["end"].as_u64().expect("end") as usize,
            );
            snippet
                .get(start..end)
                .unwrap_or_else(|| panic!("{start}..{end} is not inside {snippet:?}"))
                .to_lowercase()
        })
        .collect();
    assert!(words.iter().any(|w| w == "broadcast"), "{words:?} in {snippet}");
    assert!(
        words
            .iter()
            .all(|w| w.starts_with("broadcast") || w.starts_with("mass") || w.starts_with("messag") || w == "push"),
        "only the word and its synonyms: {words:?}"
    );
}

#[test]
fn query_syntax_is_just_words() {
    let workspace = Workspace::fixture();
    let output = workspace.run(&["search", "title:\"free\" AND (registration OR NOT x)^2 ~*"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_starts_with(&output.stdout, " 1. registration-cost");
}

#[test]
fn an_empty_query_is_a_usage_error() {
    let workspace = Workspace::fixture();
    for query in ["", "   "] {
        let output = workspace.run(&["search", query]);
        assert_eq!(output.code, 2, "{query:?}: {}", output.stderr);
        assert!(output.stderr.contains("the query is empty"), "{}", output.stderr);
        assert_eq!(output.stdout, "");
    }
}
