//! Decode a 100,000-event ConverseStream from the emulator with the Rust SDK (current-thread runtime)
//! and print events per second. Run: `cargo bench -p bedrock-emulator --bench stream_throughput`.

use std::time::Instant;

use bedrock_emulator::{
    Emulator, EmulatorOptions, Fault, FaultRule, Operation, DEFAULT_ACCESS_KEY_ID,
    DEFAULT_SECRET_ACCESS_KEY,
};

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
        let conf = aws_sdk_bedrockruntime::Config::builder()
            .behavior_version(aws_sdk_bedrockruntime::config::BehaviorVersion::latest())
            .region(aws_sdk_bedrockruntime::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_bedrockruntime::config::Credentials::new(
                DEFAULT_ACCESS_KEY_ID,
                DEFAULT_SECRET_ACCESS_KEY,
                None,
                None,
                "bench",
            ))
            .endpoint_url(emu.base_url())
            .build();
        let client = aws_sdk_bedrockruntime::Client::from_conf(conf);
        let mut runs = Vec::new();
        for run in 0..5 {
            let start = Instant::now();
            let mut out = client
                .converse_stream()
                .model_id("amazon.nova-micro-v1:0")
                .messages(
                    aws_sdk_bedrockruntime::types::Message::builder()
                        .role(aws_sdk_bedrockruntime::types::ConversationRole::User)
                        .content(aws_sdk_bedrockruntime::types::ContentBlock::Text(
                            "bench".into(),
                        ))
                        .build()
                        .expect("message"),
                )
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
