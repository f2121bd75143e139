//! What `GET /metrics` reports, in Prometheus's text format: questions by language and by what became of them,
//! how long answers took, reloads of faq/ by outcome, and requests refused by the rate limit.
//!
//! Counters are atomics and the histogram has fixed buckets, so recording costs a few atomic adds and nothing here
//! takes a lock.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::answer::ReplyKind;
use crate::lang::Language;
use crate::live::Reloaded;

const LANGUAGES: [Language; 2] = [Language::En, Language::Zh];
/// What became of a question: the engine's kinds of reply, then `failed` for an engine that could not answer.
const OUTCOMES: [&str; 5] = ["answered", "declined", "out_of_scope", "social", "failed"];
const RELOADS: [&str; 4] = ["swapped", "unchanged", "kept_last_good", "failed"];
/// Upper bounds of the latency buckets, in seconds: a warm answer takes tens of microseconds, a cold one
/// milliseconds.
const BUCKETS: [f64; 12] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

#[derive(Debug, Default)]
pub struct Metrics {
    questions: [[AtomicU64; OUTCOMES.len()]; LANGUAGES.len()],
    /// One count per bucket (not cumulative; the report adds them up), then the ones over the last bound.
    latency: [AtomicU64; BUCKETS.len() + 1],
    latency_nanos: AtomicU64,
    reloads: [AtomicU64; RELOADS.len()],
    rate_limited: AtomicU64,
}

fn language_index(language: Language) -> usize {
    match language {
        Language::En => 0,
        Language::Zh => 1,
    }
}

fn language_label(language: Language) -> &'static str {
    match language {
        Language::En => "en",
        Language::Zh => "zh",
    }
}

fn outcome_index(kind: Option<ReplyKind>) -> usize {
    match kind {
        Some(ReplyKind::Answered) => 0,
        Some(ReplyKind::Declined) => 1,
        Some(ReplyKind::OutOfScope) => 2,
        Some(ReplyKind::Social) => 3,
        None => 4,
    }
}

impl Metrics {
    pub fn new() -> Self {
        Self::default()
    }

    /// A question in `language` got a reply of `kind` (`None`: the engine failed) in `took`.
    pub fn question(&self, language: Language, kind: Option<ReplyKind>, took: Duration) {
        self.questions[language_index(language)][outcome_index(kind)].fetch_add(1, Ordering::Relaxed);
        let seconds = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.latency[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.latency_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub fn reloaded(&self, outcome: &Reloaded) {
        let index = match outcome {
            Reloaded::Swapped(_) => 0,
            Reloaded::Unchanged => 1,
            Reloaded::KeptLastGood { .. } => 2,
            Reloaded::Failed(_) => 3,
        };
        self.reloads[index].fetch_add(1, Ordering::Relaxed);
    }

    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text; `ready` is whether the engine is open.
    pub fn render(&self, ready: bool) -> String {
        let mut out = String::new();
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        out.push_str("# HELP faqbot_questions_total Questions asked, by language and by what became of them.\n");
        out.push_str("# TYPE faqbot_questions_total counter\n");
        for language in LANGUAGES {
            for (index, outcome) in OUTCOMES.iter().enumerate() {
                let count = load(&self.questions[language_index(language)][index]);
                let _ = writeln!(
                    out,
                    "faqbot_questions_total{{language=\"{}\",outcome=\"{outcome}\"}} {count}",
                    language_label(language)
                );
            }
        }
        out.push_str("# HELP faqbot_answer_duration_seconds Time from a question to its reply, engine and layout.\n");
        out.push_str("# TYPE faqbot_answer_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (index, bound) in BUCKETS.iter().enumerate() {
            cumulative += load(&self.latency[index]);
            let _ = writeln!(
                out,
                "faqbot_answer_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        cumulative += load(&self.latency[BUCKETS.len()]);
        let _ = writeln!(out, "faqbot_answer_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}");
        let _ = writeln!(
            out,
            "faqbot_answer_duration_seconds_sum {}",
            load(&self.latency_nanos) as f64 / 1e9
        );
        let _ = writeln!(out, "faqbot_answer_duration_seconds_count {cumulative}");
        out.push_str("# HELP faqbot_reloads_total Reloads of faq/, by outcome (kept_last_good: faq/ had errors).\n");
        out.push_str("# TYPE faqbot_reloads_total counter\n");
        for (index, outcome) in RELOADS.iter().enumerate() {
            let _ = writeln!(
                out,
                "faqbot_reloads_total{{outcome=\"{outcome}\"}} {}",
                load(&self.reloads[index])
            );
        }
        out.push_str("# HELP faqbot_rate_limited_total API requests refused with 429.\n");
        out.push_str("# TYPE faqbot_rate_limited_total counter\n");
        let _ = writeln!(out, "faqbot_rate_limited_total {}", load(&self.rate_limited));
        out.push_str("# HELP faqbot_ready Whether the index is open and the API answers.\n");
        out.push_str("# TYPE faqbot_ready gauge\n");
        let _ = writeln!(out, "faqbot_ready {}", u8::from(ready));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_the_histogram_show_in_the_text() {
        let metrics = Metrics::new();
        metrics.question(Language::Zh, Some(ReplyKind::Answered), Duration::from_micros(80));
        metrics.question(Language::En, Some(ReplyKind::Declined), Duration::from_millis(3));
        metrics.question(Language::En, None, Duration::from_secs(2));
        metrics.reloaded(&Reloaded::Unchanged);
        let text = metrics.render(true);
        for line in [
            "faqbot_questions_total{language=\"zh\",outcome=\"answered\"} 1\n",
            "faqbot_questions_total{language=\"en\",outcome=\"declined\"} 1\n",
            "faqbot_questions_total{language=\"en\",outcome=\"failed\"} 1\n",
            "faqbot_questions_total{language=\"en\",outcome=\"answered\"} 0\n",
            "faqbot_answer_duration_seconds_bucket{le=\"0.0001\"} 1\n",
            "faqbot_answer_duration_seconds_bucket{le=\"0.005\"} 2\n",
            "faqbot_answer_duration_seconds_bucket{le=\"1\"} 2\n",
            "faqbot_answer_duration_seconds_bucket{le=\"+Inf\"} 3\n",
            "faqbot_answer_duration_seconds_count 3\n",
            "faqbot_reloads_total{outcome=\"unchanged\"} 1\n",
            "faqbot_ready 1\n",
        ] {
            assert!(text.contains(line), "{line:?} missing from\n{text}");
        }
    }
}
