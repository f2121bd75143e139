//! Integration tests, one binary: the real faqbot on a fixture faq/ and on the shipped one, the evaluation set, and robustness.

mod ask;
mod check;
mod dev;
mod eval;
mod index;
mod knowledge_base;
mod robustness;
mod search;
mod util;
