//! Text normalisation shared by the index and the question side, so that the same thing written another way
//! finds the same words: invisible characters dropped, full-width and compatibility forms folded (NFKC),
//! Cantonese function words read as their Mandarin equivalents, and traditional Chinese converted to simplified
//! with OpenCC's tables. "訂閱號可唔可以轉服務號？" is then read as "订阅号可不可以转服务号？".
//!
//! Every normalised character remembers the span of the original it came from, so that highlights and
//! corrections still point into what the user wrote.

use std::sync::LazyLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use unicode_normalization::UnicodeNormalization;

use crate::lang::is_han;

/// Cantonese words and their Mandarin readings, longest first where one contains another. Written in traditional
/// characters as Hong Kong users type them; the simplified spellings people also use are listed too. Only words
/// that are Cantonese in any context are here: 點 alone ("a bit" in 一點) is not, 點樣 ("how") is.
const CANTONESE: &[(&str, &str)] = &[
    ("可唔可以", "可不可以"),
    ("得唔得", "可以吗"),
    ("係唔係", "是不是"),
    ("系唔系", "是不是"),
    ("使唔使", "需不需要"),
    ("要唔要", "要不要"),
    ("有冇", "有没有"),
    ("係咪", "是不是"),
    ("系咪", "是不是"),
    ("點樣", "怎样"),
    ("点样", "怎样"),
    ("點解", "为什么"),
    ("点解", "为什么"),
    ("點先", "怎样才"),
    ("乜嘢", "什么"),
    ("乜野", "什么"),
    ("幾多", "多少"),
    ("几多", "多少"),
    ("邊個", "哪个"),
    ("边个", "哪个"),
    ("邊度", "哪里"),
    ("边度", "哪里"),
    ("而家", "现在"),
    ("佢哋", "他们"),
    ("我哋", "我们"),
    ("你哋", "你们"),
    ("唔該", "谢谢"),
    ("唔该", "谢谢"),
    ("多謝", "谢谢"),
    ("搞掂", "办好"),
    ("冇", "没有"),
    ("唔", "不"),
    ("嘅", "的"),
    ("係", "是"),
    ("喺", "在"),
    ("佢", "他"),
    ("哋", "们"),
    ("啲", "些"),
    ("嗰", "那"),
    ("咗", "了"),
    ("嘢", "东西"),
    ("睇", "看"),
    ("搵", "找"),
    ("諗", "想"),
    ("俾錢", "付钱"),
    ("俾钱", "付钱"),
    ("畀錢", "付钱"),
    ("畀钱", "付钱"),
    ("畀", "给"),
    ("俾", "给"),
    ("咩", "什么"),
    ("噉", "这样"),
    ("咁", "这么"),
    ("㗎", "的"),
    ("嘛", "吗"),
    ("喎", "哦"),
    ("囉", "啰"),
];

/// Traditional to simplified, loaded on the first text that has Han characters: an English-only process never
/// pays for OpenCC's tables.
static TO_SIMPLIFIED: LazyLock<Option<OpenCC>> = LazyLock::new(|| match OpenCC::from_config(BuiltinConfig::T2s) {
    Ok(converter) => Some(converter),
    Err(error) => {
        tracing::error!(%error, "OpenCC's traditional-to-simplified tables did not load; traditional Chinese is read as written");
        None
    }
});

/// Characters that change nothing a reader sees but split or hide words: zero-width spaces and joiners, the byte
/// order mark, soft hyphens, bidirectional marks and variation selectors.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{FFA0}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Text after normalisation, with where in the original each normalised character came from.
pub struct Normalized {
    pub text: String,
    /// `(offset in text, start in original, end in original)` per normalised char; empty when normalisation changed
    /// nothing and offsets are the original's (ASCII text, which it leaves as it is).
    origins: Vec<(usize, usize, usize)>,
}

impl Normalized {
    pub fn new(original: &str) -> Self {
        if original.is_ascii() {
            return Self {
                text: original.to_string(),
                origins: Vec::new(),
            };
        }
        let mut chars = fold(original);
        if chars.iter().any(|&(c, _, _)| is_han(c)) {
            chars = convert_han_runs(chars);
        }
        let mut text = String::with_capacity(original.len());
        let mut origins = Vec::with_capacity(chars.len());
        for (c, start, end) in chars {
            origins.push((text.len(), start, end));
            text.push(c);
        }
        Self { text, origins }
    }

    /// Where in the original the normalised char at `offset` starts.
    pub fn start_of(&self, offset: usize) -> usize {
        if self.origins.is_empty() {
            return offset;
        }
        match self.origins.binary_search_by_key(&offset, |&(f, _, _)| f) {
            Ok(i) => self.origins[i].1,
            Err(_) => self.origins.last().map_or(0, |&(_, _, end)| end),
        }
    }

