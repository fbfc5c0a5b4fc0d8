// A webhook receiver for the sandbox: WHSEC=whsec_… npm run webhook-receiver (listens on :4000).
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

const port = Number(process.env.PORT ?? 4000);
const webhook = new Webhook(process.env.WHSEC ?? "");
const seen = new Set(); // webhook-id of each event handled: deliveries can repeat (use your database)

createServer(async (req, res) => {
  let body = "";
  for await (const chunk of req) body += chunk;
  /** @type {any} */ let event;
  try {
    event = webhook.verify(body, /** @type {Record<string, string>} */ (req.headers)); // throws on a bad signature or an old timestamp
  } catch {
    return res.writeHead(400).end("invalid signature");
  }
  if (!seen.has(event.id)) {
    seen.add(event.id);
    console.log(event.created_at, event.type, event.id);
  }
  res.writeHead(204).end(); // any 2xx within 15 s acknowledges; anything else is retried
}).listen(port, () => console.log(`listening on http://localhost:${port}/`));
