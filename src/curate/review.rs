//! Turning what users asked into curation work: declined questions and 👎 votes from the feedback logs, grouped by similarity and by the entry now nearest to them, minus what a curator already handled.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{CurateError, write_atomically};
use crate::faq::entry::normalize_question;
use crate::feedback::{self, Vote};
use crate::{Ask, Engine};

/// The curator's decisions, kept beside the logs in the data dir.
pub const STATE_FILE: &str = "review-state.json";

/// How alike two questions must be (Sørensen–Dice on character pairs, which works for Chinese too) to share a
/// group; a group grows by any member (single linkage), and its nearest entry is that of its most asked question.
const SIMILARITY: f64 = 0.6;
/// The lower bar for questions whose nearest entry is the same, which is evidence that they ask the same thing.
const SIMILARITY_WITH_SAME_NEAREST: f64 = 0.4;

/// What a curator did with a question; handled questions are not shown again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Added as an alternate phrasing of an entry.
    Alternate,
    /// Made into a new entry.
    NewEntry,
    Dismissed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handled {
    pub action: Action,
    pub time: jiff::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

/// Handled questions by their normalized form (case, spacing and closing punctuation ignored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewState {
    pub handled: BTreeMap<String, Handled>,
}

impl ReviewState {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(STATE_FILE)
    }

    /// The saved state; none yet is an empty one.
    pub fn load(data_dir: &Path) -> Result<Self, CurateError> {
        let path = Self::path(data_dir);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(source) => return Err(CurateError::Read { path, source }),
        };
        serde_json::from_slice(&bytes).map_err(|error| CurateError::Malformed {
            path,
            message: format!("not a review state file ({error}): fix it, or delete it to see every question again"),
        })
    }

    /// Writes the state atomically, creating the data dir if needed.
    pub fn save(&self, data_dir: &Path) -> Result<(), CurateError> {
        std::fs::create_dir_all(data_dir).map_err(|source| CurateError::Write {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let mut text = serde_json::to_string_pretty(self).map_err(|error| CurateError::Write {
            path: Self::path(data_dir),
            source: error.into(),
        })?;
        text.push('\n');
        write_atomically(&[(Self::path(data_dir), text)])
    }

    pub fn is_handled(&self, question: &str) -> bool {
        self.handled.contains_key(&normalize_question(question))
    }

    pub fn mark<'a>(&mut self, questions: impl IntoIterator<Item = &'a str>, action: Action, entry: Option<&str>) {
        let time = jiff::Timestamp::now();
        for question in questions {
            self.handled.insert(
                normalize_question(question),
                Handled {
                    action,
                    time,
                    entry: entry.map(str::to_string),
                },
            );
        }
    }
}

/// One distinct question users asked (its spellings merged), with how it went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Asked {
    /// The most recent spelling.
    pub question: String,
    pub declined: usize,
    pub down_votes: usize,
    pub last_asked: jiff::Timestamp,
}

impl Asked {
    pub fn count(&self) -> usize {
        self.declined + self.down_votes
    }
}

/// Similar questions whose nearest entry (by today's faq/) is the same.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub count: usize,
    pub nearest: Option<String>,
    /// The nearest entry's canonical question, in the language of the group's first question.
    pub nearest_question: Option<String>,
    /// The engine's confidence in the nearest entry for the group's first question.
    pub confidence: f32,
    pub questions: Vec<Asked>,
}

/// What is left to review.
#[derive(Debug, Default, Serialize)]
pub struct Review {
    pub groups: Vec<Group>,
    /// Declined questions that faq/ now answers confidently, with the entry: nothing left to do.
    pub now_answered: Vec<(String, String)>,
    /// Log lines that could not be read, as `path:line: why`.
    pub unreadable: Vec<String>,
}

/// Every question the logs in `data_dir` hold for review (declined, or voted down), normalized as
/// [`ReviewState`] matches them: what `faqbot review --dismiss` can dismiss.
pub fn logged_questions(data_dir: &Path) -> Result<std::collections::HashSet<String>, CurateError> {
    let declined = feedback::read_declined(data_dir)?;
    let votes = feedback::read_votes(data_dir)?;
    Ok(declined
        .records
        .iter()
        .map(|record| normalize_question(&record.question))
        .chain(
            votes
                .records
                .iter()
                .filter(|vote| vote.vote == Vote::Down)
                .map(|vote| normalize_question(&vote.question)),
        )
        .collect())
}

