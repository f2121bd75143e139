//! Moving faq/ in and out: JSON Lines that reproduce every file byte for byte, and CSV with the columns other FAQ tools use.
//!
//! A JSON Lines export holds one `{"kind": "entry", …}` record per entry, with its fields and the file's exact
//! text, then one `{"kind": "file", "name", "text"}` record each for rules.toml, synonyms.toml, out-of-scope.toml and README.md.
//! On import, an entry's `text` is written as is when it still says what the fields say; when a script edited
//! the fields, the entry is written from the fields instead. CSV carries the fields only; entries are written
//! in the shipped format.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::entry_file::{id_from_questions, render};
use super::{Changes, CurateError, read_utf8};
use crate::faq::{self, Entry, KnowledgeBase, OUT_OF_SCOPE_FILE, Problems, RULES_FILE, SYNONYMS_FILE};

/// Files of faq/ besides the entries that an export carries.
pub const OTHER_FILES: &[&str] = &[RULES_FILE, SYNONYMS_FILE, OUT_OF_SCOPE_FILE, "README.md"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

/// One line of a JSON Lines export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum Record {
    Entry(EntryRecord),
    File(FileRecord),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryRecord {
    pub id: String,
    pub questions: Vec<String>,
    pub rules: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub source: String,
    pub reviewed: String,
    pub answer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_zh: Option<String>,
    /// The file exactly as it was, comments and all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    pub name: String,
    pub text: String,
}

/// The CSV columns, in export order. Import needs `question` and `answer`; the rest are optional.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "question",
    "alternates",
    "answer",
    "answer_zh",
    "rules",
    "tags",
    "source",
    "reviewed",
];

/// Loads faq/ for export; an export of a knowledge base with errors would silently lose the broken entries.
fn load_valid(faq: &Path) -> Result<KnowledgeBase, CurateError> {
    let loaded = KnowledgeBase::load(faq)?;
    if loaded.problems.has_errors() {
        return Err(CurateError::Invalid {
            faq: faq.to_path_buf(),
            problems: loaded.problems,
        });
    }
    Ok(loaded.knowledge_base)
}

/// faq/ as JSON Lines records, entries in id order, then the other files.
pub fn export_records(faq: &Path) -> Result<Vec<Record>, CurateError> {
    let mut knowledge_base = load_valid(faq)?;
    knowledge_base.entries.sort_by(|a, b| a.id.cmp(&b.id));
    let mut records = Vec::new();
    for entry in knowledge_base.entries {
        let text = read_utf8(&entry.lines.file)?;
        records.push(Record::Entry(EntryRecord {
            id: entry.id,
            questions: entry.questions,
            rules: entry.rules,
            tags: entry.tags,
            source: entry.source,
            reviewed: entry.reviewed,
            answer: entry.answer,
            answer_zh: entry.answer_zh,
            text: Some(text),
        }));
    }
    for name in OTHER_FILES {
        let path = faq.join(name);
        if path.is_file() {
            records.push(Record::File(FileRecord {
                name: (*name).to_string(),
                text: read_utf8(&path)?,
            }));
        }
    }
    Ok(records)
}

/// faq/'s entries as CSV, one row per entry, list cells one item per line.
pub fn export_csv(faq: &Path, out: impl std::io::Write) -> Result<(), CurateError> {
    let mut knowledge_base = load_valid(faq)?;
    knowledge_base.entries.sort_by(|a, b| a.id.cmp(&b.id));
    let mut writer = csv::Writer::from_writer(out);
    let write_error = |error: csv::Error| CurateError::Write {
        path: PathBuf::from("standard output"),
        source: error.into(),
    };
    writer.write_record(CSV_COLUMNS).map_err(write_error)?;
    for entry in &knowledge_base.entries {
        let (question, alternates) = entry
            .questions
            .split_first()
            .map_or(("", &[][..]), |(q, a)| (q.as_str(), a));
        writer
            .write_record([
                entry.id.as_str(),
                question,
                &alternates.join("\n"),
                &entry.answer,
                entry.answer_zh.as_deref().unwrap_or_default(),
                &entry.rules.join("\n"),
                &entry.tags.join("\n"),
                &entry.source,
                &entry.reviewed,
            ])
            .map_err(write_error)?;
    }
    writer.flush().map_err(|source| CurateError::Write {
        path: PathBuf::from("standard output"),
        source,
    })
}

