//! Where output goes: a closed pipe ends a command at once and quietly (and cancels a chat
//! stream), and terminal behaviour (colour, dim thinking, control-sequence stripping, the
//! spinner) is checked through a pseudo-terminal (util-linux `script`), plain text through
//! pipes and files.

mod common;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use bedrock_emulator::{Operation, StreamOutcome};
use common::cli::{plugin_library, Setup, CLAUDE, NOVA};

fn nova() -> String {
    format!("amazon-bedrock/{NOVA}")
}

/// Waits for `child` at most `limit`; kills it and fails when it takes longer.
fn wait_at_most(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the command did not exit within {limit:?} after its stdout closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn chat_into_a_closed_pipe_cancels_the_stream_and_exits_quietly() {
    let setup = Setup::new();
    // A 5-million-word answer: reading it all would take far longer than the limit below.
    let mut child = setup
        .command(&["chat", &nova(), "--max-tokens", "10000000", "!long=5000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 20];
    stdout.read_exact(&mut first).unwrap(); // `| head -c 20`
    drop(stdout);
    let closed = Instant::now();
    let status = wait_at_most(&mut child, Duration::from_secs(20));
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert!(closed.elapsed() < Duration::from_secs(10));
    let request = setup.emulator.requests_for(Operation::ConverseStream)[0].id;
    assert_eq!(
        setup
            .emulator
            .wait_for_stream_outcome(request, Duration::from_secs(10)),
        Some(StreamOutcome::ClientDisconnected),
        "the stream was not abandoned"
    );
}

#[test]
fn every_printing_command_exits_quietly_into_a_closed_pipe() {
    let setup = Setup::new();
    let library = plugin_library().display().to_string();
    for args in [
        &["models", "list"][..],
        &["models", "list", "--json"],
        &["models", "list", "--provider", "amazon"],
        &["models", "show", NOVA],
        &["models", "show", NOVA, "--json"],
        // Issue 10: validate and install printed with println!, which panics on EPIPE.
        &["validate"],
        &["validate", "--json"],
        &["install", "--library", &library],
        &["config", "get", "plugins"],
        &["config", "show", "--effective"],
        &["status"],
        &["status", "--json"],
        &["embed", "--dimensions", "256", "one", "two"],
        &["embed", "--json", "one"],
        &["chat", "amazon-bedrock/amazon.nova-micro-v1:0", "hi"],
        &[
            "chat",
            "amazon-bedrock/amazon.nova-micro-v1:0",
            "--json",
            "hi",
        ],
        &["doctor"],
        &["completions", "bash"],
    ] {
        let mut child = setup
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader is gone before the first line is written (`| head -0`).
        drop(child.stdout.take());
        let status = wait_at_most(&mut child, Duration::from_secs(30));
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        // doctor's own verdict may be 1; everything else ends with the documented 0.
        if args[0] != "doctor" {
            assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        }
    }
}

#[test]
fn on_a_terminal_thinking_is_dim_and_model_control_sequences_are_removed() {
    let setup = Setup::new();
    // The emulator echoes the prompt: ESC, CSI, OSC and BEL come back as model output.
    let hostile = "clear\x1b[2J title\x1b]0;pwned\x07 bell\x07 done";
    let model = format!("amazon-bedrock/{CLAUDE}");
    let run = setup.run_in_terminal(&["chat", &model, "--thinking", "low", hostile], &[]);
    run.expect_code(0);
    let screen = &run.stdout;
    assert!(screen.contains("\x1b[2mThinking about: "), "{screen:?}");
    assert!(!screen.contains("[thinking]"), "{screen:?}");
    assert!(
        screen.contains("You said: clear title bell done"),
        "{screen:?}"
    );
    assert!(!screen.contains("\x1b[2J"), "{screen:?}");
    assert!(!screen.contains("\x1b]0;"), "{screen:?}");
    assert!(!screen.contains('\x07'), "{screen:?}");

    // Off a terminal the bytes are passed through untouched (the reader asked for them).
    let piped = setup.run(&["chat", &model, "--thinking", "low", hostile]);
    piped.expect_code(0);
    assert!(piped.stdout.contains("[thinking] Thinking about: "));
    assert!(piped.stdout.contains("\x07"));
}

#[test]
fn no_color_on_a_terminal_marks_thinking_instead_of_dimming_it() {
    let setup = Setup::new();
    let model = format!("amazon-bedrock/{CLAUDE}");
    let run = setup.run_in_terminal(
        &["chat", &model, "--thinking", "low", "hi"],
        &[("NO_COLOR", "1")],
    );
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("[thinking] Thinking about: hi [/thinking]"),
        "{:?}",
        run.stdout
    );
    assert!(!run.stdout.contains('\x1b'), "{:?}", run.stdout);
}

#[test]
fn log_lines_are_coloured_on_a_terminal_only() {
    let setup = Setup::new();
    let args = ["models", "list"];
    let env = [("RUST_LOG", "host_harness=trace,bedrock_plugin=debug")];
    let mut piped = setup.command(&args);
    piped.env("RUST_LOG", env[0].1);
    let output = piped.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.is_empty(), "expected log lines at debug level");
    assert!(!stderr.contains('\x1b'), "ANSI in piped logs: {stderr:?}");

    let run = setup.run_in_terminal(&args, &env);
    run.expect_code(0);
    assert!(
        run.stdout.contains("\x1b["),
        "no colour on a terminal: {:?}",
        run.stdout
    );
    let run = setup.run_in_terminal(&args, &[env[0], ("NO_COLOR", "1")]);
    assert!(!run.stdout.contains('\x1b'), "{:?}", run.stdout);
}

#[test]
fn the_spinner_is_drawn_on_a_terminal_only() {
    // A slow control plane, so the spinner has time to tick.
    let setup = Setup::with(|config| {
        config["discovery"] = serde_json::json!({"enabled": true});
    });
    setup
        .emulator
        .add_fault(bedrock_emulator::FaultRule::for_operation(
            Operation::ListFoundationModels,
            bedrock_emulator::Fault::Latency { ms: 600 },
        ));
    let run = setup.run_in_terminal(&["models", "list"], &[]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("discovering models"),
        "{:?}",
        run.stdout
    );
    let piped = setup.run(&["models", "list"]);
    piped.expect_code(0);
    assert!(!piped.stderr.contains("discovering"), "{}", piped.stderr);
    assert!(!piped.stdout.contains("discovering"));
}

/// Reads a child's output on a thread, so a test can wait for what it shows.
struct Screen {
    text: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Screen {
    fn watch(mut reader: impl Read + Send + 'static) -> Screen {
        let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let shared = text.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                let chunk = String::from_utf8_lossy(&buffer[..n]).into_owned();
                shared.lock().unwrap().push_str(&chunk);
            }
        });
        Screen { text }
    }

    fn now(&self) -> String {
        self.text.lock().unwrap().clone()
    }

    /// Waits until `needle` has been shown `count` times.
    fn wait_for(&self, needle: &str, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.now().matches(needle).count() < count {
            assert!(
                Instant::now() < deadline,
                "never saw {needle:?} x{count}:\n{:?}",
                self.now()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn the_interactive_chat_keeps_the_conversation() {
    use std::io::Write;
    let setup = Setup::new();
    let mut child = setup
        .terminal_command(&["chat", &nova()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut keys = child.stdin.take().unwrap();
    let screen = Screen::watch(child.stdout.take().unwrap());
    screen.wait_for("> ", 1);
    keys.write_all(b"first question\r").unwrap();
    screen.wait_for("You said: first question", 1);
    screen.wait_for("> ", 2);
    keys.write_all(b"second one\r").unwrap();
    screen.wait_for("You said: second one", 1);
    screen.wait_for("> ", 3);
    keys.write_all(b"/exit\r").unwrap();
    let status = wait_at_most(&mut child, Duration::from_secs(30));
    assert_eq!(status.code(), Some(0), "{:?}", screen.now());
    // The second request carried the whole conversation: user, assistant, user.
    let sent = setup.emulator.requests_for(Operation::ConverseStream);
    assert_eq!(sent.len(), 2);
    let messages = sent[1].json().unwrap()["messages"].clone();
    let roles: Vec<&str> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(
        messages[1]["content"][0]["text"],
        "Hello from the Bedrock emulator. You said: first question"
    );
}
