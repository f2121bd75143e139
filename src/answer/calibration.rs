//! A confidence that means something: the signals retrieval gives about its best entry (how much of the question it
//! covers, how much of its phrasing the question covers, the margin to the runner-up, words the knowledge base never
//! uses…) combined by a logistic model fitted on a development set, so that 0.9 means "right nine times in ten".
//!
//! The model is small enough to fit here (no crate needed for nine weights): standardised features, L2-regularised
//! logistic regression by gradient descent. `faqbot eval --fit` fits it; the shipped one is `calibration.json`.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// What retrieval says about a question's best candidate, each in a fixed, documented range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// Share of the question's concepts (weighted) that the entry covers, in [0, 1].
    pub coverage: f32,
    /// Share of the entry's closest phrasing that the question covers, in [0, 1].
    pub phrasing_coverage: f32,
    /// (best − runner-up) / best score, in [0, 1]; 1 when there is no runner-up.
    pub margin: f32,
    /// Share of the asking sentence's weight in words no entry uses, in [0, 1]: "WeCom" in "How much does WeCom cost?".
    pub unknown: f32,
    /// ln(1 + best score).
    pub score: f32,
    /// ln(1 + number of concepts in the asking sentence).
    pub length: f32,
    /// Share of the concept weight that comes from context rather than the asking sentence, in [0, 1].
    pub context: f32,
    /// Cosine similarity of the question and the entry's closest phrasing in the semantic model, in [-1, 1]; 0
    /// when the model knows none of the words.
    pub semantic: f32,
    /// Share of the asking sentence's concept weight (context aside) that the entry's best phrasing matches, in
    /// [0, 1]: an entry found through the context or its answer's words, and not through what is asked, is doubtful.
    pub asked_coverage: f32,
    /// 1 when the question was read as a follow-up of the one before it (with that question as context), else 0:
    /// its words then come partly from another question.
    pub follow_up: f32,
    /// 1 for a question after the first of its message, else 0: the first is what the user came for, and a wrong
    /// answer to a later one spoils a right answer to it.
    pub later_part: f32,
    /// 1 when the question asks for a sort of answer (an amount, a duration, a count, a person, a place, a
    /// reason) that none of the entry's phrasings asks for, else 0 ([`super::kind`]): "How much do agencies
    /// charge?" is not answered by an entry that never gives a price, however many of its words it shares.
    pub kind_mismatch: f32,
    /// The candidate's `phrasing_coverage` minus the best of the other leading candidates' (of the first [`RIVALS`]),
    /// in [-1, 1]: when another entry's phrasing is covered as well, the words do not tell the two apart, however
    /// far the scores are.
    pub phrasing_lead: f32,
    /// The candidate's `semantic` similarity minus the best of the other leading candidates', in [-2, 2].
    pub semantic_lead: f32,
}

/// How many leading candidates (the candidate itself among them) the `*_lead` signals compare: the best and the two
/// runners-up a doubtful best gives way to, so that a candidate is compared with the same others whatever its rank.
pub const RIVALS: usize = 3;

/// How many signals the model weighs.
const FEATURES: usize = 14;

impl Signals {
    pub const NAMES: [&'static str; FEATURES] = [
        "coverage",
        "phrasing_coverage",
        "margin",
        "unknown",
        "score",
        "length",
        "context",
        "semantic",
        "asked_coverage",
        "follow_up",
        "later_part",
        "kind_mismatch",
        "phrasing_lead",
        "semantic_lead",
    ];

    pub fn features(&self) -> [f32; FEATURES] {
        [
            self.coverage,
            self.phrasing_coverage,
            self.margin,
            self.unknown,
            self.score,
            self.length,
            self.context,
            self.semantic,
            self.asked_coverage,
            self.follow_up,
            self.later_part,
            self.kind_mismatch,
            self.phrasing_lead,
            self.semantic_lead,
        ]
    }
}

/// A fitted logistic model over [`Signals`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Feature names, in order: a model fitted for other features is refused rather than misread.
    pub features: Vec<String>,
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
    pub weights: Vec<f32>,
    pub bias: f32,
    /// The confidence at which the engine answers: chosen on the development set by `eval::best_threshold`.
    pub threshold: f32,
    /// The confidence a question after the first of its message must reach, when it is above `threshold`: a wrong
    /// answer to a later question spoils the right answer to the first (the message is answered wrongly), while a
    /// later question left unanswered is named as such. Chosen on the development set with `threshold`
    /// (`eval::fit`); none for a model that answers every question at `threshold`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub later_part_threshold: Option<f32>,
    /// Where the model was fitted, for the record: the set, its size, the date.
    pub fitted_on: String,
}