/// Reads the logs in `data_dir`, leaves out what `state` says was handled, asks `engine` (today's faq/) for the
/// nearest entry of each question, and groups them, biggest group first.
pub fn gather(data_dir: &Path, engine: &Engine, state: &ReviewState) -> Result<Review, CurateError> {
    let declined = feedback::read_declined(data_dir)?;
    let votes = feedback::read_votes(data_dir)?;
    let mut review = Review::default();
    for (file, skipped) in [
        (feedback::DECLINED_FILE, &declined.skipped),
        (feedback::VOTES_FILE, &votes.skipped),
    ] {
        for (line, why) in skipped {
            review
                .unreadable
                .push(format!("{}:{line}: {why}", data_dir.join(file).display()));
        }
    }

    let mut asked: BTreeMap<String, Asked> = BTreeMap::new();
    let mut add = |question: &str, time: jiff::Timestamp, is_vote: bool| {
        if question.trim().is_empty() || state.is_handled(question) {
            return;
        }
        let item = asked.entry(normalize_question(question)).or_insert_with(|| Asked {
            question: question.trim().to_string(),
            declined: 0,
            down_votes: 0,
            last_asked: time,
        });
        if is_vote {
            item.down_votes += 1;
        } else {
            item.declined += 1;
        }
        if time >= item.last_asked {
            item.last_asked = time;
            item.question = question.trim().to_string();
        }
    };
    for record in &declined.records {
        add(&record.question, record.time, false);
    }
    for record in votes.records.iter().filter(|v| v.vote == Vote::Down) {
        add(&record.question, record.time, true);
    }

    let mut items: Vec<Asked> = asked.into_values().collect();
    items.sort_by(|a, b| b.count().cmp(&a.count()).then(b.last_asked.cmp(&a.last_asked)));
    let options = Ask {
        results: 1,
        explain: false,
    };
    for item in items {
        let reply = engine.ask(&item.question, options)?;
        let nearest = reply.results.first();
        if let Some(answer) = reply.answer()
            && item.down_votes == 0
        {
            review.now_answered.push((item.question, answer.id.clone()));
            continue;
        }
        let nearest_id = nearest.map(|n| n.id.clone());
        let key = normalize_question(&item.question);
        let similar = review.groups.iter_mut().find(|group| {
            let same_nearest = group.nearest == nearest_id;
            group.questions.iter().any(|member| {
                let similarity = strsim::sorensen_dice(&normalize_question(&member.question), &key);
                similarity >= SIMILARITY || (same_nearest && similarity >= SIMILARITY_WITH_SAME_NEAREST)
            })
        });
        match similar {
            Some(group) => {
                group.count += item.count();
                group.questions.push(item);
            }
            None => review.groups.push(Group {
                count: item.count(),
                nearest: nearest_id,
                nearest_question: nearest.map(|n| n.question.clone()),
                confidence: reply.confidence,
                questions: vec![item],
            }),
        }
    }
    review.groups.sort_by_key(|group| std::cmp::Reverse(group.count));
    Ok(review)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_matches_questions_loosely() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut state = ReviewState::load(dir.path()).expect("empty");
        assert!(state.handled.is_empty());
        state.mark(["Can I sell tea?"], Action::Dismissed, None);
        state.save(&dir.path().join("data")).expect("saved");
        let loaded = ReviewState::load(&dir.path().join("data")).expect("loaded");
        assert_eq!(loaded, state);
        assert!(loaded.is_handled("can i  sell TEA"));
        assert!(!loaded.is_handled("can i sell coffee"));
    }

    #[test]
    fn a_broken_state_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(STATE_FILE), "{not json").expect("write");
        let error = ReviewState::load(dir.path()).expect_err("refused").to_string();
        assert!(error.contains(STATE_FILE) && error.contains("delete it"), "{error}");
    }
}
