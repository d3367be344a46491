#!/usr/bin/env node
// A local Solana JSON-RPC endpoint around litesvm, for hexnet's tests and
// devnet. It answers the methods solana-go's rpc client uses, produces a block
// every --slot-ms and after every transaction that lands, expires blockhashes
// after --blockhash-lifetime blocks, and rejects what a validator rejects
// (oversized packets, expired blockhashes, duplicates).
//
//   node solana/localnet/server.mjs --listen 127.0.0.1:0
//
// When it is ready it prints one line to stdout: LISTENING http://HOST:PORT
import http from "node:http";
import { parseArgs } from "node:util";
import { Chain, DEFAULT_BLOCKHASH_LIFETIME } from "./chain.mjs";
import { handle } from "./jsonrpc.mjs";
import { methods } from "./rpc.mjs";

const MAX_BODY = 1 << 20;

function usage(message) {
  process.stderr.write(
    `${message}\n` +
      "usage: node server.mjs [--listen HOST:PORT] [--blockhash-lifetime BLOCKS] [--slot-ms MS] [--exit-with-stdin]\n",
  );
  process.exit(2);
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        listen: { type: "string", default: "127.0.0.1:8899" },
        "blockhash-lifetime": { type: "string", default: String(DEFAULT_BLOCKHASH_LIFETIME) },
        "slot-ms": { type: "string", default: "400" },
        "exit-with-stdin": { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    usage(e.message);
  }
  const lifetime = Number(values["blockhash-lifetime"]);
  const slotMs = Number(values["slot-ms"]);
  if (!Number.isSafeInteger(lifetime) || lifetime < 1) usage("--blockhash-lifetime must be a whole number of blocks >= 1");
  if (!Number.isSafeInteger(slotMs) || slotMs < 1) usage("--slot-ms must be a whole number of milliseconds >= 1");
  const i = values.listen.lastIndexOf(":");
  if (i < 0) usage(`--listen ${values.listen}: want HOST:PORT`);
  const host = values.listen.slice(0, i).replace(/^\[(.*)\]$/, "$1");
  const port = Number(values.listen.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--listen ${values.listen}: bad port`);
  return { host, port, lifetime, slotMs, exitWithStdin: values["exit-with-stdin"] };
}

function serve(call) {
  return http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/health") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const chunks = [];
    let size = 0;
    req.on("data", (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (res.writableEnded) return;
      const out = handle(Buffer.concat(chunks).toString("utf8"), call);
      res.writeHead(200, { "content-type": "application/json" }).end(out);
    });
  });
}

function main() {
  const opts = options();
  const log = (msg) => process.stderr.write(`${msg}\n`);
  const chain = new Chain({ blockhashLifetime: opts.lifetime, log });
  const call = methods(chain);
  const server = serve(call);
  const ticker = setInterval(() => chain.produceBlock(), opts.slotMs);
  const stop = () => {
    clearInterval(ticker);
    server.close();
    server.closeAllConnections();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  if (opts.exitWithStdin) {
    process.stdin.on("end", stop);
    process.stdin.on("error", stop);
    process.stdin.resume();
  }
  server.on("error", (e) => {
    log(`listen ${opts.host}:${opts.port}: ${e.message}`);
    process.exit(1);
  });
  server.listen(opts.port, opts.host, () => {
    const { address, port } = server.address();
    const host = address.includes(":") ? `[${address}]` : address;
    process.stdout.write(`LISTENING http://${host}:${port}\n`);
  });
}

main();
