//! The entries that score best for a question's concepts, exactly, without scoring every phrasing or walking every
//! posting.
//!
//! An entry scores its best phrasing (the sum, over concepts, of each concept's best alternative in that phrasing)
//! plus a share of its answer and tags score. Scoring every phrasing of every entry a word reaches is what made
//! large knowledge bases slow: a common word is in tens of thousands of phrasings. So the question field's lists
//! hold entries, each with its best factor for the term over its phrasings, and ranking works in three steps:
//!
//! 1. **Bounds.** Walking the concepts' lists adds up, per entry, the answer and tags score (exact: those lists are
//!    per entry) and a bound of the best phrasing's score (each concept at its best phrasing, though the best
//!    phrasings of two concepts may differ). A bound is never below the exact score.
//! 2. **Pruning, as MaxScore does.** Each alternative of a concept is a unit with a *ceiling*, the most it can add
//!    to any entry (each list's weight times its largest tf factor). Units are walked most ceiling per posting
//!    first: the rare, telling words, whose lists are short, before the common ones. Once a few leading entries
//!    have been scored, the `limit`-th of those scores is a *floor* the final `limit`-th score reaches for certain;
//!    when the ceilings of the units still to walk add up to less than the floor, no entry they have not reached
//!    can place. From then on only the entries already reached whose bound can still reach the floor (the
//!    *candidates*) are added to: a list much longer than they are many is looked up for them, so that a common word
//!    costs a few thousand lookups instead of a walk over half the knowledge base; a shorter one is walked, testing a
//!    bit per candidate before adding. A lookup finds its block of postings (`SKIP_BLOCK`) in the list's skips (the last entry of
//!    each block, a short array that stays in cache) and searches only that block, moving on from the last
//!    candidate's, as both are sorted by entry. A concept keeps its best alternative per entry, so that a better
//!    one walked later adds only the difference.
//! 3. **Exact scores, best bound first.** The `limit` entries of highest bound are scored exactly, phrasing by
//!    phrasing from each phrasing's few terms; the `limit`-th of these scores is one that the `limit`-th entry
//!    reaches for certain. Only the entries whose bound reaches it can still be among the best: they are scored in
//!    order of bound until the next bound cannot beat the `limit`-th exact score.
//!
//! The result is the exhaustive ranking's, score for score (a test compares both on generated knowledge bases);
//! only the work differs: a few dozen entries are scored exactly instead of every phrasing the words reach.

use std::cell::RefCell;

use smallvec::SmallVec;

use super::compiled::Compiled;
use super::concepts::{Alternative, ConceptTerms};
use super::postings::{Cursor, Found, Posting, Slot, gallop};

/// Bounds are sums of the same products as the scores, added in another order: a hair of slack keeps rounding
/// from ever pruning an entry that would tie.
const BOUND_SLACK: f32 = 1.0 + 1e-5;

/// A floor costs a selection over the entries reached so far and a few exact scores: it is worked out before a
/// concept only when walking the concepts left would cost this many times more postings than entries reached.
const FLOOR_WORTH: usize = 4;
/// A floor is tried at most this many times per question: when the ceilings left never fall under it, walking is
/// the cheaper way.
const FLOOR_TRIES: usize = 4;
/// Scoring an entry exactly costs about as much as adding this many postings.
const EXACT_COST: usize = 200;
/// A list is looked up for the candidates rather than walked when it is this many times longer than they are many.
const LOOKUP_WORTH: usize = 16;
/// The concepts of several alternatives that are walked an alternative at a time (each needs a per-entry record of
/// its best alternative so far); any after these are walked whole.
const MULTI_CONCEPTS: usize = 8;
/// A unit that is a whole concept rather than one of its alternatives.
const WHOLE: usize = usize::MAX;

/// An entry as ranked for a question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ranked {
    pub ordinal: u32,
    pub score: f32,
    /// The entry's best phrasing: its score and its document.
    pub phrasing: Option<(f32, u32)>,
    /// Answer and tags.
    pub answer_score: f32,
}

/// Per-question working memory, kept per thread so a question allocates nothing proportional to the index; reset
/// through the list of entries the question touched.
#[derive(Default)]
struct Scratch {
    /// Per entry: the bound of its best phrasing's score, and its answer and tags score, from the walked units.
    /// Two arrays rather than one of pairs: a walk adds to one of them at random, and an array of a float per entry
    /// is half the size to keep in the cache.
    sums: [Vec<f32>; 2],
    /// A bit per entry, set once a list has reached it: whether it is new to `touched` is a bit in a small array
    /// rather than a look at both of its sums.
    reached: Vec<u64>,
    touched: Vec<u32>,
    /// For each concept of several alternatives (the first ones a question has), per entry and field: its best
    /// alternative so far, which `sums` holds; a better one walked later adds only the difference.
    alternative_best: Vec<BestAlternatives>,
    /// Each touched entry's bound, with its number.
    bounds: Vec<(f32, u32)>,
    /// Touched entries outside the `limit` of highest bound whose bound reaches a score the `limit`-th entry has for
    /// certain.
    contenders: Vec<(f32, u32)>,
    /// Once pruning: the touched entries whose bound can still reach the floor, by number.
    candidates: Vec<u32>,
    /// The entries a floor scored (a few dozen at most): their best phrasings are reused by the last step.
    scored: Vec<Scored>,
    /// A bit per entry, to put the candidates in order in one pass.
    ordered: Vec<u64>,
    /// Once pruning: a bit per candidate, so that a list walked then adds to the candidates only: each posting adds
    /// its score times its entry's bit, nothing to the others, whose sums are no longer read.
    candidate_bits: Vec<u64>,
    /// How many of `alternative_best` this question uses.
    multi_used: usize,
}

/// A concept's best alternative so far, per field and entry, and the entries each field holds one for (to reset
/// them). A field's records are an array of their own, a float per entry: a walk reads and writes one record per
/// posting at random, and three fields interleaved made that array three times the size, out of the cache.
#[derive(Default)]
struct BestAlternatives {
    best: [Vec<f32>; 3],
    held: [Vec<u32>; 3],
}

impl BestAlternatives {
    /// Records `score` in the field if it beats the best so far, and returns what it adds.
    fn raise(&mut self, ordinal: u32, slot: Slot, score: f32) -> Option<f32> {
        let best = &mut self.best[slot as usize][ordinal as usize];
        let kept = *best;
        if score <= kept {
            return None;
        }
        if kept == 0.0 {
            self.held[slot as usize].push(ordinal);
        }
        *best = score;
        Some(score - kept)
    }
}

