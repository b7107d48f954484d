//! `chat <model-ref> [prompt]`: stream a response as it arrives (text, thinking, tool calls),
//! then a footer on stderr; `--json` prints every stream event as one JSON line instead.

mod conversation;
mod input;
mod render;
mod repl;
mod surface;

use std::path::PathBuf;
use std::process::ExitCode;

use abi_stable::std_types::{RString, RVec};
use futures::StreamExt;
use plugin_api::chat::{
    ChatOptions, ChatRequest, ContentPart, ContentPart_NE, Message, Message_NE, ThinkingLevel,
    ThinkingLevel_NE, ToolDefinition,
};
use plugin_api::event::{StopReason, StreamEvent};
use plugin_api::hooks::PayloadView;
use plugin_api::model::ModelDefinition;
use plugin_api::traits::ListModelsOptions;

use super::output::Out;
use super::{err_line, fail, runtime, term, usage, Context, PluginArgs, PLUGIN_ID};
use render::{Closing, Human, Mode, Timing};

pub const AFTER_HELP: &str = concat!(
    "Examples:
  host-harness chat amazon-bedrock/amazon.nova-micro-v1:0 \"Hello\"
  host-harness chat amazon-bedrock/us.anthropic.claude-sonnet-4-6 --thinking high \"Why is the sky blue?\"
  host-harness chat amazon-bedrock/us.anthropic.claude-sonnet-4-6 --tool get_weather=weather.schema.json \"Weather in Paris?\"
  host-harness chat amazon-bedrock/us.anthropic.claude-sonnet-4-6 --attach chart.png \"Describe this chart\"
  git diff | host-harness chat amazon-bedrock/amazon.nova-pro-v1:0 --system \"Review this diff\"
  host-harness chat amazon-bedrock/amazon.nova-micro-v1:0 --json \"Hi\" | jq -c 'select(.type==\"summary\")'
  host-harness chat amazon-bedrock/us.anthropic.claude-sonnet-4-6 --show-payload \"Hi\" 2> payload.txt

Output: the answer on stdout as it streams; thinking dim on a terminal, else between
[thinking] and [/thinking]; [redacted thinking] for redacted blocks; tool calls as
[tool call NAME {arguments}]. On a terminal, control sequences in model output are removed.
The footer (stop reason, tokens, cost, the model that served the request, request id, time
to first token and total time as measured here, and the server's own latency) goes to stderr.
--show-payload prints, before each send, a [payload OPERATION REGION attempt N] line and
the request exactly as the plugin sends it to Bedrock (JSON, after all of its patches:
region, temperature omission, thinking, prompt-cache points, guardrail, service tier) to
stderr; a retried or self-healed request prints each resend too.

",
    super::exit_codes!()
);

fn thinking_level(value: &str) -> Result<ThinkingLevel, String> {
    ThinkingLevel::parse(value).ok_or_else(|| {
        let levels: Vec<&str> = ThinkingLevel::ALL.iter().map(|l| l.as_str()).collect();
        format!("expected one of: {}", levels.join(", "))
    })
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub plugin: PluginArgs,
    /// `amazon-bedrock/<bedrock model id>` (the id may itself contain `/` or `:`).
    model_ref: String,
    /// The user message; `-` reads stdin. Default: --file, else stdin when it is not a
    /// terminal (no argv length limit that way), else an interactive session.
    prompt: Option<String>,
    /// Read the prompt from this file.
    #[arg(long, value_name = "PATH", conflicts_with = "prompt")]
    file: Option<PathBuf>,
    /// A system prompt.
    #[arg(long, value_name = "TEXT")]
    system: Option<String>,
    /// The most output tokens (default: the model's maxTokens).
    #[arg(long, value_name = "N")]
    max_tokens: Option<u64>,
    /// Sampling temperature (some models reject it; the plugin then says so).
    #[arg(long, value_name = "T")]
    temperature: Option<f64>,
    /// A stop sequence; repeatable.
    #[arg(long = "stop", value_name = "TEXT")]
    stop_sequences: Vec<String>,
    /// Thinking level: off, minimal, low, medium, high, xhigh, adaptive, max (default: the
    /// model's).
    #[arg(long, value_name = "LEVEL", value_parser = thinking_level)]
    thinking: Option<ThinkingLevel>,
    /// Offer a tool: its name and a file holding its parameters' JSON Schema; repeatable.
    #[arg(long = "tool", value_name = "NAME=SCHEMA.json")]
    tool: Vec<String>,
    /// Offer the tools of a JSON file: an array of {name, description?, parameters}.
    #[arg(long = "tools", value_name = "FILE")]
    tools_file: Option<PathBuf>,
    /// Attach an image (PNG, JPEG, GIF, WebP) or a document (PDF, txt, md, html, csv, doc,
    /// docx, xls, xlsx), typed by its content; repeatable.
    #[arg(long = "attach", value_name = "FILE")]
    attach: Vec<PathBuf>,
    /// Answer calls of tool NAME with TEXT and continue the conversation (up to 8 rounds);
    /// repeatable. Without it a tool call ends the chat (the REPL asks for the result).
    #[arg(long = "tool-result", value_name = "NAME=TEXT")]
    tool_result: Vec<String>,
    /// Print every stream event as one JSON line, then a {"type":"summary"} line.
    #[arg(long)]
    json: bool,
    /// Latency profile: standard or optimized (BR-90; Bedrock may serve standard instead,
    /// which the footer notes).
    #[arg(long, value_name = "PROFILE", value_parser = surface::performance)]
    performance: Option<String>,
    /// Ask for structured output matching the JSON Schema in FILE (BR-91); the answer is
    /// printed as the parsed object.
    #[arg(long = "json-schema", value_name = "FILE")]
    json_schema: Option<PathBuf>,
    /// Let the model cite the attached documents (BR-92); citations are printed as numbered
    /// markers and a sources list.
    #[arg(long)]
    cite: bool,
    /// Print the final request payload (Bedrock's JSON wire shape, after all of the plugin's
    /// patches) to stderr before each send (REQ-03).
    #[arg(long)]
    show_payload: bool,
}

/// HCFG-11: the part after the first `/` is the Bedrock model id verbatim.
pub fn parse_model_ref(model_ref: &str) -> Result<&str, String> {
    match model_ref.split_once('/') {
        Some((provider, id)) if provider == PLUGIN_ID && !id.is_empty() => Ok(id),
        _ => Err(format!(
            "model ref \"{model_ref}\" must look like {PLUGIN_ID}/<bedrock model id>, e.g. {PLUGIN_ID}/amazon.nova-micro-v1:0"
        )),
    }
}

/// The tools of `--tool` and `--tools`, in that order.
fn tools(args: &Args) -> Result<Vec<ToolDefinition>, String> {
    let mut tools = args
        .tool
        .iter()
        .map(|spec| input::tool_flag(spec))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(path) = &args.tools_file {
        tools.extend(input::tools_file(path)?);
    }
    Ok(tools)
}

/// The first user message: the attachments, then the prompt text.
fn user_message(prompt: String, attachments: Vec<ContentPart_NE>) -> Message_NE {
    let mut content = attachments;
    content.push(ContentPart_NE::new(ContentPart::Text {
        text: RString::from(prompt),
    }));
    Message_NE::new(Message::User {
        content: RVec::from(content),
        runtime_context: false,
    })
}

/// The most tool-result rounds one prompt may take (each answered with `--tool-result`).
pub const MAX_TOOL_ROUNDS: usize = 8;

/// `--tool-result NAME=TEXT`: split at the first `=`.
fn tool_result_flag(spec: &str) -> Result<(String, String), String> {
    spec.split_once('=')
        .filter(|(name, _)| !name.trim().is_empty())
        .map(|(name, text)| (name.trim().to_owned(), text.to_owned()))
        .ok_or_else(|| format!("--tool-result {spec}: expected NAME=TEXT"))
}

/// One chat: the request template and the conversation so far.
struct Session<'a> {
    plugin: &'a host_harness::host::LoadedPlugin,
    template: ChatRequest,
    messages: Vec<Message_NE>,
    priced: bool,
    json: bool,
    /// `--show-payload`: each send's payload goes to stderr first.
    show_payload: bool,
    tool_results: Vec<(String, String)>,
    turn: usize,
}

