// Streams one chat from the emulator with the official JavaScript SDK, unchanged: its default
// request handler for Bedrock Runtime speaks HTTP/2 (h2c with prior knowledge on http://).
// Usage: node converse-stream.mjs <endpoint> <prompt>
// Prints the streamed text, then one line per event type count, then "protocol <h2|http/1.1>".
import { BedrockRuntimeClient, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";

const [endpoint, prompt] = process.argv.slice(2);
const client = new BedrockRuntimeClient({
  endpoint,
  region: "us-east-1",
  credentials: {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  },
});

let protocol = "unknown";
client.middlewareStack.add(
  (next) => async (args) => {
    const result = await next(args);
    const handler = client.config.requestHandler;
    protocol = handler?.constructor?.name === "NodeHttp2Handler" ? "h2" : "http/1.1";
    return result;
  },
  { step: "deserialize", name: "protocolProbe" },
);

const response = await client.send(
  new ConverseStreamCommand({
    modelId: "amazon.nova-micro-v1:0",
    messages: [{ role: "user", content: [{ text: prompt }] }],
  }),
);
let text = "";
const counts = {};
for await (const event of response.stream) {
  const kind = Object.keys(event)[0];
  counts[kind] = (counts[kind] ?? 0) + 1;
  if (event.contentBlockDelta?.delta?.text) text += event.contentBlockDelta.delta.text;
}
console.log(text);
for (const [kind, count] of Object.entries(counts)) console.log(`${kind} ${count}`);
console.log(`protocol ${protocol}`);
client.destroy();