/// An entry scored for a floor.
struct Scored {
    ordinal: u32,
    phrasing: Option<(f32, u32)>,
    /// What the entry scores at least: its exact best phrasing and the answer score walked so far; negative
    /// infinity when nothing matches.
    at_least: f32,
}

/// One step of the walk: an alternative of a concept.
struct Unit {
    concept: usize,
    alternative: usize,
    /// Its concept's slot in `Scratch::alternative_best`, for a concept of several alternatives.
    multi: Option<usize>,
    /// The most it adds to any entry, and how many postings walking it costs.
    ceiling: f32,
    cost: usize,
}

#[cfg(test)]
thread_local! {
    /// How many rankings pruned, so that the test comparing with exhaustive scoring knows it compared pruned ones.
    static PRUNED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// How many lookups went through a list's skips, so that the same test knows it compared those too.
    static LOOKED_UP: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// What one ranking is of: the concepts, how answers count, how many entries are wanted.
struct Ranking<'r, 'a> {
    compiled: &'r Compiled,
    concepts: &'r [ConceptTerms<'a>],
    answer_weight: f32,
    limit: usize,
}

/// The `limit` best entries for the concepts, best first: each scores its best phrasing plus `answer_weight` times
/// its answer and tags score; equal scores go to the earlier entry, equal phrasings to the earlier one.
pub(crate) fn rank(
    compiled: &Compiled,
    concepts: &[ConceptTerms<'_>],
    answer_weight: f32,
    limit: usize,
) -> Vec<Ranked> {
    if limit == 0 {
        return Vec::new();
    }
    let ranking = Ranking {
        compiled,
        concepts,
        answer_weight,
        limit,
    };
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let scratch = &mut *scratch;
        let (floor, pruned) = scratch.gather(&ranking);
        #[cfg(test)]
        PRUNED.with(|count| count.set(count.get() + usize::from(pruned)));
        let ranked = scratch.best(&ranking, floor, pruned);
        scratch.reset();
        ranked
    })
}

/// The most an alternative adds to any document of each field: its terms' weights times their lists' largest tf
/// factors; zero in a field where one of its terms is missing.
fn field_ceilings(alternative: &Alternative<'_>) -> [f32; 3] {
    Slot::ALL.map(|slot| {
        alternative
            .terms
            .iter()
            .map(|term| {
                let list = term.and_then(|(_, t)| t.list(slot))?;
                Some(list.weight * alternative.boost * list.max_factor)
            })
            .sum::<Option<f32>>()
            .unwrap_or(0.0)
    })
}

/// `left[i]` for every `i` from `from` on: what the units from the i-th on can add at most to an entry that none of
/// the units before reached (each concept its best unwalked alternative in each field), and what walking them costs.
fn fill_left(
    left: &mut [(f32, usize)],
    units: &[Unit],
    fields: &[SmallVec<[[f32; 3]; 4]>],
    from: usize,
    answer_weight: f32,
) {
    for i in from..=units.len() {
        let rest = &units[i..];
        let ceiling = fields
            .iter()
            .enumerate()
            .map(|(c, own)| {
                if rest.iter().any(|u| u.concept == c && u.alternative == WHOLE) {
                    ceiling_of(own.iter().copied(), answer_weight)
                } else {
                    ceiling_of(
                        rest.iter().filter(|u| u.concept == c).map(|u| own[u.alternative]),
                        answer_weight,
                    )
                }
            })
            .sum();
        left[i] = (ceiling, rest.iter().map(|u| u.cost).sum());
    }
}

/// Sorts entry numbers: many through a bit per entry (one pass over the bits, which are left clear), few by comparison.
fn in_order(ordinals: &mut Vec<u32>, bits: &mut [u64]) {
    if ordinals.len() < bits.len() / 8 {
        ordinals.sort_unstable();
        return;
    }
    for &ordinal in ordinals.iter() {
        bits[ordinal as usize / 64] |= 1 << (ordinal % 64);
    }
    ordinals.clear();
    for (at, word) in bits.iter_mut().enumerate() {
        while *word != 0 {
            ordinals.push(at as u32 * 64 + word.trailing_zeros());
            *word &= *word - 1;
        }
    }
}

/// How many postings walking the alternative costs: a phrase gallops through its rarest term's list.
fn walk_cost(alternative: &Alternative<'_>) -> usize {
    Slot::ALL
        .iter()
        .map(|&slot| {
            alternative
                .terms
                .iter()
                .map(|term| {
                    term.and_then(|(_, t)| t.list(slot))
                        .map_or(0, |list| list.postings.len())
                })
                .min()
                .unwrap_or(0)
        })
        .sum()
}

/// The most a concept adds to an entry's bound from the alternatives not yet walked: the bound takes each field's
/// best alternative, so the fields' ceilings are maximised apart.
fn ceiling_of(fields: impl Iterator<Item = [f32; 3]>, answer_weight: f32) -> f32 {
    let best = fields.fold([0.0f32; 3], |best, f| {
        [best[0].max(f[0]), best[1].max(f[1]), best[2].max(f[2])]
    });
    best[0] + answer_weight * (best[1] + best[2])
}

/// An entry's bit in `bits`, 1 for a candidate and 0 for the others: a factor, so that a walk need not branch.
fn candidate_bit(bits: &[u64], ordinal: usize) -> u64 {
    (bits[ordinal / 64] >> (ordinal % 64)) & 1
}

/// Sets the entry's bit in `bits` if `on` is 1, and returns whether it was clear before: 1 for an entry no list had
/// reached, which is then added to the touched ones.
fn mark(bits: &mut [u64], ordinal: usize, on: u64) -> usize {
    let word = &mut bits[ordinal / 64];
    let new = !(*word >> (ordinal % 64)) & on;
    *word |= on << (ordinal % 64);
    new as usize
}

