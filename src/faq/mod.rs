//! The knowledge base in faq/: finding its files, loading entries, rules, synonyms and out-of-scope topics, and the
//! checks across files.

pub mod entry;
pub mod front_matter;
pub mod lock;
pub mod problem;
pub mod rules;
pub mod scope;
pub mod synonyms;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use entry::Entry;
pub use problem::{Problem, Problems, Severity};
pub use rules::{AccountKind, Rule};
pub use scope::OutOfScopeTopic;
pub use synonyms::SynonymGroup;

pub const RULES_FILE: &str = "rules.toml";
pub const SYNONYMS_FILE: &str = "synonyms.toml";
pub const OUT_OF_SCOPE_FILE: &str = "out-of-scope.toml";
/// Phrasings per entry that faq/README.md asks for; fewer is a [`Severity::Notice`].
pub const MIN_ENGLISH_QUESTIONS: usize = 8;
pub const MIN_CHINESE_QUESTIONS: usize = 4;
/// The largest faq/ file read; anything bigger is refused unread (rules.toml for hundreds of rules is far below).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// What keeps faq/ from being read at all. Problems inside files are [`Problem`]s instead.
#[derive(Debug, Error)]
pub enum FaqError {
    #[error("{}: the knowledge base folder does not exist; pass --faq DIR or run from the folder that holds faq/", .0.display())]
    Missing(PathBuf),
    #[error("{}: is not a folder; --faq must name the folder that holds the entry files", .0.display())]
    NotAFolder(PathBuf),
    #[error("{}: cannot list the folder", .path.display())]
    List {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The files that make up a knowledge base: what the index fingerprint covers and what `load` reads.
#[derive(Debug, Clone)]
pub struct SourceFiles {
    pub dir: PathBuf,
    /// `*.md` entry files, sorted; README.md is documentation, not an entry.
    pub entries: Vec<PathBuf>,
    pub rules: PathBuf,
    pub synonyms: PathBuf,
    /// Optional: neighbouring topics the knowledge base does not cover.
    pub out_of_scope: PathBuf,
}

impl SourceFiles {
    pub fn find(dir: &Path) -> Result<Self, FaqError> {
        let metadata = fs::metadata(dir).map_err(|_| FaqError::Missing(dir.to_path_buf()))?;
        if !metadata.is_dir() {
            return Err(FaqError::NotAFolder(dir.to_path_buf()));
        }
        let list_error = |source| FaqError::List {
            path: dir.to_path_buf(),
            source,
        };
        let mut entries = Vec::new();
        for item in fs::read_dir(dir).map_err(list_error)? {
            let item = item.map_err(list_error)?;
            let path = item.path();
            let file_name = item.file_name();
            let name = file_name.to_string_lossy();
            let is_markdown = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"));
            let is_readme = path.file_stem().is_some_and(|s| s.eq_ignore_ascii_case("readme"));
            // Hidden files are editors' and file managers' (".x.md.swp", "._x.md"), not entries. A broken link
            // stays in the list so that loading reports it.
            // The listing's own file type, where the system gives one, spares a stat per file (a knowledge base
            // of 100k entries is listed on every start); a link is followed to see whether it is a folder.
            let is_dir = match item.file_type() {
                Ok(kind) if !kind.is_symlink() => kind.is_dir(),
                _ => path.is_dir(),
            };
            if is_markdown && !is_readme && !name.starts_with('.') && !is_dir {
                entries.push((file_name, path));
            }
        }
        // All in one folder: by name, which is the paths' order without comparing their shared components (and
        // by the names the listing gave, as taking each path's name apart in every comparison was a fifth of
        // opening a knowledge base of 100k entries).
        entries.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        Ok(Self {
            entries: entries.into_iter().map(|(_, path)| path).collect(),
            ..Self::without_entries(dir)
        })
    }

    /// The files a knowledge base in `dir` has besides its entries, whether or not they exist yet.
    pub fn without_entries(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            entries: Vec::new(),
            rules: dir.join(RULES_FILE),
            synonyms: dir.join(SYNONYMS_FILE),
            out_of_scope: dir.join(OUT_OF_SCOPE_FILE),
        }
    }

    /// Files in the folder that faq/ does not read: not entries, not rules.toml, synonyms.toml, out-of-scope.toml or
    /// README.md, not
    /// hidden, not folders. A curator's `new.txt` is most likely an entry saved under the wrong name.
    pub fn not_loaded(&self) -> Vec<PathBuf> {
        let Ok(items) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut found: Vec<PathBuf> = items
            .filter_map(|item| item.ok().map(|item| item.path()))
            .filter(|path| {
                let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
                let is_markdown = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"));
                !is_markdown
                    && !name.starts_with('.')
                    && !path.is_dir()
                    && *path != self.rules
                    && *path != self.synonyms
                    && *path != self.out_of_scope
            })
            .collect();
        found.sort();
        found
    }

    /// Every file whose content the knowledge base depends on, including the optional ones.
    pub fn all(&self) -> impl Iterator<Item = &Path> {
        self.entries.iter().map(PathBuf::as_path).chain([
            self.rules.as_path(),
            self.synonyms.as_path(),
            self.out_of_scope.as_path(),
        ])
    }
}

/// Everything in faq/ that loaded cleanly.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeBase {
    pub entries: Vec<Entry>,
    pub rules: Vec<Rule>,
    pub synonyms: Vec<SynonymGroup>,
    pub out_of_scope: Vec<OutOfScopeTopic>,
}