/// How one response ended.
struct Turn {
    stop: Option<StopReason>,
    tool_calls: Vec<conversation::ToolCall>,
}

impl Session<'_> {
    /// Sends the conversation, shows the response, and appends it to the conversation.
    async fn turn(&mut self, out: &mut Out) -> Result<Turn, ExitCode> {
        self.turn += 1;
        let mut request = self.template.clone();
        request.messages = RVec::from(self.messages.clone());
        let mut timing = Timing::start();
        let started = if self.show_payload {
            self.plugin
                .stream_chat_with_payload_hook(request, show_payload)
        } else {
            self.plugin.stream_chat(request)
        };
        let mut stream = started.map_err(|err| fail(err.message))?;
        let mut collector = conversation::Collector::default();
        let shape = Shape {
            json: self.json,
            priced: self.priced,
            turn: self.turn,
            structured: self.template.options.response_format_json().is_some(),
        };
        let result = pump(&mut stream, out, &mut timing, &mut collector, shape).await;
        if result.is_err() {
            // A closed pipe (or a failed write): stop the request now rather than read (and
            // pay for) the rest of the stream; dropping the stream aborts it as well.
            stream.cancel();
        }
        drop(stream);
        let stop = result?;
        let model = &self.template.model;
        self.messages
            .push(collector.message(model.id.as_str(), model.api.as_str(), stop));
        Ok(Turn {
            stop,
            tool_calls: collector.tool_calls(),
        })
    }

    /// The configured result for a tool, if `--tool-result` names it.
    fn configured_result(&self, name: &str) -> Option<String> {
        self.tool_results
            .iter()
            .find(|(tool, _)| tool == name)
            .map(|(_, text)| text.clone())
    }

    /// Appends a tool result and shows it.
    fn answer(
        &mut self,
        out: &mut Out,
        call: &conversation::ToolCall,
        text: &str,
    ) -> Result<(), ExitCode> {
        if self.json {
            out.json_line(&serde_json::json!({
                "type": "tool_result",
                "id": call.id,
                "name": call.name,
                "content": text,
            }))?;
        } else {
            let style = term::Style::new(term::stdout_styled());
            let shown = if term::stdout_is_terminal() {
                term::sanitize(text)
            } else {
                text.to_owned()
            };
            out.line(format_args!(
                "{}[tool result {} {shown}]{}",
                style.cyan, call.name, style.reset
            ))?;
        }
        self.messages.push(conversation::tool_result(call, text));
        Ok(())
    }

    /// Runs turns until the model stops asking for tools that have a result to give;
    /// `ask` supplies a result for a tool without a `--tool-result` (the REPL asks the user).
    async fn exchange(
        &mut self,
        out: &mut Out,
        ask: &mut dyn FnMut(&conversation::ToolCall) -> Option<String>,
    ) -> Result<(), ExitCode> {
        for _ in 0..=MAX_TOOL_ROUNDS {
            let turn = self.turn(out).await?;
            if turn.stop != Some(StopReason::ToolUse) || turn.tool_calls.is_empty() {
                return Ok(());
            }
            let mut answers = Vec::new();
            for call in &turn.tool_calls {
                match self.configured_result(&call.name).or_else(|| ask(call)) {
                    Some(text) => answers.push((call.clone(), text)),
                    // Nothing to answer with: the response (a tool call) is the result.
                    None => return Ok(()),
                }
            }
            for (call, text) in answers {
                self.answer(out, &call, &text)?;
            }
        }
        err_line(format_args!(
            "stopped after {MAX_TOOL_ROUNDS} tool-result rounds"
        ));
        Ok(())
    }
}

