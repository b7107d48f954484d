//! The official AWS SDK for JavaScript talks to the emulator unchanged. Its Bedrock Runtime
//! client uses HTTP/2 by default (h2c with prior knowledge on an `http://` endpoint) and signs
//! the `:authority` pseudo-header, so this is the emulator's real HTTP/2 interop check.
//! Needs `node` and `npm ci --prefix interop/js` (which `.ci/run` does); skips otherwise.

use std::path::PathBuf;
use std::process::Command;

use bedrock_emulator::{Emulator, EmulatorOptions, Operation};

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../interop/js")
}

#[test]
fn official_js_sdk_streams_over_http2_with_verified_sigv4() {
    let dir = interop_dir();
    if !dir
        .join("node_modules/@aws-sdk/client-bedrock-runtime")
        .exists()
    {
        eprintln!("skipping: run `npm ci --prefix interop/js` to install the JavaScript SDK");
        return;
    }
    let emulator = Emulator::start(EmulatorOptions::default()).expect("emulator");
    let output = match Command::new("node")
        .arg(dir.join("converse-stream.mjs"))
        .arg(emulator.base_url())
        .arg("hello from javascript")
        .output()
    {
        Ok(output) => output,
        Err(err) => {
            eprintln!("skipping: node is not runnable here: {err}");
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "node failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "Hello from the Bedrock emulator. You said: hello from javascript"
    );
    assert!(lines.contains(&"contentBlockDelta 10"), "{stdout}");
    assert!(lines.contains(&"messageStop 1"), "{stdout}");
    let request = emulator
        .requests_for(Operation::ConverseStream)
        .pop()
        .expect("recorded");
    assert_eq!(
        request.http_version, "HTTP/2.0",
        "the JavaScript SDK spoke HTTP/2"
    );
    assert!(
        request.authorized,
        "its SigV4 signature (over :authority) verified"
    );
}