impl Scratch {
    fn fit(&mut self, entries: usize, multi: usize) {
        for sums in &mut self.sums {
            if sums.len() < entries {
                sums.resize(entries, 0.0);
            }
        }
        if self.alternative_best.len() < multi {
            self.alternative_best.resize_with(multi, BestAlternatives::default);
        }
        for alternatives in &mut self.alternative_best[..multi] {
            for best in &mut alternatives.best {
                if best.len() < entries {
                    best.resize(entries, 0.0);
                }
            }
        }
        if self.ordered.len() < entries.div_ceil(64) {
            self.ordered.resize(entries.div_ceil(64), 0);
            self.candidate_bits.resize(entries.div_ceil(64), 0);
            self.reached.resize(entries.div_ceil(64), 0);
        }
        self.multi_used = multi;
    }

    /// Adds every concept to the bounds, an alternative at a time, the most telling per posting first, walking
    /// lists until the floor lets it look up only the entries that can still place. Returns the floor (negative
    /// infinity when none was worked out) and whether it pruned: the bounds to rank are then the candidates'.
    fn gather(&mut self, ranking: &Ranking<'_, '_>) -> (f32, bool) {
        let concepts = ranking.concepts;
        let answer_weight = ranking.answer_weight;
        let mut units: Vec<Unit> = Vec::new();
        let mut fields: Vec<SmallVec<[[f32; 3]; 4]>> = Vec::with_capacity(concepts.len());
        let mut multi = 0;
        for (c, concept) in concepts.iter().enumerate() {
            let several = concept.alternatives.len() > 1 && multi < MULTI_CONCEPTS;
            let slot = several.then_some(multi);
            multi += usize::from(several);
            let own: SmallVec<[[f32; 3]; 4]> = concept.alternatives.iter().map(field_ceilings).collect();
            if !several {
                // Too many concepts of several alternatives: the later ones are walked whole, as one unit.
                units.push(Unit {
                    concept: c,
                    alternative: WHOLE,
                    multi: None,
                    ceiling: ceiling_of(own.iter().copied(), answer_weight),
                    cost: concept.alternatives.iter().map(walk_cost).sum(),
                });
            } else {
                for (a, alternative) in concept.alternatives.iter().enumerate() {
                    units.push(Unit {
                        concept: c,
                        alternative: a,
                        multi: slot,
                        ceiling: ceiling_of(std::iter::once(own[a]), answer_weight),
                        cost: walk_cost(alternative),
                    });
                }
            }
            fields.push(own);
        }
        self.fit(ranking.compiled.entry_count(), multi);
        let value = |unit: &Unit| unit.ceiling / (unit.cost + 1) as f32;
        units.sort_by(|a, b| value(b).total_cmp(&value(a)));
        // What the units from the i-th on can add at most to an entry none of the earlier ones reached, and what
        // walking them costs.
        let mut left = vec![(0.0f32, 0usize); units.len() + 1];
        fill_left(&mut left, &units, &fields, 0, answer_weight);
        let mut floor = f32::NEG_INFINITY;
        let mut pruning = false;
        let mut tries = 0;
        for i in 0..units.len() {
            let (ceiling_left, cost_left) = left[i];
            if !pruning
                && ceiling_left * BOUND_SLACK >= floor
                && tries < FLOOR_TRIES
                && self.touched.len() >= ranking.limit
                && cost_left >= FLOOR_WORTH * self.touched.len() + EXACT_COST * ranking.limit
            {
                tries += 1;
                floor = floor.max(self.floor(ranking));
            }
            let starts = !pruning && ceiling_left * BOUND_SLACK < floor;
            if starts {
                pruning = true;
                self.candidates.clear();
                self.candidates.extend_from_slice(&self.touched);
            }
            let unit = &units[i];
            let concept = &concepts[unit.concept];
            let alternatives = if unit.alternative == WHOLE {
                &concept.alternatives[..]
            } else {
                std::slice::from_ref(&concept.alternatives[unit.alternative])
            };
            if pruning {
                // Entries that cannot reach the floor even with every unit left are dropped first.
                self.drop_hopeless(ceiling_left, floor, answer_weight, starts);
            }
            // Looking a candidate up costs a gallop through each list's skips and a search in one block: for lists
            // not much longer than the candidates are many, walking them (adding to the candidates only) is cheaper.
            // (A concept walked whole with several alternatives is walked: its best alternative per entry is
            // gathered walking.)
            match alternatives {
                [alternative] if pruning && unit.cost > LOOKUP_WORTH * self.candidates.len() => {
                    for slot in Slot::ALL {
                        self.look_up(alternative, unit.multi, slot);
                    }
                }
                _ => {
                    for slot in Slot::ALL {
                        self.walk(alternatives, unit.multi, slot, pruning);
                    }
                }
            }
        }
        (floor, pruning)
    }

    /// Drops the candidates whose bound cannot reach the floor even with `ceiling_left` more; when pruning `starts`,
    /// the candidates are every touched entry, and are put in order and marked.
    fn drop_hopeless(&mut self, ceiling_left: f32, floor: f32, answer_weight: f32, starts: bool) {
        let (sums, bits, candidates) = (&self.sums, &mut self.candidate_bits, &mut self.candidates);
        // Compacted in place without a branch on whether each is kept: that alternates unpredictably, and a
        // mispredicted branch per candidate cost more than the test.
        let mut kept_count = 0;
        for at in 0..candidates.len() {
            let ordinal = candidates[at];
            let (question, answer) = (sums[0][ordinal as usize], sums[1][ordinal as usize]);
            let kept = (question + answer_weight * answer + ceiling_left) * BOUND_SLACK >= floor;
            candidates[kept_count] = ordinal;
            kept_count += usize::from(kept);
            bits[ordinal as usize / 64] &= !(u64::from(!kept) << (ordinal % 64));
        }
        candidates.truncate(kept_count);
        if starts {
            in_order(&mut self.candidates, &mut self.ordered);
            for &ordinal in &self.candidates {
                self.candidate_bits[ordinal as usize / 64] |= 1 << (ordinal % 64);
            }
        }
    }

