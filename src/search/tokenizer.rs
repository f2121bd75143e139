//! The one text analysis used to index faq/ and to read questions: mixed English and Chinese, folded, stemmed.
//!
//! Han runs go to jieba (through tantivy-jieba, whose dictionary loads on first use, so an
//! English-only question never pays for it); everything else is split into words. The text is normalised first
//! (see [`super::normalize`]: full-width forms, invisible characters, traditional Chinese and Cantonese) while
//! offsets keep pointing into the original text.

use std::sync::LazyLock;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, Stemmer, StopWordFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
    TokenizerManager, WhitespaceTokenizer,
};

use super::normalize::Normalized;
use crate::lang::is_han;

/// Stemmed, stop-worded analysis for matching.
pub const TEXT: &str = "faqbot_text";
/// Lower-cased words, nothing removed: the vocabulary that typos are corrected against.
pub const VOCAB: &str = "faqbot_vocab";

const MAX_TOKEN_BYTES: usize = 40;

/// Function words of questions, English and Chinese: they say nothing about which entry is meant.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being", "but", "by", "can", "could", "d",
    "did", "do", "does", "doing", "for", "from", "had", "has", "have", "he", "hello", "her", "here", "hey", "hi",
    "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "ll", "m", "may", "me", "might", "mine",
    "must", "my", "no", "not", "of", "on", "onto", "or", "our", "ours", "please", "re", "s", "shall", "she", "should",
    "so", "some", "t", "than", "thank", "thanks", "that", "the", "their", "them", "then", "there", "these", "they",
    "this", "those", "to", "too", "us", "ve", "very", "was", "we", "were", "what", "when", "where", "which", "who",
    "whom", "whose", "why", "will", "with", "would", "you", "your", "yours", "一个", "个", "么", "了", "什么", "他",
    "他们", "你", "你们", "吗", "吧", "呀", "呢", "和", "哦", "啊", "嘛", "在", "她", "如何", "它", "怎么", "怎样",
    "我", "我们", "或", "或者", "是", "有", "请", "请问", "的", "这", "这个", "那", "那个", "及", "与", "可以", "能",
    "能否", "会", "要", "想", "本身", "不要",
    // Contractions typed without their apostrophe: "whats the point" must not make "what" a rare, telling word.
    "whats", "hows", "wheres", "whos", "thats", "theres", "im", "ive", "youre", "dont", "doesnt", "didnt", "cant",
    "isnt", "arent", "wont", "wasnt", "shouldnt", "couldnt", "wouldnt",
];

/// Registers both analyzers. Called on every create *and* open of an index.
pub fn register(manager: &TokenizerManager) {
    manager.register(TEXT, text_analyzer());
    manager.register(VOCAB, vocab_analyzer());
}

/// Built once per process (the stop-word set and the stemmer), cloned cheaply for each use.
static TEXT_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| {
    TextAnalyzer::builder(MixedScriptTokenizer)
        .filter(LowerCaser)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(StopWordFilter::remove(STOP_WORDS.iter().map(|w| w.to_string())))
        .filter(Stemmer::new(Language::English))
        .build()
});

static VOCAB_ANALYZER: LazyLock<TextAnalyzer> = LazyLock::new(|| {
    TextAnalyzer::builder(MixedScriptTokenizer)
        .filter(LowerCaser)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .build()
});

/// The part of [`TEXT_ANALYZER`] that comes after [`VOCAB_ANALYZER`]'s: words in, stems of the telling ones out.
static STEMS_OF_WORDS: LazyLock<TextAnalyzer> = LazyLock::new(|| {
    TextAnalyzer::builder(WhitespaceTokenizer::default())
        .filter(StopWordFilter::remove(STOP_WORDS.iter().map(|w| w.to_string())))
        .filter(Stemmer::new(Language::English))
        .build()
});

pub fn text_analyzer() -> TextAnalyzer {
    TEXT_ANALYZER.clone()
}

pub fn vocab_analyzer() -> TextAnalyzer {
    VOCAB_ANALYZER.clone()
}

/// What the text analyzer makes of a text, given what the vocabulary analyzer made of it: the same tokens without
/// segmenting and folding the text a second time. Words never hold whitespace (they are runs of letters and
/// digits, or jieba's segments of Han runs), so joining them with spaces and splitting there gives them back.
pub fn stems_of_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut joined = String::new();
    for word in words {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    analyze(&mut STEMS_OF_WORDS.clone(), &joined)
}

/// Analyzes `text` into its token texts.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    analyzer
        .token_stream(text)
        .process(&mut |token| tokens.push(token.text.clone()));
    tokens
}

/// Splits text into words and Han segments; see the module documentation.
#[derive(Clone, Copy, Debug, Default)]
pub struct MixedScriptTokenizer;

impl Tokenizer for MixedScriptTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream {
            tokens: segment(text),
            index: None,
        }
    }
}

pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: Option<usize>,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        let next = self.index.map_or(0, |i| i + 1);
        self.index = Some(next);
        next < self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index.unwrap_or(0)]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index.unwrap_or(0)]
    }
}

