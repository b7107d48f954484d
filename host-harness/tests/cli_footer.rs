//! The `chat` footer (BR-60, BR-62): token counts and their total, the cost in USD with six
//! decimals (or `cost: n/a (no prices configured)`), the request id and the latencies, after
//! each response, as a user runs the command against the emulator.

mod common;

use common::cli::{Setup, CLAUDE, NOVA};

/// The footer line starting with `prefix`.
fn line<'a>(stderr: &'a str, prefix: &str) -> &'a str {
    stderr
        .lines()
        .find(|line| line.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{stderr}"))
}

/// `tokens: input I output O cacheRead R cacheWrite W total T` → [I, O, R, W, T].
fn tokens(stderr: &str) -> [u64; 5] {
    let words: Vec<&str> = line(stderr, "tokens: ").split_whitespace().collect();
    assert_eq!(
        [words[1], words[3], words[5], words[7], words[9]],
        ["input", "output", "cacheRead", "cacheWrite", "total"],
        "{words:?}"
    );
    [2, 4, 6, 8, 10].map(|at| words[at].parse().expect("a count"))
}

#[test]
fn br_62_the_footer_of_a_priced_model() {
    let setup = Setup::new();
    let run = setup.run(&[
        "chat",
        &format!("amazon-bedrock/{CLAUDE}"),
        "price the answer",
    ]);
    run.expect_code(0);
    let [input, output, cache_read, cache_write, total] = tokens(&run.stderr);
    assert!(output > 0 && total >= input + output + cache_read + cache_write);
    // USE-02 at the host config's prices {input 3, output 15, cacheRead 0.3, cacheWrite 3.75}
    // per million tokens (no one-hour writes in this answer).
    let cost = (input as f64 * 3.0
        + output as f64 * 15.0
        + cache_read as f64 * 0.3
        + cache_write as f64 * 3.75)
        / 1e6;
    assert_eq!(line(&run.stderr, "cost: "), format!("cost: ${cost:.6}"));
    let request_id = line(&run.stderr, "request id: ");
    assert!(request_id.len() > "request id: ".len(), "{request_id}");
    for prefix in ["time to first token: ", "total time: ", "server latency: "] {
        let shown = line(&run.stderr, prefix);
        assert!(shown.ends_with(" ms"), "{shown}");
        shown[prefix.len()..shown.len() - 3]
            .parse::<u64>()
            .unwrap_or_else(|_| panic!("milliseconds in {shown:?}"));
    }
}

#[test]
fn br_60_an_unpriced_model_says_no_prices_are_configured() {
    let setup = Setup::new();
    let run = setup.run(&["chat", &format!("amazon-bedrock/{NOVA}"), "free answer"]);
    run.expect_code(0);
    assert_eq!(
        line(&run.stderr, "cost: "),
        "cost: n/a (no prices configured)"
    );
}