    /// A score the `limit`-th best entry reaches for certain: the `limit`-th best among the entries scored so far, to
    /// which the touched entries of highest bound are added. Each is scored on its exact best phrasing (every
    /// concept, walked or not) and the answer score walked so far, which the units left can only raise.
    fn floor(&mut self, ranking: &Ranking<'_, '_>) -> f32 {
        let limit = ranking.limit;
        let mut bounds = std::mem::take(&mut self.bounds);
        bounds.clear();
        bounds.extend(
            self.touched
                .iter()
                .map(|&ordinal| (self.bound(ranking.answer_weight, ordinal), ordinal)),
        );
        if bounds.len() > limit {
            bounds.select_nth_unstable_by(limit, by_bound);
        }
        for &(_, ordinal) in bounds.iter().take(limit) {
            if self.scored.iter().any(|s| s.ordinal == ordinal) {
                continue;
            }
            let phrasing = best_phrasing(ranking, ordinal);
            let answer = self.sums[1][ordinal as usize];
            self.scored.push(Scored {
                ordinal,
                phrasing,
                at_least: if phrasing.is_some() || answer > 0.0 {
                    phrasing.map_or(0.0, |(score, _)| score) + ranking.answer_weight * answer
                } else {
                    f32::NEG_INFINITY
                },
            });
        }
        self.bounds = bounds;
        if self.scored.len() < limit {
            return f32::NEG_INFINITY;
        }
        let mut scores: SmallVec<[f32; 32]> = self.scored.iter().map(|s| s.at_least).collect();
        scores.sort_unstable_by(|a, b| b.total_cmp(a));
        // The sums of a score added in another order may differ in the last bit: a hair under it is certain.
        scores[limit - 1] / BOUND_SLACK
    }

