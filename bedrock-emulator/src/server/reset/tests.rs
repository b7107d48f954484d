//! The `ResetBeforeHeaders` fault on the wire: a TCP RST before any response byte.

use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

use crate::server::tests::{connect, converse_stream_request};
use crate::{Emulator, EmulatorOptions};

/// Everything read off `stream` until it ends, and how it ended.
fn read_all(stream: &mut std::net::TcpStream) -> (Vec<u8>, Option<ErrorKind>) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (got, None),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => return (got, Some(e.kind())),
        }
    }
}

#[test]
fn ex_a15_reset_before_headers_is_a_tcp_rst_before_any_response_byte() {
    let emu = Emulator::start(EmulatorOptions::default()).expect("emulator starts");
    let mut stream = connect(&emu);
    stream
        .write_all(&converse_stream_request(&emu, Some("reset-before-headers")))
        .expect("request written");
    let (got, end) = read_all(&mut stream);
    assert_eq!(String::from_utf8_lossy(&got), "");
    assert_eq!(end, Some(ErrorKind::ConnectionReset));
    assert_eq!(
        emu.wait_for_open_connections_at_most(0, Duration::from_secs(30)),
        0
    );
}

#[test]
fn ex_a15_without_the_fault_the_same_request_is_answered_and_closed_cleanly() {
    let emu = Emulator::start(EmulatorOptions::default()).expect("emulator starts");
    let mut stream = connect(&emu);
    let mut request = converse_stream_request(&emu, None);
    // `connection: close` makes the server end the connection after the answer.
    let head_end = request
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    request.splice(head_end + 2..head_end + 2, *b"connection: close\r\n");
    stream.write_all(&request).expect("request written");
    let (got, end) = read_all(&mut stream);
    assert!(
        got.starts_with(b"HTTP/1.1 200 OK\r\n"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    assert_eq!(end, None, "a clean end of stream, not a reset");
}