fn segment(original: &str) -> Vec<Token> {
    let folded = Normalized::new(original);
    let text = folded.text.as_str();
    let mut tokens: Vec<Token> = Vec::new();
    let push = |from: usize, to: usize, tokens: &mut Vec<Token>| {
        tokens.push(Token {
            offset_from: folded.start_of(from),
            offset_to: folded.end_before(to),
            position: tokens.len(),
            text: text[from..to].to_string(),
            position_length: 1,
        });
    };
    let mut run_start = 0;
    let mut run_is_han = None;
    let boundaries = text
        .char_indices()
        .map(|(i, c)| (i, Some(c)))
        .chain([(text.len(), None)]);
    for (offset, c) in boundaries {
        let is_han = c.map(is_han);
        if is_han == run_is_han {
            continue;
        }
        match run_is_han {
            Some(true) => segment_han(text, run_start, offset, &mut |from, to| push(from, to, &mut tokens)),
            Some(false) => segment_words(text, run_start, offset, &mut |from, to| push(from, to, &mut tokens)),
            None => {}
        }
        run_start = offset;
        run_is_han = is_han;
    }
    tokens
}

fn segment_words(text: &str, start: usize, end: usize, emit: &mut dyn FnMut(usize, usize)) {
    let mut word_start = None;
    for (offset, c) in text[start..end]
        .char_indices()
        .map(|(i, c)| (start + i, Some(c)))
        .chain([(end, None)])
    {
        let in_word = c.is_some_and(|c| c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c));
        match (in_word, word_start) {
            (true, None) => word_start = Some(offset),
            (false, Some(from)) => {
                emit(from, offset);
                word_start = None;
            }
            _ => {}
        }
    }
}

fn segment_han(text: &str, start: usize, end: usize, emit: &mut dyn FnMut(usize, usize)) {
    let mut jieba = tantivy_jieba::JiebaTokenizer::new();
    let mut stream = jieba.token_stream(&text[start..end]);
    while stream.advance() {
        let token = stream.token();
        if token.text.chars().any(char::is_alphanumeric) {
            emit(start + token.offset_from, start + token.offset_to);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        analyze(&mut text_analyzer(), text)
    }

    #[test]
    fn english_is_lowercased_stemmed_and_stopped() {
        assert_eq!(
            texts("Can I switch my Subscription account?"),
            vec!["switch", "subscript", "account"]
        );
    }

    #[test]
    fn full_width_is_folded_and_offsets_point_into_the_original() {
        assert_eq!(texts("ＳＷＩＴＣＨ　ＡＣＣＯＵＮＴ？"), vec!["switch", "account"]);
        let tokens = segment("ｓｗｉｔｃｈ it");
        assert_eq!((tokens[0].offset_from, tokens[0].offset_to), (0, "ｓｗｉｔｃｈ".len()));
        assert_eq!(&"ｓｗｉｔｃｈ it"[tokens[1].offset_from..tokens[1].offset_to], "it");
    }

    #[test]
    fn combining_marks_stay_in_their_word_and_expansions_map_to_their_character() {
        assert_eq!(texts("a\u{301}ccount"), vec!["áccount"]);
        let original = "x ㈱ y";
        let tokens = segment(original);
        let spans: Vec<&str> = tokens.iter().map(|t| &original[t.offset_from..t.offset_to]).collect();
        assert_eq!(spans, vec!["x", "㈱", "y"]);
    }

    #[test]
    fn chinese_is_segmented_and_stop_words_removed() {
        let tokens = texts("订阅号可以转换成服务号吗？");
        assert!(tokens.contains(&"订阅".to_string()), "{tokens:?}");
        assert!(tokens.contains(&"服务".to_string()), "{tokens:?}");
        assert!(!tokens.contains(&"可以".to_string()), "{tokens:?}");
        assert!(!tokens.contains(&"吗".to_string()), "{tokens:?}");
    }

    #[test]
    fn mixed_questions_keep_both_scripts() {
        let tokens = texts("我的subscription account能换成服务号吗");
        assert!(tokens.contains(&"subscript".to_string()), "{tokens:?}");
        assert!(tokens.contains(&"account".to_string()), "{tokens:?}");
        assert!(tokens.contains(&"服务".to_string()), "{tokens:?}");
    }

    #[test]
    fn punctuation_controls_and_marks_are_separators() {
        assert_eq!(
            texts("\"switch\"\u{200f}:AND(verify)^2~ *\u{0007}"),
            vec!["switch", "verifi", "2"]
        );
        assert!(texts("").is_empty());
        assert!(texts("?!…😀").is_empty());
    }

    #[test]
    fn vocab_keeps_surface_words() {
        assert_eq!(
            analyze(&mut vocab_analyzer(), "Can I Switch?"),
            vec!["can", "i", "switch"]
        );
    }

    #[test]
    fn stems_of_words_are_the_text_analysis() {
        for text in [
            "Can I switch my subscription account to a service account?",
            "订阅号可以改成服务号吗？",
            "我的subscription account能换成服务号吗",
            "ＳＷＩＴＣＨ ＡＣＣＯＵＮＴ, Verifications & café’s costs",
            "",
            "a\u{301}ccount    tabs\tand\nnewlines",
        ] {
            let words = analyze(&mut vocab_analyzer(), text);
            assert_eq!(stems_of_words(words.iter().map(String::as_str)), texts(text), "{text}");
        }
    }
}