    /// Adds to each entry the alternatives reach in the field: a concept's best of them for a concept walked whole
    /// (`multi` is `None`), otherwise what the alternative adds over the concept's best so far.
    /// When `pruning`, only the candidates' sums change.
    fn walk(&mut self, alternatives: &[Alternative<'_>], multi: Option<usize>, slot: Slot, pruning: bool) {
        let sum = usize::from(slot != Slot::Question);
        let (sums, reached, touched, bits) = (
            &mut self.sums[sum],
            &mut self.reached,
            &mut self.touched,
            &self.candidate_bits,
        );
        let wanted = |ordinal: u32| !pruning || candidate_bit(bits, ordinal as usize) != 0;
        let mut add = |ordinal: u32, score: f32| {
            if mark(reached, ordinal as usize, 1) != 0 {
                touched.push(ordinal);
            }
            sums[ordinal as usize] += score;
        };
        match (alternatives, multi) {
            // The common case, a concept of one word, in a loop of its own: it is most of what a question costs.
            ([alternative], None) => {
                if let [term] = alternative.terms.as_slice() {
                    if let Some(list) = term.and_then(|(_, t)| t.list(slot)) {
                        let weight = list.weight * alternative.boost;
                        // A non-finite weight times a candidate bit of 0 would be NaN in another entry's sum.
                        debug_assert!(weight.is_finite());
                        // Neither loop branches on the entry: on a common word's list, new entries and known ones
                        // (candidates and the others) alternate unpredictably, and a mispredicted branch per
                        // posting cost more than the rest of the loop.
                        if pruning {
                            // Every entry is added to, the candidates their score and the others nothing: only the
                            // candidates' sums are read from now on.
                            for posting in &list.postings {
                                let ordinal = posting.doc as usize;
                                let candidate = candidate_bit(bits, ordinal);
                                sums[ordinal] += weight * posting.tf_factor * candidate as f32;
                            }
                        } else {
                            // Each entry is written to the end of `touched`, which moves past it only if it is new.
                            let start = touched.len();
                            touched.resize(start + list.postings.len(), 0);
                            let mut end = start;
                            for posting in &list.postings {
                                let ordinal = posting.doc as usize;
                                touched[end] = posting.doc;
                                end += mark(reached, ordinal, 1);
                                sums[ordinal] += weight * posting.tf_factor;
                            }
                            touched.truncate(end);
                        }
                    }
                } else {
                    let add = |ordinal: u32, score: f32| {
                        if wanted(ordinal) {
                            add(ordinal, score);
                        }
                    };
                    walk_alternative(alternative, slot, add);
                }
            }
            (alternatives, Some(multi)) => {
                let alternative_best = &mut self.alternative_best[multi];
                for alternative in alternatives {
                    // A one-word alternative (most are) without a branch per posting either: an entry out of the
                    // running scores nothing, which raises no best and records nothing.
                    if let [term] = alternative.terms.as_slice() {
                        let Some(list) = term.and_then(|(_, t)| t.list(slot)) else {
                            continue;
                        };
                        let weight = list.weight * alternative.boost;
                        debug_assert!(weight.is_finite());
                        let best = &mut alternative_best.best[slot as usize];
                        let held = &mut alternative_best.held[slot as usize];
                        let (touched_start, held_start) = (touched.len(), held.len());
                        touched.resize(touched_start + list.postings.len(), 0);
                        held.resize(held_start + list.postings.len(), 0);
                        let (mut touched_end, mut held_end) = (touched_start, held_start);
                        for posting in &list.postings {
                            let ordinal = posting.doc as usize;
                            let wanted = if pruning { candidate_bit(bits, ordinal) } else { 1 };
                            let score = weight * posting.tf_factor * wanted as f32;
                            let record = &mut best[ordinal];
                            let kept = *record;
                            let raised = score > kept;
                            held[held_end] = posting.doc;
                            held_end += usize::from(raised && kept == 0.0);
                            *record = kept.max(score);
                            touched[touched_end] = posting.doc;
                            touched_end += mark(reached, ordinal, u64::from(raised));
                            sums[ordinal] += (score - kept).max(0.0);
                        }
                        touched.truncate(touched_end);
                        held.truncate(held_end);
                        continue;
                    }
                    walk_alternative(alternative, slot, |ordinal, score| {
                        // Tested before the best is raised, so that entries out of the running cost no record.
                        if !wanted(ordinal) {
                            return;
                        }
                        if let Some(more) = alternative_best.raise(ordinal, slot, score) {
                            if mark(reached, ordinal as usize, 1) != 0 {
                                touched.push(ordinal);
                            }
                            sums[ordinal as usize] += more;
                        }
                    });
                }
            }
            (alternatives, None) => {
                // A concept of several alternatives past `MULTI_CONCEPTS`: its best alternative per entry, gathered
                // in a map (rare).
                let mut best: rustc_hash::FxHashMap<u32, f32> = rustc_hash::FxHashMap::default();
                for alternative in alternatives {
                    walk_alternative(alternative, slot, |ordinal, score| {
                        let kept = best.entry(ordinal).or_insert(0.0);
                        *kept = kept.max(score);
                    });
                }
                for (ordinal, score) in best {
                    if wanted(ordinal) {
                        add(ordinal, score);
                    }
                }
            }
        }
    }

    /// As [`Self::walk`] for one alternative, for the candidates only, looking each up in the lists instead of
    /// walking them: the candidates are few and sorted, so each lookup moves a cursor on from the last, through the
    /// list's skips first and then inside one block.
    fn look_up(&mut self, alternative: &Alternative<'_>, multi: Option<usize>, slot: Slot) {
        let sum = usize::from(slot != Slot::Question);
        let Some(mut cursors) = alternative
            .terms
            .iter()
            .map(|term| {
                let list = term.and_then(|(_, t)| t.list(slot))?;
                Some((list.weight * alternative.boost, Cursor::new(list)))
            })
            .collect::<Option<SmallVec<[(f32, Cursor<'_>); 4]>>>()
        else {
            return;
        };
        'candidates: for &ordinal in &self.candidates {
            let mut score = 0.0;
            for (weight, cursor) in &mut cursors {
                #[cfg(test)]
                LOOKED_UP.with(|count| count.set(count.get() + 1));
                match cursor.find(ordinal) {
                    Found::At(factor) => score += *weight * factor,
                    Found::Absent => continue 'candidates,
                    Found::Past => break 'candidates,
                }
            }
            let sums = &mut self.sums[sum][ordinal as usize];
            match multi {
                Some(multi) => {
                    if let Some(more) = self.alternative_best[multi].raise(ordinal, slot, score) {
                        *sums += more;
                    }
                }
                None => *sums += score,
            }
        }
    }

    /// The touched entry's bound: its best phrasing's bound and its exact answer score.
    fn bound(&self, answer_weight: f32, ordinal: u32) -> f32 {
        let (question, answer) = (self.sums[0][ordinal as usize], self.sums[1][ordinal as usize]);
        (question + answer_weight * answer) * BOUND_SLACK
    }

    /// The best entries by exact score, scoring exactly only those whose bound could place them: of the candidates
    /// when `pruned`, otherwise of every touched entry, and only those whose bound reaches the floor.
    fn best(&mut self, ranking: &Ranking<'_, '_>, floor: f32, pruned: bool) -> Vec<Ranked> {
        let limit = ranking.limit;
        let mut bounds = std::mem::take(&mut self.bounds);
        bounds.clear();
        let pool = if pruned { &self.candidates } else { &self.touched };
        bounds.extend(
            pool.iter()
                .map(|&ordinal| (self.bound(ranking.answer_weight, ordinal), ordinal))
                .filter(|&(bound, _)| bound >= floor),
        );
        // The `limit` of highest bound first (a selection, not a sort: most touched entries never place), then the
        // others.
        let first = limit.min(bounds.len());
        if bounds.len() > limit {
            bounds.select_nth_unstable_by(limit, by_bound);
        }
        let (top, others) = bounds.split_at_mut(first);
        let mut best: Vec<Ranked> = top
            .iter()
            .filter_map(|&(_, ordinal)| self.exact(ranking, ordinal))
            .collect();
        best.sort_by(by_score);
        // The `limit`-th of these exact scores is reached for certain: only an entry whose bound reaches it may
        // displace one of them; they are scored best bound first, until the next bound cannot place.
        let certain = if best.len() == limit {
            best[limit - 1].score
        } else {
            f32::NEG_INFINITY
        };
        let mut contenders = std::mem::take(&mut self.contenders);
        contenders.clear();
        contenders.extend(others.iter().filter(|(bound, _)| *bound >= certain));
        contenders.sort_unstable_by(by_bound);
        for &(bound, ordinal) in &contenders {
            if best.len() == limit && bound < best[limit - 1].score {
                break;
            }
            let Some(ranked) = self.exact(ranking, ordinal) else {
                continue;
            };
            let at = best.partition_point(|kept| by_score(kept, &ranked).is_lt());
            if at < limit {
                best.insert(at, ranked);
                best.truncate(limit);
            }
        }
        self.contenders = contenders;
        self.bounds = bounds;
        best
    }

    /// The entry's exact score: its best phrasing and its answer and tags score; `None` when nothing matches after
    /// all (the tokens of a phrase are in the entry's phrasings, but in no one phrasing).
    fn exact(&mut self, ranking: &Ranking<'_, '_>, ordinal: u32) -> Option<Ranked> {
        let phrasing = match self.scored.iter().find(|s| s.ordinal == ordinal) {
            Some(scored) => scored.phrasing,
            None => best_phrasing(ranking, ordinal),
        };
        let answer_score = self.sums[1][ordinal as usize];
        if phrasing.is_none() && answer_score == 0.0 {
            return None;
        }
        Some(Ranked {
            ordinal,
            score: phrasing.map_or(0.0, |(score, _)| score) + ranking.answer_weight * answer_score,
            phrasing,
            answer_score,
        })
    }

    fn reset(&mut self) {
        for &ordinal in &self.candidates {
            self.candidate_bits[ordinal as usize / 64] = 0;
        }
        for ordinal in self.touched.drain(..) {
            let ordinal = ordinal as usize;
            self.sums[0][ordinal] = 0.0;
            self.sums[1][ordinal] = 0.0;
            self.reached[ordinal / 64] = 0;
        }
        for alternatives in &mut self.alternative_best[..self.multi_used] {
            for (best, held) in alternatives.best.iter_mut().zip(&mut alternatives.held) {
                for ordinal in held.drain(..) {
                    best[ordinal as usize] = 0.0;
                }
            }
        }
        self.candidates.clear();
        self.scored.clear();
    }
}

thread_local! {
    /// Per phrasing of the entry being scored: the sum over concepts, and the current concept's best alternative.
    static PHRASING_SCRATCH: RefCell<(Vec<f32>, Vec<f32>)> = RefCell::default();
}

/// The entry's best phrasing, its score and number: each concept's best alternative in each phrasing, summed. For
/// an entry of many phrasings (the shipped faq/ has about fifty per entry), from the terms' phrasing lists cut to
/// the entry's run of phrasings (a binary search per token), so that the cost is that of its matching phrasings.
fn best_phrasing(ranking: &Ranking<'_, '_>, ordinal: u32) -> Option<(f32, u32)> {
    let run = ranking.compiled.phrasings_of(ordinal);
    if run.len() <= FEW_PHRASINGS {
        best_of_few(ranking, run)
    } else {
        best_of_run(ranking, run)
    }
}

fn best_of_run(ranking: &Ranking<'_, '_>, run: std::ops::Range<u32>) -> Option<(f32, u32)> {
    let (start, count) = (run.start, run.len());
    PHRASING_SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let (totals, best) = &mut *scratch;
        totals.clear();
        totals.resize(count, 0.0);
        let mut matched = false;
        for concept in ranking.concepts {
            best.clear();
            best.resize(count, 0.0);
            for alternative in &concept.alternatives {
                alternative_in_run(alternative, run.clone(), |number, score| {
                    let slot = &mut best[(number - start) as usize];
                    *slot = slot.max(score);
                });
            }
            for (total, &score) in totals.iter_mut().zip(best.iter()) {
                if score > 0.0 {
                    *total += score;
                    matched = true;
                }
            }
        }
        if !matched {
            return None;
        }
        let mut phrasing: Option<(f32, u32)> = None;
        for (i, &total) in totals.iter().enumerate() {
            if total > 0.0 && phrasing.is_none_or(|(best, _)| total > best) {
                phrasing = Some((total, start + i as u32));
            }
        }
        phrasing
    })
}