/// What an import will write: file name in faq/ → (text, line of the import file it came from).
#[derive(Debug, Default)]
pub struct ImportPlan {
    pub files: Vec<PlannedFile>,
    /// CSV columns that faqbot does not know and left out.
    pub ignored_columns: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct PlannedFile {
    pub name: String,
    pub text: String,
    pub line: u64,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Imported {
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
    pub replaced: Vec<String>,
    pub warnings: Problems,
}

/// Reads an import file into a plan, or reports the first bad row with its line. Nothing is written.
pub fn plan_import(path: &Path, format: Format, today: jiff::civil::Date) -> Result<ImportPlan, CurateError> {
    let bytes = std::fs::read(path).map_err(|source| CurateError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let plan = match format {
        Format::Jsonl => plan_jsonl(path, &bytes)?,
        Format::Csv => plan_csv(path, &bytes, today)?,
    };
    let mut seen = HashMap::new();
    for file in &plan.files {
        if let Some(first) = seen.insert(file.name.clone(), file.line) {
            return Err(bad_row(
                path,
                file.line,
                format!("`{}` was already given on line {first}: each entry once", file.name),
            ));
        }
    }
    Ok(plan)
}

fn bad_row(path: &Path, line: u64, message: impl Into<String>) -> CurateError {
    CurateError::BadRow {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

fn plan_jsonl(path: &Path, bytes: &[u8]) -> Result<ImportPlan, CurateError> {
    let mut plan = ImportPlan::default();
    for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let number = index as u64 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line =
            std::str::from_utf8(line).map_err(|_| bad_row(path, number, "not valid UTF-8: save the file as UTF-8"))?;
        let record: Record = serde_json::from_str(line)
            .map_err(|error| bad_row(path, number, format!("not a faqbot export record: {error}")))?;
        match record {
            Record::Entry(record) => {
                let text = entry_text(path, number, record)?;
                plan.files.push(text);
            }
            Record::File(file) => {
                if !OTHER_FILES.contains(&file.name.as_str()) {
                    return Err(bad_row(
                        path,
                        number,
                        format!(
                            "`{}` is not a file an export carries ({})",
                            file.name,
                            OTHER_FILES.join(", ")
                        ),
                    ));
                }
                plan.files.push(PlannedFile {
                    name: file.name,
                    text: file.text,
                    line: number,
                });
            }
        }
    }
    Ok(plan)
}

/// An entry record's file: its exported text when that still matches the fields, else the fields rendered.
fn entry_text(path: &Path, line: u64, record: EntryRecord) -> Result<PlannedFile, CurateError> {
    let entry = Entry {
        id: record.id,
        questions: record.questions,
        rules: record.rules,
        tags: record.tags,
        source: record.source,
        reviewed: record.reviewed,
        answer: record.answer,
        answer_zh: record.answer_zh,
        lines: Default::default(),
    };
    check_entry_fields(path, line, &entry)?;
    let name = format!("{}.md", entry.id);
    let exported_still_matches = record.text.as_deref().is_some_and(|text| {
        faq::entry::parse(Path::new(&name), text, &mut Problems::default()).is_some_and(|parsed| {
            Entry {
                lines: Default::default(),
                ..parsed.entry
            } == entry
        })
    });
    let text = match record.text {
        Some(text) if exported_still_matches => text,
        _ => render(&entry),
    };
    Ok(PlannedFile { name, text, line })
}

/// The checks that point at the import file's line; the rest are left to validating faq/ as a whole.
fn check_entry_fields(path: &Path, line: u64, entry: &Entry) -> Result<(), CurateError> {
    if !faq::is_kebab_case(&entry.id) {
        return Err(bad_row(path, line, format!("id `{}` {}", entry.id, faq::KEBAB_CASE)));
    }
    if entry.questions.first().is_none_or(|q| q.trim().is_empty()) {
        return Err(bad_row(path, line, "the question is empty"));
    }
    if entry.answer.trim().is_empty() {
        return Err(bad_row(path, line, "the answer is empty"));
    }
    if entry.rules.is_empty() {
        return Err(bad_row(
            path,
            line,
            "no rules: every answer cites at least one rule id from rules.toml (a `rules` column in CSV)",
        ));
    }
    if entry.reviewed.parse::<jiff::civil::Date>().is_err() {
        return Err(bad_row(
            path,
            line,
            format!("reviewed `{}` is not a date like 2026-11-23", entry.reviewed),
        ));
    }
    Ok(())
}

fn plan_csv(path: &Path, bytes: &[u8], today: jiff::civil::Date) -> Result<ImportPlan, CurateError> {
    let csv_error = |error: csv::Error| {
        let line = error.position().map_or(1, csv::Position::line);
        let message = match error.kind() {
            csv::ErrorKind::Utf8 { .. } => "not valid UTF-8: save the file as UTF-8".to_string(),
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!(
                "{len} field(s) where the header has {expected_len}: check the quoting (a quote inside a cell is written \"\")"
            ),
            _ => error.to_string(),
        };
        bad_row(path, line, message)
    };
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(question_column), Some(answer_column)) = (column("question"), column("answer")) else {
        return Err(bad_row(
            path,
            1,
            format!(
                "the header must name at least the `question` and `answer` columns (known: {})",
                CSV_COLUMNS.join(", ")
            ),
        ));
    };
    let mut plan = ImportPlan {
        ignored_columns: headers
            .iter()
            .filter(|h| !CSV_COLUMNS.contains(&h.as_str()))
            .cloned()
            .collect(),
        ..ImportPlan::default()
    };
    let source_name = path
        .file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut ids = HashSet::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |name: &str| column(name).and_then(|i| record.get(i)).unwrap_or_default().trim();
        let list = |name: &str, separators: &[char]| -> Vec<String> {
            cell(name)
                .split(separators)
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_string)
                .collect()
        };
        let question = record.get(question_column).unwrap_or_default().trim().to_string();
        let mut questions = vec![question];
        questions.extend(list("alternates", &['\n']));
        let id = match cell("id") {
            "" => id_from_questions(&questions).ok_or_else(|| {
                bad_row(
                    path,
                    line,
                    "no Latin letters in the questions to make an id from: add an `id` column",
                )
            })?,
            id => id.to_string(),
        };
        if !ids.insert(id.clone()) {
            return Err(bad_row(
                path,
                line,
                format!("id `{id}` is used by an earlier row: give this row its own id"),
            ));
        }
        let entry = Entry {
            id,
            questions,
            rules: list("rules", &['\n', ',', ';']),
            tags: list("tags", &['\n', ',', ';']),
            source: match cell("source") {
                "" => format!("Imported from {source_name}"),
                source => source.to_string(),
            },
            reviewed: match cell("reviewed") {
                "" => today.to_string(),
                reviewed => reviewed.to_string(),
            },
            answer: record.get(answer_column).unwrap_or_default().trim().to_string(),
            answer_zh: Some(cell("answer_zh").to_string()).filter(|zh| !zh.is_empty()),
            lines: Default::default(),
        };
        check_entry_fields(path, line, &entry)?;
        plan.files.push(PlannedFile {
            name: format!("{}.md", entry.id),
            text: render(&entry),
            line,
        });
    }
    Ok(plan)
}

/// Writes a plan into faq/ all-or-nothing. A file that exists with other contents is refused (naming the
/// import line) unless `replace`; one with the same contents is left alone.
pub fn import(faq: &Path, import_file: &Path, plan: ImportPlan, replace: bool) -> Result<Imported, CurateError> {
    // Held from the comparison with what exists to the write, so that no other writer comes between.
    let _lock = crate::faq::lock::FaqLock::exclusive(faq)?;
    let mut changes = Changes::new(faq);
    let mut imported = Imported::default();
    let mut conflicts = Vec::new();
    for file in plan.files {
        let target = faq.join(&file.name);
        match std::fs::read(&target) {
            Ok(existing) if existing == file.text.as_bytes() => {
                imported.unchanged.push(file.name);
                continue;
            }
            Ok(_) if !replace => conflicts.push(format!("line {}: {}", file.line, target.display())),
            Ok(_) => imported.replaced.push(file.name.clone()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => imported.written.push(file.name.clone()),
            Err(source) => return Err(CurateError::Read { path: target, source }),
        }
        changes.write(&file.name, file.text);
    }
    if !conflicts.is_empty() {
        return Err(CurateError::Refused(format!(
            "{}: {} file(s) already exist with other contents, nothing was imported; pass --replace to overwrite them:\n  {}",
            import_file.display(),
            conflicts.len(),
            conflicts.join("\n  ")
        )));
    }
    if !changes.is_empty() {
        imported.warnings = changes.commit()?.problems;
    }
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(name: &str, text: &[u8]) -> Result<ImportPlan, CurateError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let format = if name.ends_with(".csv") {
            Format::Csv
        } else {
            Format::Jsonl
        };
        plan_import(&path, format, jiff::civil::date(2026, 11, 24))
    }

    #[test]
    fn csv_headers_are_read_loosely_and_lists_split_on_their_separators() {
        let plan = plan(
            "faq.csv",
            "\u{feff} Question ,ANSWER,rules,tags,id\nCan I?,Yes.,\"a, b; c\",\"x\ny\",my-id\n".as_bytes(),
        )
        .expect("plan");
        assert_eq!(plan.files.len(), 1);
        let file = &plan.files[0];
        assert_eq!((file.name.as_str(), file.line), ("my-id.md", 2));
        assert!(
            file.text
                .contains("rules = [\"a\", \"b\", \"c\"]\ntags = [\"x\", \"y\"]\n"),
            "{}",
            file.text
        );
        assert!(file.text.contains("reviewed = 2026-11-24\n"), "{}", file.text);
    }

    #[test]
    fn the_same_entry_twice_is_a_bad_row() {
        let error = plan("faq.csv", b"question,answer,rules\nCan I?,Yes.,r\ncan i,No.,r\n").expect_err("refused");
        assert!(
            error
                .to_string()
                .contains("faq.csv:3: id `can-i` is used by an earlier row"),
            "{error}"
        );
        let record = r#"{"kind":"file","name":"rules.toml","text":""}"#;
        let error = plan("faq.jsonl", format!("{record}\n\n{record}\n").as_bytes()).expect_err("refused");
        assert!(
            error
                .to_string()
                .contains("faq.jsonl:3: `rules.toml` was already given on line 1"),
            "{error}"
        );
    }

    #[test]
    fn a_csv_without_question_or_answer_columns_is_refused() {
        let error = plan("faq.csv", b"q,a\nx,y\n").expect_err("refused");
        assert!(
            error
                .to_string()
                .contains("faq.csv:1: the header must name at least the `question` and `answer` columns"),
            "{error}"
        );
    }
}