    /// Where in the original the normalised char just before `offset` ends.
    pub fn end_before(&self, offset: usize) -> usize {
        if self.origins.is_empty() {
            return offset;
        }
        let i = self.origins.partition_point(|&(f, _, _)| f < offset);
        i.checked_sub(1).map_or(0, |i| self.origins[i].2)
    }
}

/// The normalised text alone, for callers that need no offsets.
pub fn normalize(text: &str) -> String {
    Normalized::new(text).text
}

/// NFKC per base character with the combining marks that follow it (so that a decomposed "a\u{301}" becomes one
/// "á" inside its word), invisible characters dropped.
fn fold(original: &str) -> Vec<(char, usize, usize)> {
    let mut out = Vec::with_capacity(original.len());
    let mut chars = original.char_indices().peekable();
    while let Some((start, first)) = chars.next() {
        if is_invisible(first) {
            continue;
        }
        let mut end = start + first.len_utf8();
        while let Some(&(offset, mark)) = chars.peek() {
            if !unicode_normalization::char::is_combining_mark(mark) {
                break;
            }
            end = offset + mark.len_utf8();
            chars.next();
        }
        for folded in original[start..end].nfkc().filter(|&c| !is_invisible(c)) {
            out.push((folded, start, end));
        }
    }
    out
}

/// Reads each run of Han characters as simplified Mandarin. Where the run keeps its length, each character keeps
/// its own origin; where a word became longer or shorter, the characters of the run share the run's span.
fn convert_han_runs(chars: Vec<(char, usize, usize)>) -> Vec<(char, usize, usize)> {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_han(chars[i].0) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run_end = chars[i..]
            .iter()
            .position(|&(c, _, _)| !is_han(c))
            .map_or(chars.len(), |n| i + n);
        let run = &chars[i..run_end];
        let written: String = run.iter().map(|&(c, _, _)| c).collect();
        let converted = to_simplified(&from_cantonese(&written));
        if converted.chars().count() == run.len() {
            out.extend(converted.chars().zip(run).map(|(c, &(_, start, end))| (c, start, end)));
        } else {
            let (start, end) = (run[0].1, run[run.len() - 1].2);
            out.extend(converted.chars().map(|c| (c, start, end)));
        }
        i = run_end;
    }
    out
}

/// Cantonese words replaced by their Mandarin readings, longest match first.
fn from_cantonese(text: &str) -> String {
    if !text
        .chars()
        .any(|c| CANTONESE.iter().any(|(word, _)| word.starts_with(c)))
    {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match CANTONESE.iter().find(|(word, _)| rest.starts_with(word)) {
            Some((word, mandarin)) => {
                out.push_str(mandarin);
                rest = &rest[word.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

fn to_simplified(text: &str) -> String {
    match &*TO_SIMPLIFIED {
        Some(converter) => converter.convert(text),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_chinese_becomes_simplified() {
        assert_eq!(
            normalize("訂閱號可以改成服務號嗎？"),
            "订阅号可以改成服务号吗?",
            "full-width punctuation folds too"
        );
        assert_eq!(normalize("公眾號認證要多少錢"), "公众号认证要多少钱");
    }

    #[test]
    fn cantonese_function_words_read_as_mandarin() {
        assert_eq!(normalize("訂閱號可唔可以轉做服務號？"), "订阅号可不可以转做服务号?");
        assert_eq!(normalize("認證要幾多錢"), "认证要多少钱");
        assert_eq!(normalize("我哋係香港公司，點樣申請？"), "我们是香港公司,怎样申请?");
        assert_eq!(normalize("一點"), "一点", "點 alone is not Cantonese");
    }

    #[test]
    fn invisible_characters_are_dropped_inside_words() {
        assert_eq!(normalize("veri\u{200B}fi\u{00AD}cation\u{FEFF}"), "verification");
        assert_eq!(normalize("\u{202E}switch\u{200D}"), "switch");
    }

    #[test]
    fn offsets_point_into_the_original() {
        let original = "我哋 係 fee";
        let normalized = Normalized::new(original);
        assert_eq!(normalized.text, "我们 是 fee");
        let fee = normalized.text.find("fee").expect("fee");
        assert_eq!(
            &original[normalized.start_of(fee)..normalized.end_before(fee + 3)],
            "fee"
        );
        let is = normalized.text.find('是').expect("是");
        assert_eq!(
            &original[normalized.start_of(is)..normalized.end_before(is + '是'.len_utf8())],
            "係"
        );
        // 唔該 (two characters) became 谢谢 (two): each keeps its own span; 冇 (one) became 没有 (two): both share it.
        let original = "冇";
        let normalized = Normalized::new(original);
        assert_eq!(normalized.text, "没有");
        assert_eq!(
            (normalized.start_of(0), normalized.end_before(normalized.text.len())),
            (0, original.len())
        );
    }

    #[test]
    fn ascii_is_left_alone() {
        let normalized = Normalized::new("Can I switch?");
        assert_eq!(normalized.text, "Can I switch?");
        assert_eq!(normalized.start_of(4), 4);
    }
}
