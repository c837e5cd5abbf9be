/**
 * The REST flow an integration runs, through a client generated from the live /api/schema/:
 * types by openapi-typescript (api.d.ts), requests by openapi-fetch, webhooks verified with the
 * standardwebhooks library. `tsc` type-checks it against the schema before it runs; any
 * difference between what the schema promises and what the server does fails a step.
 * Prints one JSON line with what it saw.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import createClient from "openapi-fetch";
import { Webhook } from "standardwebhooks";
import type { components, paths } from "./api.js";

type Generation = components["schemas"]["GenerationOutput"];

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const baseUrl = env("BASE_URL");
const png = readFileSync(env("PNG_PATH"));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function ok<T>(result: { data?: T; error?: unknown; response: Response }, step: string): T {
  check(result.data !== undefined && result.response.ok, `${step}: ${result.response.status} ${JSON.stringify(result.error)}`);
  return result.data as T;
}

/** A multipart body with one image field: the schema types it as a binary string. */
const imageForm = () => (body: unknown) => {
  const form = new FormData();
  form.append("image", new Blob([png], { type: "image/png" }), "image.png");
  return form;
};

async function receiver() {
  const received: { body: string; headers: Record<string, string> }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), headers: flatten(request.headers) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v ?? ""]));
}

async function main() {
  // Token: a form body, as the schema says.
  const anonymous = createClient<paths>({ baseUrl });
  const token = ok(
    await anonymous.POST("/api/v1/auth/token/", {
      body: { username: env("USERNAME"), password: env("PASSWORD") },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    }),
    "token",
  ).token;
  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Token ${token}` } });

  const project = ok(await api.POST("/api/v1/projects/", { body: { name: "TS integration", brief: "Clean, bright." } }), "project");
  const project_id = project.id;

  const hooks = await receiver();
  const endpoint = ok(
    await api.POST("/api/v1/projects/{project_id}/webhooks/", {
      params: { path: { project_id } },
      body: { url: hooks.url, events: ["generation.succeeded", "asset.review_changed"] },
    }),
    "webhook",
  );

  const mia = ok(
    await api.POST("/api/v1/projects/{project_id}/characters/", { params: { path: { project_id } }, body: { name: "Mia", description: "barista" } }),
    "character",
  );
  ok(
    await api.POST("/api/v1/characters/{entry_id}/images/", {
      params: { path: { entry_id: mia.id } },
      body: { image: "" },
      bodySerializer: imageForm(),
    }),
    "reference image",
  );
  const uploaded = ok(
    await api.POST("/api/v1/projects/{project_id}/assets/", { params: { path: { project_id } }, body: { image: "" }, bodySerializer: imageForm() }),
    "upload",
  );

  async function run(step: string, body: components["schemas"]["GenerationInputRequest"], idempotencyKey?: string): Promise<Generation> {
    const created = ok(
      await api.POST("/api/v1/projects/{project_id}/generations/", {
        params: { path: { project_id }, header: idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {} },
        body,
      }),
      step,
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = ok(await api.GET("/api/v1/generations/{generation_id}/", { params: { path: { generation_id: created.id } } }), `poll ${step}`);
      if (job.status === "succeeded") return job;
      check(job.status === "queued" || job.status === "running", `${step} ended ${job.status}: ${JSON.stringify(job.error)}`);
      check(Date.now() < deadline, `${step} still ${job.status}`);
      await sleep(200);
    }
  }

  const generated = await run("generate", { prompt: "Mia on a red bicycle", characters: [mia.id] }, "ts-generate-1");
  const again = ok(
    await api.POST("/api/v1/projects/{project_id}/generations/", {
      params: { path: { project_id }, header: { "Idempotency-Key": "ts-generate-1" } },
      body: { prompt: "Mia on a red bicycle", characters: [mia.id] },
    }),
    "idempotent retry",
  );
  check(again.id === generated.id, "the same Idempotency-Key made a second job");
  const source = generated.assets[0].id;
  const kinds: Record<string, Generation> = {
    generate: generated,
    edit: await run("edit", { kind: "edit", prompt: "make the bicycle blue", source_assets: [source] }),
    translate: await run("translate", { kind: "translate", target_language: "de", source_assets: [source] }),
    upscale: await run("upscale", { kind: "upscale", image_size: "2K", source_assets: [source] }),
    compose: await run("compose", { kind: "compose", prompt: "both side by side", source_assets: [source, uploaded.id] }),
  };

  // Cursor pages: two at a time, following `next`.
  const first = ok(await api.GET("/api/v1/projects/{project_id}/generations/", { params: { path: { project_id }, query: { page_size: 2 } } }), "page 1");
  check(first.results.length === 2 && first.next, "a first page of two with a next link");
  const cursor = new URL(first.next).searchParams.get("cursor") ?? undefined;
  const second = ok(await api.GET("/api/v1/projects/{project_id}/generations/", { params: { path: { project_id }, query: { page_size: 2, cursor } } }), "page 2");
  check(second.results.length === 2 && second.results[0].id !== first.results[0].id, "a different second page");
  const assets = ok(await api.GET("/api/v1/projects/{project_id}/assets/", { params: { path: { project_id } } }), "asset list");

  const asset = ok(await api.GET("/api/v1/assets/{asset_id}/", { params: { path: { asset_id: source } } }), "asset");
  const file = ok(await api.GET("/api/v1/assets/{asset_id}/file/", { params: { path: { asset_id: source } }, parseAs: "arrayBuffer" }), "file");
  const fileBytes = new Uint8Array(file as ArrayBuffer);
  const thumbnail = ok(await api.GET("/api/v1/assets/{asset_id}/thumbnail/", { params: { path: { asset_id: source } }, parseAs: "arrayBuffer" }), "thumbnail");
  const edited = kinds.edit.assets[0].id;
  const lineage = ok(await api.GET("/api/v1/assets/{asset_id}/lineage/", { params: { path: { asset_id: edited } } }), "lineage");
  check(lineage.edges.some((edge) => edge.from === edited && edge.to === source), "lineage has the edit edge");

  // Review with a project API key that holds the reviewer role. One person works here, and a key's
  // decisions are its maker's (four-eyes would refuse them): the owner turns four-eyes off.
  ok(
    await api.PATCH("/api/v1/projects/{project_id}/review-policy/", { params: { path: { project_id } }, body: { four_eyes: false } }),
    "review policy",
  );
  const key = ok(
    await api.POST("/api/v1/projects/{project_id}/api-keys/", { params: { path: { project_id } }, body: { name: "TS reviewer", role: "reviewer" } }),
    "api key",
  );
  const reviewer = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key.key}` } });
  const review = ok(
    await reviewer.POST("/api/v1/assets/{asset_id}/reviews/", { params: { path: { asset_id: source } }, body: { decision: "approve", comment: "" } }),
    "review",
  );
  const reviewed = ok(await api.GET("/api/v1/assets/{asset_id}/", { params: { path: { asset_id: source } } }), "reviewed asset");
  const forbidden = await reviewer.POST("/api/v1/projects/{project_id}/characters/", { params: { path: { project_id } }, body: { name: "Nope" } });
  check(forbidden.response.status === 403 && forbidden.error?.error.code, "a reviewer key may not change the library");

  const archive = ok(await api.GET("/api/v1/projects/{project_id}/exports/", { params: { path: { project_id } }, parseAs: "arrayBuffer" }), "export");
  const zipBytes = new Uint8Array(archive as ArrayBuffer);

  const missing = await api.GET("/api/v1/assets/{asset_id}/", { params: { path: { asset_id: "00000000-0000-0000-0000-000000000000" } } });
  check(missing.response.status === 404 && missing.error?.error.code === "not_found", "a missing asset is a 404 in the error shape");

  // Webhooks: five jobs succeeded, one review changed; every delivery verifies.
  const deadline = Date.now() + 30_000;
  while (hooks.received.length < 6 && Date.now() < deadline) await sleep(100);
  const events = hooks.received.map((delivery) => (new Webhook(endpoint.secret).verify(delivery.body, delivery.headers) as { type: string }).type);
  const deliveries = ok(await api.GET("/api/v1/webhooks/{endpoint_id}/deliveries/", { params: { path: { endpoint_id: endpoint.id } } }), "deliveries");
  hooks.server.close();

  console.log(
    JSON.stringify({
      kinds: Object.fromEntries(Object.entries(kinds).map(([kind, job]) => [kind, { status: job.status, assets: job.assets.length }])),
      asset_count: assets.results.length,
      asset_mime: asset.mime_type,
      file_head: Array.from(fileBytes.slice(0, 4)),
      thumbnail_bytes: (thumbnail as ArrayBuffer).byteLength,
      review: review.decision,
      review_status: reviewed.review_status,
      zip_head: Array.from(zipBytes.slice(0, 2)),
      events: events.sort(),
      logged_deliveries: deliveries.length,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
