//! How `faqbot ask` prints a reply in a terminal: the shared layout through the ANSI sink, then the operator's "why".

use std::fmt::Write as _;

use faqbot::Reply;
pub use faqbot::present::sink::{BOLD, DIM, HIGHLIGHT};
use faqbot::present::{Ansi, Layout};

/// A whole reply, ready to print: its layout as `faqbot ask` shows it, then why, when asked.
pub fn reply(reply: &Reply) -> String {
    let mut sink = Ansi::new();
    Layout::of(reply).report(&mut sink);
    let mut out = sink.finish();
    if let Some(explanation) = &reply.explanation {
        let _ = writeln!(
            out,
            "\n{BOLD}Why{BOLD:#}  confidence {:.3} (threshold {:.2}), gap to the runner-up {:.3}",
            reply.confidence, reply.threshold, explanation.gap
        );
        let concepts: Vec<String> = explanation
            .concepts
            .iter()
            .map(|c| format!("{} (weight {:.2}{})", c.concept, c.weight, synonyms(&c.alternatives)))
            .collect();
        let _ = writeln!(
            out,
            "  terms: {}",
            if concepts.is_empty() {
                "none".to_string()
            } else {
                concepts.join(", ")
            }
        );
        for candidate in &explanation.candidates {
            let _ = writeln!(
                out,
                "  {BOLD}{}{BOLD:#}  score {:.3} = question {:.3} + {} × answer {:.3}; coverage {:.3}, closest phrasing covered {:.3}",
                candidate.id,
                candidate.score,
                candidate.question_score,
                faqbot::search::query::ANSWER_WEIGHT,
                candidate.answer_score,
                candidate.coverage,
                candidate.phrasing_coverage
            );
            if let Some(question) = &candidate.matched_question {
                let _ = writeln!(out, "      best-matching question: {question}");
            }
            for field in [
                faqbot::search::MatchField::Question,
                faqbot::search::MatchField::Answer,
                faqbot::search::MatchField::Tags,
            ] {
                let matched: Vec<String> = candidate
                    .matches
                    .iter()
                    .filter(|m| m.field == field)
                    .map(|m| format!("{} {:.2}", m.concept, m.score))
                    .collect();
                if !matched.is_empty() {
                    let _ = writeln!(
                        out,
                        "      {:<9} {}",
                        format!("{field:?}").to_lowercase(),
                        matched.join(", ")
                    );
                }
            }
        }
    }
    out
}

fn synonyms(alternatives: &[String]) -> String {
    match alternatives.get(1..) {
        Some(rest) if !rest.is_empty() => format!("; also {}", rest.join(" / ")),
        _ => String::new(),
    }
}