/// The shipped model, fitted by `faqbot eval --fit tests/eval/dev.jsonl`.
const SHIPPED: &str = include_str!("calibration.json");

static SHIPPED_MODEL: LazyLock<Calibration> = LazyLock::new(|| match Calibration::from_json(SHIPPED) {
    Ok(model) => model,
    Err(_) => {
        tracing::error!("the shipped calibration does not fit this build's signals; confidence falls back to coverage");
        Calibration::coverage_only()
    }
});

/// Why a calibration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    #[error("not a calibration: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "fitted for other signals than this build's ({}), or with a threshold outside 0 to 1: fit it again with `faqbot eval --fit`",
        Signals::NAMES.join(", ")
    )]
    OtherSignals,
}

impl Calibration {
    /// A calibration as `faqbot eval --fit` writes it, refused when it was fitted for other signals.
    pub fn from_json(text: &str) -> Result<Self, CalibrationError> {
        let model: Calibration = serde_json::from_str(text)?;
        if model.is_consistent() {
            Ok(model)
        } else {
            Err(CalibrationError::OtherSignals)
        }
    }

    pub fn shipped() -> &'static Calibration {
        &SHIPPED_MODEL
    }

    /// The uncalibrated confidence faqbot used before: a blend of the two coverages, as a logistic model whose
    /// 0.5 is the old blend's 0.5.
    pub fn coverage_only() -> Self {
        let n = Signals::NAMES.len();
        let mut weights = vec![0.0; n];
        weights[0] = 0.35 * 12.0;
        weights[1] = 0.65 * 12.0;
        Self {
            features: Signals::NAMES.iter().map(|s| s.to_string()).collect(),
            mean: vec![0.0; n],
            scale: vec![1.0; n],
            weights,
            bias: -6.0,
            threshold: 0.5,
            later_part_threshold: None,
            fitted_on: "not fitted: the coverage blend".into(),
        }
    }

    fn is_consistent(&self) -> bool {
        let n = Signals::NAMES.len();
        self.features.iter().map(String::as_str).eq(Signals::NAMES)
            && self.mean.len() == n
            && self.scale.len() == n
            && self.weights.len() == n
            && self.scale.iter().all(|s| *s > 0.0)
            && (0.0..=1.0).contains(&self.threshold)
            && self.later_part_threshold.is_none_or(|t| (0.0..=1.0).contains(&t))
    }

    /// The threshold for a question of a message at `threshold`: the later-part one for a question after the
    /// first, when it is higher.
    pub fn threshold_for(&self, signals: &Signals, threshold: f32) -> f32 {
        match self.later_part_threshold {
            Some(later) if signals.later_part > 0.0 => threshold.max(later),
            _ => threshold,
        }
    }

    /// The probability that the best candidate is right, in [0, 1].
    pub fn confidence(&self, signals: &Signals) -> f32 {
        let z: f32 = signals
            .features()
            .iter()
            .zip(&self.mean)
            .zip(&self.scale)
            .zip(&self.weights)
            .map(|(((x, mean), scale), weight)| (x - mean) / scale * weight)
            .sum::<f32>()
            + self.bias;
        sigmoid(z)
    }

    /// Fits the model to `samples` (signals, and whether the best candidate was right). `threshold` is set by the
    /// caller, who can judge the whole pipeline.
    pub fn fit(samples: &[(Signals, bool)], fitted_on: String) -> Self {
        const L2: f64 = 0.01;
        const STEPS: usize = 4_000;
        const LEARNING_RATE: f64 = 0.5;
        let n = Signals::NAMES.len();
        let rows: Vec<[f32; FEATURES]> = samples.iter().map(|(s, _)| s.features()).collect();
        let count = rows.len().max(1) as f64;
        let mut mean = vec![0.0f64; n];
        for row in &rows {
            for (m, x) in mean.iter_mut().zip(row) {
                *m += f64::from(*x) / count;
            }
        }
        let mut scale = vec![0.0f64; n];
        for row in &rows {
            for ((s, x), m) in scale.iter_mut().zip(row).zip(&mean) {
                *s += (f64::from(*x) - m).powi(2) / count;
            }
        }
        // A feature that never varies (no semantic model, say) gets scale 1 and so weight 0 by regularisation.
        let scale: Vec<f64> = scale.iter().map(|v| if *v > 1e-12 { v.sqrt() } else { 1.0 }).collect();
        let standardised: Vec<Vec<f64>> = rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&mean)
                    .zip(&scale)
                    .map(|((x, m), s)| (f64::from(*x) - m) / s)
                    .collect()
            })
            .collect();
        let labels: Vec<f64> = samples.iter().map(|(_, right)| f64::from(u8::from(*right))).collect();
        let (mut weights, mut bias) = (vec![0.0f64; n], 0.0f64);
        for _ in 0..STEPS {
            let mut gradient = vec![0.0f64; n];
            let mut bias_gradient = 0.0;
            for (x, y) in standardised.iter().zip(&labels) {
                let z: f64 = x.iter().zip(&weights).map(|(a, b)| a * b).sum::<f64>() + bias;
                let error = 1.0 / (1.0 + (-z).exp()) - y;
                for (g, xi) in gradient.iter_mut().zip(x) {
                    *g += error * xi / count;
                }
                bias_gradient += error / count;
            }
            for (w, g) in weights.iter_mut().zip(&gradient) {
                *w -= LEARNING_RATE * (g + L2 * *w);
            }
            bias -= LEARNING_RATE * bias_gradient;
        }
        let round = |v: f64| ((v * 1e4).round() / 1e4) as f32;
        Self {
            features: Signals::NAMES.iter().map(|s| s.to_string()).collect(),
            mean: mean.into_iter().map(round).collect(),
            scale: scale.into_iter().map(round).collect(),
            weights: weights.into_iter().map(round).collect(),
            bias: round(bias),
            threshold: 0.5,
            later_part_threshold: None,
            fitted_on,
        }
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(coverage: f32, unknown: f32) -> Signals {
        Signals {
            coverage,
            phrasing_coverage: coverage,
            unknown,
            ..Signals::default()
        }
    }

    #[test]
    fn the_shipped_model_loads_and_matches_the_default_threshold() {
        let model: Calibration = serde_json::from_str(SHIPPED).expect("calibration.json parses");
        assert!(model.is_consistent(), "calibration.json names this build's signals");
        assert_eq!(
            model.threshold,
            crate::answer::DEFAULT_THRESHOLD,
            "DEFAULT_THRESHOLD is the shipped model's"
        );
    }

    #[test]
    fn a_calibration_for_other_signals_is_refused() {
        let mut model = Calibration::coverage_only();
        let json = serde_json::to_string(&model).expect("serialises");
        assert_eq!(Calibration::from_json(&json).expect("consistent"), model);
        model.features.pop();
        let json = serde_json::to_string(&model).expect("serialises");
        assert!(matches!(
            Calibration::from_json(&json),
            Err(CalibrationError::OtherSignals)
        ));
        assert!(matches!(Calibration::from_json("{"), Err(CalibrationError::Json(_))));
    }

    #[test]
    fn fitting_learns_which_way_each_signal_points() {
        let mut samples = Vec::new();
        for i in 0..200 {
            let x = i as f32 / 200.0;
            samples.push((signals(x, 0.0), x > 0.5));
            samples.push((signals(0.9, x), x < 0.3));
        }
        let model = Calibration::fit(&samples, "test".into());
        assert!(model.confidence(&signals(0.9, 0.0)) > 0.8, "{model:?}");
        assert!(model.confidence(&signals(0.2, 0.0)) < 0.2, "{model:?}");
        assert!(
            model.confidence(&signals(0.9, 0.8)) < 0.3,
            "unknown words lower the confidence: {model:?}"
        );
        assert_eq!(
            model.weights[Signals::NAMES.len() - 1],
            0.0,
            "a constant feature gets no weight"
        );
    }

    #[test]
    fn later_questions_of_a_message_answer_at_the_later_part_threshold_when_it_is_higher() {
        let mut model = Calibration::coverage_only();
        let first = Signals::default();
        let later = Signals {
            later_part: 1.0,
            ..Signals::default()
        };
        assert_eq!(model.threshold_for(&later, 0.4), 0.4, "none: every question alike");
        model.later_part_threshold = Some(0.9);
        assert_eq!(model.threshold_for(&first, 0.4), 0.4);
        assert_eq!(model.threshold_for(&later, 0.4), 0.9);
        assert_eq!(
            model.threshold_for(&later, 0.95),
            0.95,
            "never below the main threshold"
        );
        let json = serde_json::to_string(&model).expect("serialises");
        assert_eq!(Calibration::from_json(&json).expect("consistent"), model);
        model.later_part_threshold = Some(1.5);
        let json = serde_json::to_string(&model).expect("serialises");
        assert!(matches!(
            Calibration::from_json(&json),
            Err(CalibrationError::OtherSignals)
        ));
    }

    #[test]
    fn the_coverage_blend_is_the_old_confidence_at_its_threshold() {
        let model = Calibration::coverage_only();
        assert!((model.confidence(&signals(0.5, 0.0)) - 0.5).abs() < 1e-6);
        assert!(model.confidence(&signals(0.9, 0.0)) > 0.9);
    }
}