pub fn run(context: &Context, args: Args) -> Result<ExitCode, ExitCode> {
    let model_id = parse_model_ref(&args.model_ref).map_err(usage)?;
    let tools = tools(&args).map_err(usage)?;
    let tool_results = args
        .tool_result
        .iter()
        .map(|spec| tool_result_flag(spec))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let attachments = args
        .attach
        .iter()
        .map(|path| input::attachment(path))
        .map(|part| part.map(|part| if args.cite { surface::cite(part) } else { part }))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let response_format = args
        .json_schema
        .as_deref()
        .map(surface::response_format)
        .transpose()
        .map_err(usage)?;
    let prompt = input::prompt(args.prompt.as_deref(), args.file.as_deref()).map_err(usage)?;
    let plugin = context.open()?;
    let rt = runtime()?;
    rt.block_on(async {
        // Use the catalog's definition when the model is listed (prices, limits).
        let model = match plugin.list_models(ListModelsOptions::default()).await {
            Ok(catalog) => catalog
                .models
                .into_iter()
                .find(|m| m.id.as_str() == model_id),
            Err(_) => None,
        }
        .unwrap_or_else(|| ModelDefinition::new(model_id, PLUGIN_ID, "bedrock-converse-stream"));
        let model = plugin.provider().normalize_model(model);
        let priced = model.cost.input > 0.0 || model.cost.output > 0.0;
        let mut template = ChatRequest {
            model,
            system_prompt: args.system.clone().map(RString::from).into(),
            messages: RVec::new(),
            tools: RVec::from(tools),
            options: ChatOptions {
                max_tokens: args.max_tokens.into(),
                temperature: args.temperature.into(),
                stop_sequences: args
                    .stop_sequences
                    .iter()
                    .map(|s| RString::from(s.as_str()))
                    .collect(),
                reasoning: args.thinking.map(ThinkingLevel_NE::new).into(),
                ..ChatOptions::default()
            },
        };
        surface::apply(
            &mut template.options,
            args.performance.as_deref(),
            response_format.as_deref(),
        );
        let mut session = Session {
            plugin: &plugin,
            template,
            messages: Vec::new(),
            priced,
            json: args.json,
            show_payload: args.show_payload,
            tool_results,
            turn: 0,
        };
        let mut out = Out::new();
        match prompt {
            Some(prompt) => {
                session.messages.push(user_message(prompt, attachments));
                session.exchange(&mut out, &mut |_| None).await?;
                Ok(ExitCode::SUCCESS)
            }
            None => repl::run(&mut session, &mut out, attachments).await,
        }
    })
}