/// An entry of this many phrasings or fewer is scored phrasing by phrasing from each phrasing's few terms, which is
/// cheaper than cutting long phrasing lists to its run; the scores are the same.
const FEW_PHRASINGS: usize = 12;

fn best_of_few(ranking: &Ranking<'_, '_>, run: std::ops::Range<u32>) -> Option<(f32, u32)> {
    let mut phrasing: Option<(f32, u32)> = None;
    for doc in run {
        let total: f32 = ranking
            .concepts
            .iter()
            .filter_map(|concept| concept.score_at(Slot::Question, doc))
            .sum();
        if total > 0.0 && phrasing.is_none_or(|(best, _)| total > best) {
            phrasing = Some((total, doc));
        }
    }
    phrasing
}

/// Calls `visit(phrasing, score)` for each phrasing of the run holding every token of the alternative.
fn alternative_in_run(alternative: &Alternative<'_>, run: std::ops::Range<u32>, mut visit: impl FnMut(u32, f32)) {
    let mut lists: Lists<'_> = SmallVec::new();
    for term in &alternative.terms {
        let Some((_, postings)) = term else { return };
        let all = &postings.phrasings;
        let from = all.partition_point(|p| p.doc < run.start);
        let to = from + all[from..].partition_point(|p| p.doc < run.end);
        if from == to {
            return;
        }
        let weight = postings.fields[Slot::Question as usize].weight * alternative.boost;
        lists.push((weight, &all[from..to]));
    }
    // Most alternatives are one word: its cut list is the answer.
    if let [(weight, list)] = lists.as_slice() {
        for posting in *list {
            visit(posting.doc, weight * posting.tf_factor);
        }
        return;
    }
    intersect(&lists, visit);
}

/// The weighted lists of an alternative's tokens: a few, so kept on the stack (a question scores dozens of
/// alternatives per entry it scores exactly).
type Lists<'p> = SmallVec<[(f32, &'p [Posting]); 4]>;

/// Calls `visit(doc, sum)` for each document in every one of the `(weight, postings)` lists, `sum` being each
/// list's weight times its tf factor there, added up. Walks the shortest list and gallops through the others with
/// cursors that only move forward: both are sorted, so each lookup starts where the last one ended.
fn intersect(lists: &[(f32, &[Posting])], mut visit: impl FnMut(u32, f32)) {
    let Some(shortest) = (0..lists.len()).min_by_key(|&i| lists[i].1.len()) else {
        return;
    };
    let mut cursors: SmallVec<[usize; 4]> = smallvec::smallvec![0; lists.len()];
    'documents: for posting in lists[shortest].1 {
        let mut sum = 0.0;
        for (i, (weight, list)) in lists.iter().enumerate() {
            let at = if i == shortest {
                sum += weight * posting.tf_factor;
                continue;
            } else {
                seek(list, cursors[i], posting.doc)
            };
            cursors[i] = at;
            match list.get(at) {
                Some(found) if found.doc == posting.doc => sum += weight * found.tf_factor,
                Some(_) => continue 'documents,
                None => return,
            }
        }
        visit(posting.doc, sum);
    }
}

/// The first position at or after `from` whose document is at least `doc`.
fn seek(list: &[Posting], from: usize, doc: u32) -> usize {
    gallop(list, from, |p| p.doc, doc)
}

/// Higher bound first, then the earlier entry.
fn by_bound(a: &(f32, u32), b: &(f32, u32)) -> std::cmp::Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// Higher score first, then the earlier entry.
fn by_score(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    b.score.total_cmp(&a.score).then(a.ordinal.cmp(&b.ordinal))
}