/// A knowledge base with every problem found while loading it.
#[derive(Debug)]
pub struct Loaded {
    pub knowledge_base: KnowledgeBase,
    pub problems: Problems,
}

impl KnowledgeBase {
    /// Reads and validates faq/, under its shared lock (so never half of a curator's write). Problems in
    /// files never abort the load: all of them are collected.
    pub fn load(dir: &Path) -> Result<Loaded, FaqError> {
        let _lock = lock::FaqLock::shared(dir);
        Ok(Self::load_files(&SourceFiles::find(dir)?))
    }

    /// Reads and validates the files found in faq/.
    pub fn load_files(files: &SourceFiles) -> Loaded {
        Self::load_files_with(files, &HashMap::new())
    }

    /// Validates faq/ as it would be after writing `pending` (path → new text), without touching the disk:
    /// how curation commands check a change exactly as `faqbot check` would before writing anything.
    pub fn load_files_with(files: &SourceFiles, pending: &HashMap<PathBuf, String>) -> Loaded {
        let read_text = |path: &Path| match pending.get(path) {
            Some(text) => Ok(Some(normalize_line_endings(text.clone()))),
            None => read_text(path),
        };
        let dir = files.dir.as_path();
        let mut problems = Problems::default();
        let mut knowledge_base = KnowledgeBase::default();
        let mut invalid = HashSet::new();

        let mut declared_rules = None;
        match read_text(&files.rules) {
            Ok(Some(text)) => {
                if let Some(parsed) = rules::parse(&files.rules, &text, &mut problems) {
                    knowledge_base.rules = parsed.rules;
                    declared_rules = Some(parsed.declared);
                }
            }
            Ok(None) => problems.push(Problem::error(
                &files.rules,
                None,
                "missing: the account rules catalogue is required; create it with [[rule]] tables (see faq/README.md)",
            )),
            Err(problem) => problems.push(problem),
        }
        match read_text(&files.synonyms) {
            Ok(Some(text)) => knowledge_base.synonyms = synonyms::parse(&files.synonyms, &text, &mut problems),
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
        match read_text(&files.out_of_scope) {
            Ok(Some(text)) => knowledge_base.out_of_scope = scope::parse(&files.out_of_scope, &text, &mut problems),
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
        let mut names_seen: HashMap<String, &Path> = HashMap::new();
        for path in &files.entries {
            // `fees.MD` beside `fees.md` is one entry twice, and one file on a case-insensitive disk.
            let folded = path
                .file_name()
                .map(|name| name.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            if let Some(first) = names_seen.get(&folded) {
                problems.push(Problem::error(
                    path,
                    None,
                    format!(
                        "has the same name as {} but for case: keep one of them",
                        first.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
                    ),
                ));
                continue;
            }
            names_seen.insert(folded, path);
            match read_text(path) {
                Ok(Some(text)) => {
                    if let Some(parsed) = entry::parse(path, &text, &mut problems) {
                        if !parsed.is_valid {
                            invalid.insert(parsed.entry.id.clone());
                        }
                        knowledge_base.entries.push(parsed.entry);
                    }
                }
                Ok(None) => problems.push(Problem::error(
                    path,
                    None,
                    "cannot be read: the file is gone or is a link to nothing; restore it or remove the link",
                )),
                Err(problem) => problems.push(problem),
            }
        }
        if files.entries.is_empty() {
            problems.push(Problem::error(
                dir,
                None,
                "no entries: add at least one <id>.md file (see faq/README.md)",
            ));
        }
        knowledge_base.check_across_files(files, declared_rules.as_ref(), &mut problems);
        knowledge_base.entries.retain(|e| !invalid.contains(&e.id));
        knowledge_base.check_coverage(files, &mut problems);
        for path in files.not_loaded() {
            problems.push(Problem::warning(
                &path,
                None,
                "not an entry: only <id>.md files (and rules.toml, synonyms.toml, out-of-scope.toml, README.md) are read; rename it to end in .md, or move it out of faq/",
            ));
        }
        problems.sort();
        Loaded {
            knowledge_base,
            problems,
        }
    }

    /// What faq/README.md asks of every entry and rule beyond validity: at least [`MIN_ENGLISH_QUESTIONS`]
    /// English and [`MIN_CHINESE_QUESTIONS`] Chinese phrasings, a Chinese answer, a Chinese rule statement.
    fn check_coverage(&self, files: &SourceFiles, problems: &mut Problems) {
        for entry in &self.entries {
            let file = &entry.lines.file;
            let line = entry.lines.questions.first().copied();
            let chinese = entry.questions.iter().filter(|q| crate::lang::is_chinese(q)).count();
            let english = entry.questions.len() - chinese;
            for (count, minimum, language) in [
                (english, MIN_ENGLISH_QUESTIONS, "English"),
                (chinese, MIN_CHINESE_QUESTIONS, "Chinese"),
            ] {
                if count < minimum {
                    problems.push(Problem::notice(
                        file,
                        line,
                        format!(
                            "{count} {language} phrasing(s); faq/README.md asks for at least {minimum}: add the ways users ask with `faqbot add-question {} \"…\"`",
                            entry.id
                        ),
                    ));
                }
            }
            if entry.answer_zh.is_none() {
                problems.push(Problem::notice(
                    file,
                    None,
                    format!(
                        "no Chinese answer: Chinese askers get the English one; add it after a line `{}`",
                        front_matter::ZH_MARKER
                    ),
                ));
            }
        }
        for rule in &self.rules {
            if rule.statement_zh.is_none() {
                problems.push(Problem::notice(
                    &files.rules,
                    Some(rule.line),
                    format!(
                        "rule `{}` has no statement_zh: Chinese answers cite it in English",
                        rule.id
                    ),
                ));
            }
        }
    }

    /// The checks that need more than one file. Entries that fail them are dropped so that the index never
    /// cites a missing rule. `declared_rules` are the ids rules.toml declares, `None` when it could not be read,
    /// in which case references are not checked (every entry would be blamed for one broken file).
    fn check_across_files(
        &mut self,
        files: &SourceFiles,
        declared_rules: Option<&HashSet<String>>,
        problems: &mut Problems,
    ) {
        let mut broken = HashSet::new();
        for entry in &self.entries {
            let Some(declared) = declared_rules else { break };
            for (rule, line) in entry.rules.iter().zip(&entry.lines.rules) {
                if !rule.is_empty() && !declared.contains(rule) {
                    problems.push(Problem::error(
                        &entry.lines.file,
                        Some(*line),
                        format!("rule `{rule}` is not in {RULES_FILE}: fix the id or add the rule there"),
                    ));
                    broken.insert(entry.id.clone());
                }
            }
        }

        let mut first_owner: HashMap<String, (&Path, usize)> = HashMap::new();
        for entry in &self.entries {
            for (question, line) in entry.questions.iter().zip(&entry.lines.questions) {
                match first_owner.get(&entry::normalize_question(question)) {
                    Some((owner, owner_line)) if *owner != entry.lines.file => problems.push(Problem::error(
                        &entry.lines.file,
                        Some(*line),
                        format!(
                            "question \"{question}\" is also asked in {} line {owner_line}: a question belongs to one entry",
                            owner.file_name().map_or_else(|| owner.display().to_string(), |n| n.to_string_lossy().into_owned())
                        ),
                    )),
                    Some(_) => {}
                    None => {
                        first_owner.insert(entry::normalize_question(question), (&entry.lines.file, *line));
                    }
                }
            }
        }

        let cited: HashSet<&str> = self
            .entries
            .iter()
            .flat_map(|e| e.rules.iter().map(String::as_str))
            .collect();
        for rule in &self.rules {
            if !cited.contains(rule.id.as_str()) {
                problems.push(Problem::warning(
                    &files.rules,
                    Some(rule.line),
                    format!("rule `{}` is cited by no entry: cite it or remove it", rule.id),
                ));
            }
        }
        self.entries.retain(|e| !broken.contains(&e.id));
    }
}

/// Reads a file as UTF-8 with `\n` line endings. `Ok(None)` when it does not exist.
fn read_text(path: &Path) -> Result<Option<String>, Problem> {
    // Reading a pipe or a device named like an entry would block or never end.
    if let Ok(metadata) = fs::metadata(path) {
        if !metadata.is_file() {
            return Err(Problem::error(
                path,
                None,
                "not a regular file: faq/ holds only text files",
            ));
        }
        if metadata.len() > MAX_FILE_BYTES {
            return Err(Problem::error(
                path,
                None,
                format!(
                    "{} bytes, more than the {} KiB a faq/ file may have: an entry is a few questions and a short answer",
                    metadata.len(),
                    MAX_FILE_BYTES / 1024
                ),
            ));
        }
    }
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(|text| Some(normalize_line_endings(text)))
            .map_err(|error| {
                let offset = error.utf8_error().valid_up_to();
                let line = front_matter::line_of(&String::from_utf8_lossy(&error.into_bytes()[..offset]), offset);
                Problem::error(path, Some(line), "not valid UTF-8: save the file as UTF-8")
            }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(Problem::error(path, None, format!("cannot read the file: {error}"))),
    }
}

/// CRLF files are welcome, but answers carry `\n` only (line numbers are unchanged).
fn normalize_line_endings(text: String) -> String {
    if text.contains("\r\n") {
        text.replace("\r\n", "\n")
    } else {
        text
    }
}

/// What an id that is not kebab-case is told, after the id.
pub const KEBAB_CASE: &str = "must be kebab-case (lowercase letters, digits and single dashes)";

/// Lowercase ASCII letters and digits in dash-separated words.
pub fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// A TOML date with no time, as YYYY-MM-DD.
fn toml_date(value: &toml::value::Datetime) -> Option<String> {
    match (value.date, value.time, value.offset) {
        (Some(date), None, None) => Some(date.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case() {
        assert!(is_kebab_case("account-types"));
        assert!(is_kebab_case("faq2"));
        for bad in ["", "Account", "a--b", "-a", "a-", "a_b", "a b", "账号"] {
            assert!(!is_kebab_case(bad), "{bad}");
        }
    }
}