/// `--show-payload`'s hook: the payload, pretty-printed, on stderr; sent unchanged.
fn show_payload(payload: &PayloadView) -> Result<Option<String>, String> {
    err_line(payload_text(payload));
    Ok(None)
}

/// The header line and the pretty-printed payload (verbatim if it is not JSON).
fn payload_text(payload: &PayloadView) -> String {
    let json = serde_json::from_str::<serde_json::Value>(payload.payload_json.as_str())
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| payload.payload_json.to_string());
    format!(
        "[payload {} {} attempt {}]\n{json}",
        payload.operation, payload.region, payload.attempt
    )
}

/// How one response is shown.
#[derive(Clone, Copy)]
struct Shape {
    /// `--json`: every event as a JSON line.
    json: bool,
    /// The model has prices (the footer shows cost).
    priced: bool,
    /// The response's number across tool-result rounds.
    turn: usize,
    /// BR-91: the text is structured output, held back and printed parsed.
    structured: bool,
}

/// Shows the stream's events until its terminal event; gives the stop reason.
async fn pump(
    stream: &mut host_harness::stream::ChatEventStream,
    out: &mut Out,
    timing: &mut Timing,
    collector: &mut conversation::Collector,
    shape: Shape,
) -> Result<Option<StopReason>, ExitCode> {
    let Shape {
        json,
        priced,
        turn,
        structured,
    } = shape;
    // BR-91: a structured answer is held back and printed parsed once complete.
    let mut held_text: Option<String> = structured.then(String::new);
    let mut human = Human::new(Mode {
        sanitize: term::stdout_is_terminal(),
        styled: term::stdout_styled(),
    });
    let footer_style = term::Style::new(term::stderr_styled());
    let footer = |closing: &Closing<'_>| {
        for line in render::footer_lines(closing) {
            err_line(format_args!(
                "{}{line}{}",
                footer_style.dim, footer_style.reset
            ));
        }
    };
    while let Some(event) = stream.next().await {
        let Ok(known) = event.as_enum() else {
            if json {
                render::json_event(out, &event)?;
            }
            continue;
        };
        timing.observe(known);
        collector.event(known);
        if json {
            render::json_event(out, &event)?;
        } else if let (Some(held), StreamEvent::TextDelta { delta, .. }) = (&mut held_text, known) {
            held.push_str(delta);
        } else {
            let shown = human.event(known);
            out.text(&shown)?;
        }
        match known {
            StreamEvent::Retry(notice) if !json => {
                err_line(format_args!(
                    "[retry {} in {} ms: {}{}]",
                    notice.attempt,
                    notice.delay_ms,
                    notice.reason,
                    if notice.detail.is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", notice.detail)
                    }
                ));
            }
            StreamEvent::Done(summary) => {
                let closing = Closing {
                    summary,
                    priced,
                    time_to_first_token: timing.first_token,
                    total: timing.started.elapsed(),
                };
                if json {
                    out.json_line(&render::summary_line(&closing, true, turn))?;
                } else {
                    out.text(&surface::after_answer(summary, held_text.as_deref()))?;
                    footer(&closing);
                }
                return Ok(summary.stop_reason.as_enum().ok().copied());
            }
            StreamEvent::Error(failure) => {
                let closing = Closing {
                    summary: &failure.summary,
                    priced,
                    time_to_first_token: timing.first_token,
                    total: timing.started.elapsed(),
                };
                if json {
                    out.json_line(&render::summary_line(&closing, false, turn))?;
                } else {
                    footer(&closing);
                }
                return Err(fail(format_args!("error: {}", failure.error.message)));
            }
            _ => {}
        }
    }
    Err(fail("error: the stream ended without a final event"))
}

#[cfg(test)]
mod tests;
