//! The passage of an answer that best matches a question, for `faqbot search`: tantivy's snippet generator over
//! the question's concepts, each the best of its alternatives with the same boosts scoring gives them.

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;

use super::concepts::{Concept, ConceptTerms};
use super::{IndexError, SearchIndex};

/// A passage of an answer with the byte ranges of the words that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub fragment: String,
    pub ranges: Vec<std::ops::Range<usize>>,
}

impl SearchIndex {
    /// The passage of `text` (an answer) that best matches the concepts, with the matched words' byte ranges in it.
    pub fn highlight(&self, concepts: &[Concept], text: &str, max_chars: usize) -> Result<Highlight, IndexError> {
        let entries = self.entries.searcher();
        let field = self.schema.entries.answer;
        let query = BooleanQuery::union(
            concepts
                .iter()
                .map(|concept| concept_query(concept, &ConceptTerms::new(&self.compiled, concept), field))
                .collect(),
        );
        let mut generator =
            SnippetGenerator::create(&entries, &query, field).map_err(|source| IndexError::Tantivy {
                path: self.path.clone(),
                source,
            })?;
        generator.set_max_num_chars(max_chars);
        let snippet = generator.snippet(text);
        if snippet.is_empty() {
            let end = text.char_indices().nth(max_chars).map_or(text.len(), |(i, _)| i);
            return Ok(Highlight {
                fragment: text[..end].to_string(),
                ranges: Vec::new(),
            });
        }
        Ok(Highlight {
            fragment: snippet.fragment().to_string(),
            ranges: snippet.highlighted().to_vec(),
        })
    }
}

/// A concept on one field as a tantivy query: the best of its alternatives (a disjunction-max), each alternative an
/// intersection of its tokens boosted as [`ConceptTerms::new`] boosts it. Scores are what `search::rank` computes.
pub(crate) fn concept_query(concept: &Concept, terms: &ConceptTerms<'_>, field: Field) -> Box<dyn Query> {
    let alternatives = concept
        .alternatives
        .iter()
        .zip(&terms.alternatives)
        .map(|(tokens, looked_up)| {
            let terms = tokens
                .iter()
                .map(|t| {
                    let term = Term::from_field_text(field, t);
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>
                })
                .collect();
            Box::new(BoostQuery::new(
                single_or(terms, BooleanQuery::intersection),
                looked_up.boost,
            )) as Box<dyn Query>
        })
        .collect();
    single_or(alternatives, DisjunctionMaxQuery::new)
}

/// The query itself when there is one, else `combine` of them all.
fn single_or<Q: Query>(
    mut queries: Vec<Box<dyn Query>>,
    combine: impl FnOnce(Vec<Box<dyn Query>>) -> Q,
) -> Box<dyn Query> {
    match queries.pop() {
        Some(query) if queries.is_empty() => query,
        Some(query) => {
            queries.push(query);
            Box::new(combine(queries))
        }
        None => Box::new(combine(queries)),
    }
}
