//! The English words typo correction must leave alone: a real word the knowledge base does not use ("posts") is
//! what the user meant, only a non-word ("swich") is a typo. The list ships in the binary (models/words/).

/// SCOWL's American English list (size 50), lower case, sorted, one word a line; see models/words/README.md.
const ENGLISH: &str = include_str!("../../models/words/en.txt");

/// Whether `word` (lower case) is an English word. A binary search over the sorted lines of the embedded list:
/// nothing is built at start, so a question that needs no correction pays nothing.
pub fn is_english_word(word: &str) -> bool {
    let bytes = ENGLISH.as_bytes();
    let (mut low, mut high) = (0, bytes.len());
    while low < high {
        let middle = (low + high) / 2;
        let start = bytes[..middle].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| start + i);
        match ENGLISH[start..end].cmp(word) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => low = end + 1,
            std::cmp::Ordering::Greater => high = start,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_real_words_and_not_typos() {
        for word in ["posts", "account", "switch", "aardvark", "zygote", "malaysia", "cost"] {
            assert!(is_english_word(word), "{word}");
        }
        for word in ["swich", "subscripton", "acount", "verfication", "wecom", "", "Posts"] {
            assert!(!is_english_word(word), "{word}");
        }
    }

    #[test]
    fn the_list_is_sorted_so_that_the_search_is_right() {
        let lines: Vec<&str> = ENGLISH.lines().collect();
        assert!(
            lines.windows(2).all(|pair| pair[0] < pair[1]),
            "models/words/en.txt must be sorted and unique"
        );
        assert!(lines.iter().all(|word| is_english_word(word)));
    }
}
