//! Buttons by number, for the frontends that have none: `faqbot chat` and WeChat number the buttons of what they
//! show, and a reply of just a number presses one, with the question and language it belongs to.

use super::conversation::{Asker, Button, Conversation, Outgoing, Pressed};
use crate::lang::Language;

/// What one conversation can press next: the buttons last shown, in order, and the question they answer.
#[derive(Debug, Clone)]
pub struct Picks {
    buttons: Vec<Button>,
    language: Language,
    last_question: Option<String>,
}

impl Default for Picks {
    fn default() -> Self {
        Self {
            buttons: Vec::new(),
            language: Language::En,
            last_question: None,
        }
    }
}

/// What a line means to [`Picks`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// A number of a button shown.
    Press(Button),
    /// A number, but buttons are shown and none has it: how many there are.
    OutOfRange(usize),
    /// Anything else, or a number when no buttons are shown: a question.
    Other,
}

impl Picks {
    /// The language of the last question, for commands and notices.
    pub fn language(&self) -> Language {
        self.language
    }

    /// What `line` picks.
    pub fn pick(&self, line: &str) -> Pick {
        let Ok(number) = line.trim().parse::<usize>() else {
            return Pick::Other;
        };
        match number.checked_sub(1).and_then(|index| self.buttons.get(index)) {
            Some(button) => Pick::Press(button.clone()),
            None if self.buttons.is_empty() => Pick::Other,
            None => Pick::OutOfRange(self.buttons.len()),
        }
    }

    /// Presses `button` as the conversation would, with the question it answers.
    pub fn press(&self, conversation: &Conversation, button: &Button, asker: Asker) -> Pressed {
        conversation.press(&button.data, self.last_question.as_deref(), asker, self.language)
    }

    /// A question was asked: its language and text go with the buttons that follow.
    pub fn asked(&mut self, question: &str) {
        if !question.trim().is_empty() {
            self.language = Language::of(question);
            self.last_question = Some(question.trim().to_string());
        }
    }

    /// `messages` were shown with their buttons numbered from 1 in order (message by message, row by row); they
    /// replace the previous ones, unless there are none.
    pub fn shown(&mut self, messages: &[Outgoing]) {
        let buttons: Vec<Button> = messages
            .iter()
            .flat_map(|message| message.keyboard.iter().flatten().cloned())
            .collect();
        if !buttons.is_empty() {
            self.buttons = buttons;
        }
    }
}

/// The rows of buttons under `message`, one line each, every button written by `choice(number, label)` and numbered
/// on from `shown` (the buttons of the messages before it), as [`Picks::pick`] reads the numbers; `shown` counts
/// them.
pub fn number_rows(message: &Outgoing, shown: &mut usize, choice: impl Fn(usize, &str) -> String) -> Vec<String> {
    let mut lines = Vec::with_capacity(message.keyboard.len());
    for row in &message.keyboard {
        let mut choices = Vec::with_capacity(row.len());
        for button in row {
            *shown += 1;
            choices.push(choice(*shown, &button.label));
        }
        lines.push(choices.join("   "));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::Doc;

    fn button(label: &str) -> Button {
        Button {
            label: label.to_string(),
            data: format!("data {label}"),
        }
    }

    #[test]
    fn numbers_press_the_buttons_last_shown() {
        let mut picks = Picks::default();
        assert_eq!(picks.pick("1"), Pick::Other);
        picks.shown(&[Outgoing {
            doc: Doc::new(),
            keyboard: vec![vec![button("up"), button("down")], vec![button("related")]],
        }]);
        assert_eq!(picks.pick(" 3 "), Pick::Press(button("related")));
        assert_eq!(picks.pick("1"), Pick::Press(button("up")));
        assert_eq!(picks.pick("4"), Pick::OutOfRange(3));
        assert_eq!(picks.pick("0"), Pick::OutOfRange(3));
        assert_eq!(picks.pick("fees?"), Pick::Other);
        // A message without buttons keeps the previous ones.
        picks.shown(&[Outgoing::from(Doc::new())]);
        assert_eq!(picks.pick("2"), Pick::Press(button("down")));
        picks.asked("订阅号可以转成服务号吗？");
        assert_eq!(picks.language(), Language::Zh);
    }
}
