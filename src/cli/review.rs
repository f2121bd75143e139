//! `faqbot review`: what users asked and did not get (declined questions, 👎 votes), grouped, with a decision per group in a terminal.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use faqbot::curate::review::{self, Action, Group, Review, ReviewState};
use faqbot::faq::entry::normalize_question;

use super::add::{AddArgs, Added};
use super::{EXIT_OK, EXIT_PROBLEMS, Settings, add, add_question, print_error};

#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// Print the groups as JSON Lines, one group per line, and change nothing
    #[arg(long)]
    json: bool,
    /// Dismiss this question (as printed) so it is not shown again, without reviewing; repeatable, for scripts
    #[arg(long, value_name = "QUESTION", conflicts_with = "json")]
    dismiss: Vec<String>,
}

const ADD_ALTERNATES: &str = "Add them as alternate phrasings of the nearest entry";
const NEW_ENTRY: &str = "Start a new entry from them";
const DISMISS: &str = "Dismiss: do not show them again";
const SKIP: &str = "Skip for now";
const STOP: &str = "Stop reviewing";

pub fn run(settings: &Settings, args: ReviewArgs) -> anyhow::Result<ExitCode> {
    let mut state = ReviewState::load(&settings.data_dir)?;
    if !args.dismiss.is_empty() {
        return dismiss(settings, &args.dismiss, &mut state);
    }
    let engine = settings.open_engine()?;
    let review = review::gather(&settings.data_dir, &engine, &state)?;
    for unreadable in &review.unreadable {
        eprintln!("warning: {unreadable}: the line was skipped");
    }
    if args.json {
        let mut out = std::io::stdout().lock();
        for group in &review.groups {
            serde_json::to_writer(&mut out, group)?;
            writeln!(out)?;
        }
        return Ok(ExitCode::from(EXIT_OK));
    }
    print!("{}", summary(&review));
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        for (number, group) in review.groups.iter().enumerate() {
            print!("{}", describe(number + 1, group));
        }
        if !review.groups.is_empty() {
            eprintln!("Run `faqbot review` in a terminal to act on each group, or use --json in scripts.");
        }
        return Ok(ExitCode::from(EXIT_OK));
    }
    // Decisions are saved one group at a time, so stopping halfway loses nothing.
    for (number, group) in review.groups.iter().enumerate() {
        print!("\n{}", describe(number + 1, group));
        let mut options = vec![NEW_ENTRY, DISMISS, SKIP, STOP];
        if group.nearest.is_some() {
            options.insert(0, ADD_ALTERNATES);
        }
        let choice = inquire::Select::new("What should happen to this group?", options).prompt()?;
        let questions: Vec<String> = group.questions.iter().map(|q| q.question.clone()).collect();
        let outcome = match choice {
            ADD_ALTERNATES => add_alternates(settings, group, questions, &mut state),
            NEW_ENTRY => add::add(settings, AddArgs::with_questions(questions.clone())).map(|added| {
                let (action, id) = match &added {
                    Added::Entry(id) => (Action::NewEntry, id),
                    Added::Phrasings(id) => (Action::Alternate, id),
                };
                state.mark(questions.iter().map(String::as_str), action, Some(id));
            }),
            DISMISS => {
                state.mark(questions.iter().map(String::as_str), Action::Dismissed, None);
                Ok(())
            }
            SKIP => continue,
            _ => break,
        };
        match outcome {
            Ok(()) => state.save(&settings.data_dir)?,
            // One failed decision (a refused edit, a cancelled prompt) leaves the group for next time.
            Err(error) => print_error(&error),
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// Dismisses the questions that are in the logs; one that matches nothing is reported, and makes the exit code 1.
fn dismiss(settings: &Settings, questions: &[String], state: &mut ReviewState) -> anyhow::Result<ExitCode> {
    let logged = review::logged_questions(&settings.data_dir)?;
    let (found, unmatched): (Vec<&String>, Vec<&String>) = questions
        .iter()
        .partition(|question| logged.contains(&normalize_question(question)));
    if !found.is_empty() {
        state.mark(found.iter().map(|q| q.as_str()), Action::Dismissed, None);
        state.save(&settings.data_dir)?;
        println!(
            "Dismissed {} question(s); saved in {}",
            found.len(),
            ReviewState::path(&settings.data_dir).display()
        );
    }
    for question in &unmatched {
        eprintln!(
            "error: no declined or down-voted question in {} matches \"{question}\": nothing was dismissed for it (`faqbot review` lists them)",
            settings.data_dir.display()
        );
    }
    Ok(ExitCode::from(if unmatched.is_empty() {
        EXIT_OK
    } else {
        EXIT_PROBLEMS
    }))
}

fn add_alternates(
    settings: &Settings,
    group: &Group,
    questions: Vec<String>,
    state: &mut ReviewState,
) -> anyhow::Result<()> {
    let Some(entry) = &group.nearest else { return Ok(()) };
    let chosen = inquire::MultiSelect::new(&format!("Questions to add to `{entry}`:"), questions)
        .with_all_selected_by_default()
        .prompt()?;
    if chosen.is_empty() {
        return Ok(());
    }
    add_question::add(settings, entry, &chosen)?;
    state.mark(chosen.iter().map(String::as_str), Action::Alternate, Some(entry));
    Ok(())
}

fn summary(review: &Review) -> String {
    let asks: usize = review.groups.iter().map(|g| g.count).sum();
    let mut text = if review.groups.is_empty() {
        "Nothing to review: no declined or down-voted questions left.\n".to_string()
    } else {
        format!(
            "{} group(s) of questions to review ({asks} ask(s)), biggest first.\n",
            review.groups.len()
        )
    };
    if !review.now_answered.is_empty() {
        let _ = writeln!(
            text,
            "{} declined question(s) are answered by faq/ now and are left out.",
            review.now_answered.len()
        );
    }
    text
}

/// One group as the curator reads it: its size, the nearest entry, and each question with its counts.
fn describe(number: usize, group: &Group) -> String {
    let mut text = format!("{number}. {} ask(s)", group.count);
    match (&group.nearest, &group.nearest_question) {
        (Some(id), Some(question)) => {
            let _ = write!(text, ", nearest {id} (confidence {:.2}): {question}", group.confidence);
        }
        _ => text.push_str(", no entry is near"),
    }
    text.push('\n');
    for asked in &group.questions {
        let mut how = Vec::new();
        if asked.declined > 0 {
            how.push(format!("declined {}×", asked.declined));
        }
        if asked.down_votes > 0 {
            how.push(format!("👎 {}×", asked.down_votes));
        }
        let _ = writeln!(
            text,
            "   {}  ({}, last {})",
            asked.question,
            how.join(", "),
            asked.last_asked.strftime("%Y-%m-%d")
        );
    }
    text
}