/// Calls `visit(ordinal, score)` for each entry holding every token of the alternative in the field; for questions the
/// score is the bound: each token at the entry's best phrasing for it.
pub(crate) fn walk_alternative(alternative: &Alternative<'_>, slot: Slot, mut visit: impl FnMut(u32, f32)) {
    // Most alternatives are one word: no intersection to prepare.
    if let [term] = alternative.terms.as_slice() {
        if let Some(list) = term.and_then(|(_, t)| t.list(slot)) {
            let weight = list.weight * alternative.boost;
            for posting in &list.postings {
                visit(posting.doc, weight * posting.tf_factor);
            }
        }
        return;
    }
    let mut lists: Lists<'_> = SmallVec::new();
    for term in &alternative.terms {
        match term.and_then(|(_, t)| t.list(slot)) {
            Some(list) => lists.push((list.weight * alternative.boost, list.postings.as_slice())),
            None => return,
        }
    }
    intersect(&lists, visit);
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tantivy::collector::TopDocs;
    use tantivy::{DocAddress, Index};

    use super::*;
    use crate::search::concepts::{Concept, group_concepts, weigh_concepts};
    use crate::search::highlight::concept_query;
    use crate::search::{ENTRIES_DIR, QUESTIONS_DIR, SearchIndex, open_or_build, tokenizer};

    /// A generated knowledge base of `entries` entries (faqbot-synth's, with its synonym groups), built and opened.
    fn generated(entries: usize, seed: u64) -> (tempfile::TempDir, SearchIndex, Vec<String>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let corpus = faqbot_synth::generate(entries, seed);
        let faq = dir.path().join("faq");
        corpus.write_faq(&faq).expect("write the generated faq/");
        let questions = corpus.questions(300, seed).into_iter().map(|case| case.q).collect();
        let opened = open_or_build(&faq, &dir.path().join("index"), false).expect("index");
        (dir, opened.index, questions)
    }

    /// The question's concepts, weighed, as retrieval makes them.
    fn concepts_of(index: &SearchIndex, question: &str) -> Vec<Concept> {
        let mut corrections = Vec::new();
        let (_, tokens) = index.tokens(question, &mut corrections);
        let mut concepts = group_concepts(&tokens, &index.synonyms);
        weigh_concepts(&mut concepts, &index.compiled);
        concepts
    }

    /// Every entry scored the plain way, every phrasing of it with every concept, and the best `limit` taken.
    fn exhaustive(compiled: &Compiled, concepts: &[ConceptTerms<'_>], answer_weight: f32, limit: usize) -> Vec<Ranked> {
        let mut ranked: Vec<Ranked> = (0..compiled.entry_count() as u32)
            .filter_map(|ordinal| {
                let mut phrasing: Option<(f32, u32)> = None;
                for doc in compiled.phrasings_of(ordinal) {
                    let matched: Vec<f32> = concepts
                        .iter()
                        .filter_map(|c| c.score_at(Slot::Question, doc))
                        .collect();
                    let total: f32 = matched.iter().sum();
                    if !matched.is_empty() && phrasing.is_none_or(|(best, _)| total > best) {
                        phrasing = Some((total, doc));
                    }
                }
                let answers: Vec<f32> = concepts
                    .iter()
                    .flat_map(|c| [Slot::Answer, Slot::Tags].map(|slot| c.score_at(slot, ordinal)))
                    .flatten()
                    .collect();
                if phrasing.is_none() && answers.is_empty() {
                    return None;
                }
                let answer_score: f32 = answers.iter().sum();
                Some(Ranked {
                    ordinal,
                    score: phrasing.map_or(0.0, |(score, _)| score) + answer_weight * answer_score,
                    phrasing,
                    answer_score,
                })
            })
            .collect();
        ranked.sort_by(by_score);
        ranked.truncate(limit);
        ranked
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() <= 1e-4 * a.abs().max(1.0)
    }

    /// The pruned ranking is the exhaustive one: the same scores rank by rank, and the same entries wherever the
    /// scores are not tied (sums added in another order may break a tie the other way).
    fn assert_same(pruned: &[Ranked], exhaustive: &[Ranked], question: &str) {
        assert_eq!(
            pruned.len(),
            exhaustive.len(),
            "{question}: {pruned:?} against {exhaustive:?}"
        );
        for (i, (p, e)) in pruned.iter().zip(exhaustive).enumerate() {
            assert!(close(p.score, e.score), "{question}: rank {i}: {p:?} against {e:?}");
            let tied = exhaustive.iter().filter(|other| close(other.score, e.score)).count() > 1;
            if !tied {
                assert_eq!(p.ordinal, e.ordinal, "{question}: rank {i}");
                assert!(
                    close(p.answer_score, e.answer_score),
                    "{question}: rank {i}: {p:?} against {e:?}"
                );
                assert_eq!(p.phrasing.is_some(), e.phrasing.is_some(), "{question}: rank {i}");
            }
        }
    }

    #[test]
    fn pruned_ranking_is_the_exhaustive_one_on_generated_knowledge_bases() {
        let mut compared = 0;
        for (entries, seed) in [(300, 7), (2_000, 20261202)] {
            let (_dir, index, questions) = generated(entries, seed);
            let compiled = &index.compiled;
            for question in &questions {
                let concepts = concepts_of(&index, question);
                let terms: Vec<ConceptTerms<'_>> = concepts.iter().map(|c| ConceptTerms::new(compiled, c)).collect();
                for limit in [1, 4, 10] {
                    let pruned = rank(compiled, &terms, 0.25, limit);
                    assert_same(&pruned, &exhaustive(compiled, &terms, 0.25, limit), question);
                    compared += pruned.len();
                }
            }
        }
        assert!(compared > 5_000, "only {compared} ranks compared");
        let pruned = PRUNED.with(std::cell::Cell::get);
        assert!(pruned > 100, "only {pruned} rankings pruned");
        let looked_up = LOOKED_UP.with(std::cell::Cell::get);
        assert!(looked_up > 1_000, "only {looked_up} lookups through skips");
    }

    /// Every concept of the generated questions (synonym groups with several alternatives and phrases of several
    /// tokens among them), scored by tantivy's own queries and by the compiled lists, in all three fields.
    #[test]
    fn concept_scores_are_tantivys_in_every_field() {
        let (_dir, index, questions) = generated(200, 11);
        let compiled = &index.compiled;
        let open = |name| {
            let tantivy_index = Index::open_in_dir(index.path.join(name)).expect("open");
            tokenizer::register(tantivy_index.tokenizers());
            tantivy_index.reader().expect("reader").searcher()
        };
        let (questions_searcher, entries_searcher) = (open(QUESTIONS_DIR), open(ENTRIES_DIR));
        // tantivy's documents by the compiled numbering: phrasings by (entry, position), entries by ordinal.
        let phrasing_doc = |address: DocAddress| -> u32 {
            let segment = questions_searcher.segment_reader(address.segment_ord);
            let fast = segment.fast_fields();
            let entry = fast
                .u64("entry")
                .expect("entry")
                .first(address.doc_id)
                .expect("entry number");
            let position = fast
                .u64("phrasing")
                .expect("phrasing")
                .first(address.doc_id)
                .expect("phrasing number");
            compiled
                .phrasings_of(entry as u32)
                .find(|&doc| compiled.phrasing(doc).position == position as u32)
                .expect("the phrasing")
        };
        let entry_ordinal = |address: DocAddress| -> u32 {
            let segment = entries_searcher.segment_reader(address.segment_ord);
            segment
                .fast_fields()
                .u64("entry")
                .expect("entry")
                .first(address.doc_id)
                .expect("number") as u32
        };
        let schema = index.schema();
        let (mut compared, mut with_synonyms) = (0, 0);
        for question in &questions {
            for concept in concepts_of(&index, question) {
                let terms = ConceptTerms::new(compiled, &concept);
                with_synonyms += usize::from(concept.alternatives.len() > 1);
                for (slot, searcher, field, doc_of) in [
                    (
                        Slot::Question,
                        &questions_searcher,
                        schema.questions.question,
                        &phrasing_doc as &dyn Fn(DocAddress) -> u32,
                    ),
                    (Slot::Answer, &entries_searcher, schema.entries.answer, &entry_ordinal),
                    (Slot::Tags, &entries_searcher, schema.entries.tags, &entry_ordinal),
                ] {
                    let query = concept_query(&concept, &terms, field);
                    let hits = searcher
                        .search(&query, &TopDocs::with_limit(100_000).order_by_score())
                        .expect("search");
                    for (score, address) in &hits {
                        let doc = doc_of(*address);
                        let ours = terms.score_at(slot, doc).expect("a match tantivy found");
                        assert!(
                            close(ours, *score),
                            "{} in {slot:?} doc {doc}: {ours} against {score}",
                            concept.label
                        );
                    }
                    // And nothing matches here that tantivy does not find.
                    let documents = if slot == Slot::Question {
                        compiled.phrasing_count()
                    } else {
                        compiled.entry_count()
                    };
                    let ours = (0..documents as u32)
                        .filter(|&doc| terms.score_at(slot, doc).is_some())
                        .count();
                    assert_eq!(ours, hits.len(), "{} in {slot:?}", concept.label);
                    compared += hits.len();
                }
            }
        }
        assert!(compared > 10_000, "only {compared} scores compared");
        assert!(with_synonyms > 50, "only {with_synonyms} concepts with synonyms");
    }

    /// Entries of many phrasings are scored from the phrasing lists cut to their run: the same phrasing and score
    /// as phrasing by phrasing, on the shipped faq/ (about fifty phrasings per entry) and the regression questions.
    #[test]
    fn both_ways_of_scoring_an_entry_agree() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let index = open_or_build(&root.join("faq"), &dir.path().join("index"), false)
            .expect("index")
            .index;
        let compiled = &index.compiled;
        let cases = std::fs::read_to_string(root.join("tests/eval/questions.jsonl")).expect("questions");
        let (mut compared, mut large) = (0, 0);
        for line in cases.lines() {
            let case: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let question = case["q"].as_str().expect("a question");
            let concepts = concepts_of(&index, question);
            let terms: Vec<ConceptTerms<'_>> = concepts.iter().map(|c| ConceptTerms::new(compiled, c)).collect();
            let ranking = Ranking {
                compiled,
                concepts: &terms,
                answer_weight: 0.25,
                limit: 4,
            };
            for ordinal in 0..compiled.entry_count() as u32 {
                let run = compiled.phrasings_of(ordinal);
                large += usize::from(run.len() > FEW_PHRASINGS);
                let (by_run, by_phrasing) = (best_of_run(&ranking, run.clone()), best_of_few(&ranking, run));
                assert_eq!(
                    by_run.map(|(_, doc)| doc),
                    by_phrasing.map(|(_, doc)| doc),
                    "{question}: entry {ordinal}"
                );
                if let (Some((a, _)), Some((b, _))) = (by_run, by_phrasing) {
                    assert!(close(a, b), "{question}: entry {ordinal}: {a} against {b}");
                    compared += 1;
                }
            }
        }
        assert!(
            compared > 500 && large > 1_000,
            "only {compared} phrasings compared, {large} large entries"
        );
    }

    /// Galloping intersection against the plain one, on lists of every overlap: none, some, all, and lists whose
    /// documents run past the shortest's last.
    #[test]
    fn galloping_intersection_is_the_plain_one() {
        let list = |step: u32, count: u32, offset: u32| -> Vec<Posting> {
            (0..count)
                .map(|i| Posting {
                    doc: offset + i * step,
                    tf_factor: 1.0 + (i % 7) as f32,
                })
                .collect()
        };
        let lists = [
            list(1, 500, 0),
            list(3, 200, 0),
            list(7, 90, 2),
            list(2, 3, 998),
            list(5, 1, 35),
            Vec::new(),
        ];
        let mut compared = 0;
        for a in &lists {
            for b in &lists {
                for c in &lists {
                    let weighted = [(1.0, a.as_slice()), (0.5, b.as_slice()), (2.0, c.as_slice())];
                    let mut galloped = Vec::new();
                    intersect(&weighted, |doc, sum| galloped.push((doc, sum)));
                    let plain: Vec<(u32, f32)> = a
                        .iter()
                        .filter_map(|p| {
                            let in_b = b.iter().find(|q| q.doc == p.doc)?;
                            let in_c = c.iter().find(|q| q.doc == p.doc)?;
                            Some((p.doc, p.tf_factor + 0.5 * in_b.tf_factor + 2.0 * in_c.tf_factor))
                        })
                        .collect();
                    assert_eq!(galloped, plain);
                    compared += plain.len();
                }
            }
        }
        assert!(compared > 100, "only {compared} documents in the intersections");
        for (from, doc) in [(0, 0), (0, 1), (0, 499), (0, 500), (10, 5), (499, 499), (500, 3)] {
            let expected = lists[0]
                .iter()
                .position(|p| p.doc >= doc)
                .unwrap_or(500)
                .max(from.min(500));
            assert_eq!(seek(&lists[0], from, doc), expected, "from {from}, doc {doc}");
        }
    }

    #[test]
    fn no_limit_ranks_nothing() {
        let (_dir, index, _) = generated(50, 3);
        let concepts = concepts_of(&index, "how do I set up auto reply");
        let terms: Vec<ConceptTerms<'_>> = concepts.iter().map(|c| ConceptTerms::new(&index.compiled, c)).collect();
        assert!(rank(&index.compiled, &terms, 0.25, 0).is_empty());
        assert!(!rank(&index.compiled, &terms, 0.25, 3).is_empty());
    }

    #[test]
    fn the_fixture_ranks_as_it_did() {
        let dir = tempfile::tempdir().expect("tempdir");
        let faq = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq");
        let index = open_or_build(&faq, &dir.path().join("index"), false)
            .expect("index")
            .index;
        let concepts = concepts_of(&index, "can I switch account type");
        let terms: Vec<ConceptTerms<'_>> = concepts.iter().map(|c| ConceptTerms::new(&index.compiled, c)).collect();
        let pruned = rank(&index.compiled, &terms, 0.25, 10);
        assert_same(
            &pruned,
            &exhaustive(&index.compiled, &terms, 0.25, 10),
            "can I switch account type",
        );
        assert!(!pruned.is_empty());
    }
}
