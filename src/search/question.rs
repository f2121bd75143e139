//! A question's words as written and its analysed tokens, with typos corrected: only words that are in no entry
//! and are not English words are corrected, to the nearest word of the knowledge base.

use super::SearchIndex;
use super::tokenizer::{self, STOP_WORDS};
use super::words;

/// Longer questions are cut here: no real question is longer, and a 20,000-character paste must stay fast.
pub const MAX_QUESTION_CHARS: usize = 1_000;
/// Words shorter than this are never corrected: too many real words are one edit apart.
const MIN_CORRECTABLE_CHARS: usize = 5;
/// Words this long may be two edits from the vocabulary word, shorter ones one.
const TWO_EDITS_FROM_CHARS: usize = 8;

/// A word the user typed that is not in the vocabulary, and the vocabulary word used instead.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Correction {
    pub from: String,
    pub to: String,
}

impl SearchIndex {
    /// The words of `text` as written and its analyzed tokens, typos corrected (and recorded in `corrections`).
    pub(crate) fn tokens(&self, text: &str, corrections: &mut Vec<Correction>) -> (Vec<SurfaceWord>, Vec<String>) {
        if text.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let words = surface_words(text);
        let found = self.correct_typos(&words);
        if found.is_empty() {
            let tokens = tokenizer::stems_of_words(words.iter().map(|word| word.text.as_str()));
            return (words, tokens);
        }
        let corrected = apply_corrections(text, &words, &found);
        for correction in found {
            if !corrections.contains(&correction) {
                corrections.push(correction);
            }
        }
        (words, tokenizer::analyze(&mut tokenizer::text_analyzer(), &corrected))
    }

    /// Corrects words that are in no entry and are not English words to the nearest vocabulary word, if one is
    /// close: "swich" becomes "switch", but "posts" is a word and stays "posts". A non-word whose stem an entry has
    /// ("wechats") stays, unless a word of another stem is one edit away ("offical", stemmed as "office" is).
    fn correct_typos(&self, words: &[SurfaceWord]) -> Vec<Correction> {
        let mut corrections = Vec::new();
        let mut stemmer = None;
        for SurfaceWord { text: word, .. } in words {
            let length = word.chars().count();
            let correctable = length >= MIN_CORRECTABLE_CHARS
                && word.chars().all(|c| c.is_ascii_alphabetic())
                && !STOP_WORDS.contains(&word.as_str());
            if !correctable
                || self.compiled.knows_word(word)
                || words::is_english_word(word)
                || corrections.iter().any(|c: &Correction| &c.from == word)
            {
                continue;
            }
            let stemmer = stemmer.get_or_insert_with(tokenizer::text_analyzer);
            let stems = tokenizer::analyze(stemmer, word);
            // A non-word whose stem the knowledge base knows is mostly an inflection ("wechats"), but may be a typo
            // of another word that stems alike ("offical" stems as "office" does): only a one-edit word of another
            // stem replaces it.
            let stem_known = stems.iter().any(|stem| self.compiled.knows_token(stem));
            let max_edits = if !stem_known && length >= TWO_EDITS_FROM_CHARS {
                2
            } else {
                1
            };
            let Some(to) = self.compiled.nearest_word(word, max_edits) else {
                continue;
            };
            if stem_known && tokenizer::analyze(stemmer, to) == stems {
                continue;
            }
            corrections.push(Correction {
                from: word.clone(),
                to: to.to_string(),
            });
        }
        corrections
    }
}

/// A word of the question as written (lower-cased and folded), with where it stands in the question.
pub(crate) struct SurfaceWord {
    pub(crate) text: String,
    span: std::ops::Range<usize>,
}

fn surface_words(question: &str) -> Vec<SurfaceWord> {
    let mut words = Vec::new();
    tokenizer::vocab_analyzer()
        .token_stream(question)
        .process(&mut |token| {
            words.push(SurfaceWord {
                text: token.text.clone(),
                span: token.offset_from..token.offset_to,
            })
        });
    words
}

fn apply_corrections(question: &str, words: &[SurfaceWord], corrections: &[Correction]) -> String {
    if corrections.is_empty() {
        return question.to_string();
    }
    let mut last = 0;
    let mut out = String::with_capacity(question.len());
    for word in words {
        if let Some(correction) = corrections.iter().find(|c| c.from == word.text) {
            out.push_str(&question[last..word.span.start]);
            out.push_str(&correction.to);
            last = word.span.end;
        }
    }
    out.push_str(&question[last..]);
    out
}

pub(crate) fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((offset, _)) => &text[..offset],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrections_replace_whole_words_only() {
        let question = "Swich my acount, swich!";
        let fixed = apply_corrections(
            question,
            &surface_words(question),
            &[
                Correction {
                    from: "swich".into(),
                    to: "switch".into(),
                },
                Correction {
                    from: "acount".into(),
                    to: "account".into(),
                },
            ],
        );
        assert_eq!(fixed, "switch my account, switch!");
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_chars("订阅号", 2), "订阅");
        assert_eq!(truncate_chars("ab", 5), "ab");
    }
}
