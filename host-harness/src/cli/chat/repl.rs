//! The interactive chat (no prompt, stdin a terminal): a line editor with history, and a
//! conversation kept across turns. `/exit` (or Ctrl-D) ends it, `/reset` forgets the
//! conversation; a tool call without a `--tool-result` asks for its result.

use std::process::ExitCode;

use plugin_api::chat::ContentPart_NE;
use rustyline::error::ReadlineError;

use super::{user_message, Session};
use crate::cli::output::{Out, PIPE_CLOSED};
use crate::cli::{err_line, fail};

pub async fn run(
    session: &mut Session<'_>,
    out: &mut Out,
    attachments: Vec<ContentPart_NE>,
) -> Result<ExitCode, ExitCode> {
    let mut editor = rustyline::DefaultEditor::new()
        .map_err(|err| fail(format_args!("cannot start the line editor: {err}")))?;
    err_line(format_args!(
        "chat with {} — /exit or Ctrl-D ends, /reset forgets the conversation",
        session.template.model.id
    ));
    let mut attachments = Some(attachments);
    loop {
        let line = match editor.readline("> ") {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(err) => return Err(fail(format_args!("cannot read a line: {err}"))),
        };
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(line.as_str());
        match text {
            "/exit" | "/quit" => break,
            "/reset" => {
                session.messages.clear();
                err_line("(conversation forgotten)");
                continue;
            }
            _ => {}
        }
        let before = session.messages.len();
        session.messages.push(user_message(
            line.clone(),
            attachments.take().unwrap_or_default(),
        ));
        let mut ask = |call: &super::conversation::ToolCall| {
            editor
                .readline(&format!(
                    "tool result for {} {}> ",
                    call.name, call.arguments_json
                ))
                .ok()
                .filter(|text| !text.trim().is_empty())
        };
        match session.exchange(out, &mut ask).await {
            Ok(()) => {}
            Err(code) if code == ExitCode::from(PIPE_CLOSED) => return Err(code),
            // The error is printed; the failed turn is forgotten so the next one is valid.
            Err(_) => session.messages.truncate(before),
        }
    }
    Ok(ExitCode::SUCCESS)
}
