//! Splits an entry file into its TOML front matter and Markdown body, a pure function kept apart from file reading.

use thiserror::Error;

/// The line that opens and closes the front matter.
pub const DELIMITER: &str = "+++";

/// The line that separates the English answer from its Chinese version.
pub const ZH_MARKER: &str = "<!-- zh -->";

/// An entry file cut in two, with the line numbers needed to point at either part.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub front_matter: &'a str,
    /// 1-based line number of the first line of `front_matter`.
    pub front_matter_line: usize,
    pub body: &'a str,
    /// 1-based line number of the first line of `body`.
    pub body_line: usize,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SplitError {
    #[error("the file must start with a line `+++` that opens the TOML front matter")]
    MissingOpening,
    #[error("the front matter opened on line 1 is never closed: add a line `+++` after it")]
    MissingClosing,
}

/// Splits `text` at its `+++` lines. Tolerates a byte-order mark and CRLF line endings.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = line_spans(text);
    match lines.next() {
        Some((_, line)) if line.trim_end() == DELIMITER => {}
        _ => return Err(SplitError::MissingOpening),
    }
    let front_start = lines.clone().next().map_or(text.len(), |(start, _)| start);
    for (number, (start, line)) in lines.enumerate() {
        if line.trim_end() == DELIMITER {
            let body_start = (start + line.len()).min(text.len());
            let body = text[body_start..]
                .strip_prefix("\r\n")
                .or_else(|| text[body_start..].strip_prefix('\n'));
            return Ok(Split {
                front_matter: &text[front_start..start],
                front_matter_line: 2,
                body: body.unwrap_or(""),
                body_line: number + 3,
            });
        }
    }
    Err(SplitError::MissingClosing)
}

/// The English and (optional) Chinese answers of a body.
#[derive(Debug, PartialEq, Eq)]
pub struct Answers<'a> {
    pub en: &'a str,
    pub zh: Option<&'a str>,
    /// 1-based line of the `<!-- zh -->` marker within the body, if present.
    pub zh_marker_line: Option<usize>,
    /// How many marker lines the body has; more than one is a mistake the validator reports.
    pub zh_markers: usize,
}

/// Splits a body at its `<!-- zh -->` line.
pub fn split_answers(body: &str) -> Answers<'_> {
    let mut found: Option<(usize, usize, usize)> = None;
    let mut count = 0;
    for (number, (start, line)) in line_spans(body).enumerate() {
        if line.trim() == ZH_MARKER {
            count += 1;
            if found.is_none() {
                found = Some((number + 1, start, start + line.len()));
            }
        }
    }
    match found {
        None => Answers {
            en: body.trim(),
            zh: None,
            zh_marker_line: None,
            zh_markers: 0,
        },
        Some((line, start, end)) => Answers {
            en: body[..start].trim(),
            zh: Some(body[end..].trim()),
            zh_marker_line: Some(line),
            zh_markers: count,
        },
    }
}

/// Iterates `(byte offset, line without its '\n')`.
fn line_spans(text: &str) -> impl Iterator<Item = (usize, &str)> + Clone {
    text.split_inclusive('\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len();
        Some((start, line.strip_suffix('\n').unwrap_or(line)))
    })
}

/// 1-based line number of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let split = split("+++\nid = \"a\"\n+++\nHello\n").unwrap();
        assert_eq!(split.front_matter, "id = \"a\"\n");
        assert_eq!(split.body, "Hello\n");
        assert_eq!(split.front_matter_line, 2);
        assert_eq!(split.body_line, 4);
    }

    #[test]
    fn tolerates_bom_and_crlf() {
        let split = split("\u{feff}+++\r\nid = \"a\"\r\n+++\r\nHello\r\n").unwrap();
        assert_eq!(split.front_matter, "id = \"a\"\r\n");
        assert_eq!(split.body, "Hello\r\n");
    }

    #[test]
    fn body_may_be_missing() {
        let split = split("+++\nid = \"a\"\n+++").unwrap();
        assert_eq!(split.body, "");
    }

    #[test]
    fn reports_missing_delimiters() {
        assert_eq!(split("id = 1\n"), Err(SplitError::MissingOpening));
        assert_eq!(split(""), Err(SplitError::MissingOpening));
        assert_eq!(split("+++\nid = 1\n"), Err(SplitError::MissingClosing));
    }

    #[test]
    fn a_delimiter_inside_a_line_does_not_close() {
        assert_eq!(split("+++\nx = \"+++\"\n"), Err(SplitError::MissingClosing));
    }

    #[test]
    fn splits_answers_at_the_marker() {
        let answers = split_answers("\nEnglish.\n\n<!-- zh -->\n\n中文。\n");
        assert_eq!(answers.en, "English.");
        assert_eq!(answers.zh, Some("中文。"));
        assert_eq!(answers.zh_marker_line, Some(4));
        assert_eq!(answers.zh_markers, 1);
    }

    #[test]
    fn answers_without_marker_are_english_only() {
        let answers = split_answers("Only English.\n");
        assert_eq!(answers.en, "Only English.");
        assert_eq!(answers.zh, None);
    }

    #[test]
    fn line_of_counts_newlines() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
