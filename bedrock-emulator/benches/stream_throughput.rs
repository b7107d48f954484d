//! Decode a 100,000-event ConverseStream from the emulator with the Rust SDK (current-thread runtime)
//! and print events per second. Run: `cargo bench -p bedrock-emulator --bench stream_throughput`.

use std::time::Instant;

use bedrock_emulator::{
    Emulator, EmulatorOptions, Fault, FaultRule, Operation, DEFAULT_SECRET_ACCESS_KEY,
};

#[path = "../tests/common/mod.rs"]
mod common;

const EVENTS: usize = 100_000;

fn main() {
    let emu = Emulator::start(EmulatorOptions::default()).expect("start emulator");
    emu.add_fault(FaultRule::for_operation(
        Operation::ConverseStream,
        Fault::LongStream { events: EVENTS },
    ));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let conf = common::runtime_config(&emu, "us-east-1")
            .credentials_provider(common::creds(DEFAULT_SECRET_ACCESS_KEY))
            .build();
        let client = aws_sdk_bedrockruntime::Client::from_conf(conf);
        let mut runs = Vec::new();
        for run in 0..5 {
            let start = Instant::now();
            let mut out = client
                .converse_stream()
                .model_id("amazon.nova-micro-v1:0")
                .messages(common::user("bench"))
                .send()
                .await
                .expect("send");
            let mut first = None;
            let mut n = 0usize;
            while let Some(_ev) = out.stream.recv().await.expect("recv") {
                if first.is_none() {
                    first = Some(start.elapsed());
                }
                n += 1;
            }
            let elapsed = start.elapsed();
            let eps = n as f64 / elapsed.as_secs_f64();
            println!(
                "run {run}: {n} events in {:.3} s = {:.0} events/s (first event after {:?})",
                elapsed.as_secs_f64(),
                eps,
                first.unwrap_or_default()
            );
            runs.push(eps);
        }
        runs.sort_by(|a, b| a.total_cmp(b));
        println!("median: {:.0} events/s", runs[runs.len() / 2]);
    });
}
