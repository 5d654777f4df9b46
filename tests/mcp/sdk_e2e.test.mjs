// End-to-end: the official MCP TypeScript SDK client (@modelcontextprotocol/sdk) against
// `chengfang mcp` (stdio) and `chengfang serve` (Streamable HTTP): first with the test-only
// conformance fixtures, then with the real merchant tools over the live market (a quick world;
// skipped, with the reason, when ../shared/data is absent). Run: node --test tests/mcp/sdk_e2e.test.mjs
// CHENGFANG_BIN overrides the binary (default build/src/cli/chengfang).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.CHENGFANG_BIN ?? path.join(root, 'build/src/cli/chengfang');

function newClient() {
  return new Client({ name: 'chengfang-e2e', version: '1.0.0' }, { capabilities: {} });
}

// Starts `chengfang serve --port 0 ARGS` and resolves with its base URL once it listens.
function startHttpServer(args = ['--conformance-fixtures'], timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['serve', '--port', '0', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), timeoutMs);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const m = stderr.match(/listening on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

// The same checks over either transport.
function suite(name, connect) {
  describe(name, () => {
    let client;
    before(async () => {
      client = await connect();
    });
    after(async () => {
      await client?.close();
    });

    test('lists tools with schemas', async () => {
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      assert.ok(names.includes('test_simple_text'), names.join(','));
      const sampling = tools.find((t) => t.name === 'test_sampling');
      assert.deepEqual(sampling.inputSchema.required, ['prompt']);
    });

    test('calls a tool and receives progress notifications', async () => {
      const progress = [];
      const result = await client.callTool(
        { name: 'test_tool_with_progress', arguments: {} },
        CallToolResultSchema,
        { onprogress: (p) => progress.push(p) },
      );
      assert.equal(result.isError, undefined);
      assert.equal(result.content[0].text, 'Progress test completed');
      // The server sends 0, 50, 100 before the response. The SDK client handles notifications a
      // microtask after responses, so over stdio the last one can arrive after the request is
      // closed and be dropped by the client: require the first two.
      assert.deepEqual(
        progress.map((p) => p.progress).slice(0, 2),
        [0, 50],
      );
      assert.equal(progress[0].total, 100);
    });

    test('schema-invalid arguments give an isError result naming the path', async () => {
      const result = await client.callTool({ name: 'test_sampling', arguments: { prompt: 5 } });
      assert.equal(result.isError, true);
      assert.match(result.content[0].text, /\/prompt: expected string/);
    });

    test('an unknown tool is a JSON-RPC error -32602', async () => {
      await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), (e) => {
        assert.equal(e.code, -32602);
        return true;
      });
    });

    test('reads a resource', async () => {
      const { contents } = await client.readResource({ uri: 'test://static-text' });
      assert.equal(contents[0].mimeType, 'text/plain');
      assert.equal(contents[0].text, 'This is the content of the static text resource.');
      const templated = await client.readResource({ uri: 'test://template/42/data' });
      assert.equal(JSON.parse(templated.contents[0].text).id, '42');
    });

    test('gets a prompt with arguments', async () => {
      const { messages } = await client.getPrompt({
        name: 'test_prompt_with_arguments',
        arguments: { arg1: 'budget', arg2: 'roi' },
      });
      assert.equal(messages[0].content.text, "Prompt with arguments: arg1='budget', arg2='roi'");
    });

    test('pings', async () => {
      assert.deepEqual(await client.ping(), {});
    });
  });
}

suite('stdio (chengfang mcp)', async () => {
  const client = newClient();
  await client.connect(
    new StdioClientTransport({ command: bin, args: ['mcp', '--conformance-fixtures'], stderr: 'ignore' }),
  );
  return client;
});

let server;
suite('Streamable HTTP (chengfang serve)', async () => {
  server = await startHttpServer();
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
  const close = client.close.bind(client);
  client.close = async () => {
    await close();
    server.child.kill('SIGTERM');
  };
  return client;
});

// The real tools: the merchant's account over the live market of a quick world.
const dataDir = process.env.CHENGFANG_DATA ?? path.resolve(root, '../shared/data');
const haveData = fs.existsSync(path.join(dataDir, 'completejourney', 'products.csv'));
const noData = haveData ? false : `no data at ${dataDir}/completejourney; put ../shared/data beside the repo or set CHENGFANG_DATA`;

function stateFile(tag) {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cf-mcp-')), `${tag}.sqlite`);
}

function merchantSuite(name, connect) {
  describe(name, { skip: noData }, () => {
    let client;
    before(async () => {
      client = await connect();
    });
    after(async () => {
      await client?.close();
    });

    test('lists the account tools with input and output schemas', async () => {
      const { tools } = await client.listTools();
      for (const n of ['get_account_overview', 'create_super_plan', 'update_ad_plan_budget',
        'get_report', 'get_bid_budget_suggestion', 'diagnose_ad_plan', 'advance_market',
        'explain_query', 'recommend_products', 'rotate_creatives', 'issue_coupon',
        'search_influencers', 'create_influencer_order', 'list_influencer_orders']) {
        const t = tools.find((x) => x.name === n);
        assert.ok(t, `${n} missing from ${tools.map((x) => x.name).join(',')}`);
        assert.equal(t.inputSchema.type, 'object');
        assert.equal(t.outputSchema.type, 'object');
      }
    });

    test('creates a super plan (dry run, then once with an idempotency key) and runs it', async () => {
      const found = await client.callTool({ name: 'search_products', arguments: { limit: 3 } });
      const ids = found.structuredContent.products.map((p) => p.id);
      assert.equal(ids.length, 3);
      const args = { budget: 400, objective: 'gmv_roi', target: 1.5, products: ids };
      const dry = await client.callTool({ name: 'create_super_plan', arguments: args });
      assert.equal(dry.structuredContent.dry_run, true);
      const made = await client.callTool({
        name: 'create_super_plan',
        arguments: { ...args, confirm: true, idempotency_key: 'sdk-e2e-1' },
      });
      assert.equal(made.isError, undefined, JSON.stringify(made));
      const id = made.structuredContent.plan_id;
      const again = await client.callTool({
        name: 'create_super_plan',
        arguments: { ...args, confirm: true, idempotency_key: 'sdk-e2e-1' },
      });
      assert.equal(again.structuredContent.replayed, true);
      assert.equal(again.structuredContent.plan_id, id);

      // Long tool: the market runs three simulated hours with progress notifications.
      const progress = [];
      const ran = await client.callTool(
        { name: 'advance_market', arguments: { hours: 3 } },
        CallToolResultSchema,
        { onprogress: (p) => progress.push(p), timeout: 120000 },
      );
      assert.equal(ran.structuredContent.hours_advanced, 3);
      assert.ok(progress.length >= 2, JSON.stringify(progress));
      assert.equal(progress[0].total, 3);

      const report = await client.callTool({ name: 'get_report', arguments: { granularity: 'hour' } });
      assert.ok(report.structuredContent.rows.length >= 2, JSON.stringify(report.structuredContent));
      const plan = await client.callTool({ name: 'get_ad_plan', arguments: { plan_id: id } });
      assert.equal(plan.structuredContent.bid_type, 'auto');
      assert.ok(plan.structuredContent.last_24h.length >= 2);

      // A guardrail refusal is a tool error naming its code; nothing changes.
      const refused = await client.callTool({
        name: 'update_ad_plan_budget',
        arguments: { plan_id: id, total_budget: 4000, confirm: true },
      });
      assert.equal(refused.isError, true);
      assert.match(refused.content[0].text, /^guardrail: /);
      const after = await client.callTool({ name: 'get_ad_plan', arguments: { plan_id: id } });
      assert.equal(after.structuredContent.total_budget, 400);
    });

    test('explains a search query and recommends products for a query and for a user', async () => {
      const long = { timeout: 120000 };  // the first call builds the knowledge graph
      const ex = await client.callTool(
        { name: 'explain_query', arguments: { query: '适合海边度假的裙子', limit: 5 } },
        CallToolResultSchema, long);
      assert.equal(ex.isError, undefined, JSON.stringify(ex));
      const s = ex.structuredContent;
      assert.equal(s.scenes[0].id, 'beach_holiday', JSON.stringify(s.scenes));
      assert.ok(s.categories.some((c) => c.id === 'dress' && c.in_query), JSON.stringify(s.categories));
      assert.ok(s.products.length >= 1 && s.products.length <= 5);
      for (const p of s.products) {
        assert.ok(Number.isInteger(p.product_id) && p.price > 0 && p.why.startsWith('in category'));
      }
      assert.ok(s.bundle.some((b) => b.role.startsWith('need ')), JSON.stringify(s.bundle));

      const byQuery = await client.callTool(
        { name: 'recommend_products', arguments: { query: 'camping trip snacks', limit: 4 } },
        CallToolResultSchema, long);
      assert.equal(byQuery.structuredContent.products.length, 4);

      const byUser = await client.callTool(
        { name: 'recommend_products', arguments: { user_id: 7, limit: 6 } },
        CallToolResultSchema, long);
      const u = byUser.structuredContent;
      assert.deepEqual(u.for, { user_id: 7 });
      assert.ok(u.categories.length >= 1 && u.products.length === 6, JSON.stringify(u));
      const cats = new Set(u.categories.map((c) => c.category));
      for (const p of u.products) assert.ok(cats.has(p.category), JSON.stringify(p));

      // Bad input is a tool error that says what to do.
      const both = await client.callTool({ name: 'recommend_products', arguments: { user_id: 7, query: 'x' } });
      assert.equal(both.isError, true);
      assert.match(both.content[0].text, /exactly one of 'query'/);
      const nobody = await client.callTool({ name: 'recommend_products', arguments: { user_id: 99999999 } });
      assert.equal(nobody.isError, true);
      assert.match(nobody.content[0].text, /^not_found: no user 99999999/);
    });

    test('rotates a creative, issues a coupon, finds and orders an influencer', async () => {
      const found = await client.callTool({ name: 'search_products', arguments: { limit: 1 } });
      const product = found.structuredContent.products[0].id;
      const listed = await client.callTool({ name: 'list_creatives', arguments: { product_id: product } });
      const live = listed.structuredContent.in_market.filter((c) => c.live);
      // The default platform serves a pool of variants per product (the creative bandit).
      assert.ok(live.length >= 1, JSON.stringify(listed.structuredContent));
      assert.ok(live[0].impressions > 0 && ['learning', 'healthy', 'worn_out'].includes(live[0].wearout.state));
      const rotated = await client.callTool({
        name: 'rotate_creatives',
        arguments: { product_id: product, pause_creative_ids: [live[0].creative_id], confirm: true },
      });
      assert.equal(rotated.isError, undefined, JSON.stringify(rotated));
      assert.deepEqual(rotated.structuredContent.paused, [live[0].creative_id]);
      assert.equal(rotated.structuredContent.live.length, live.length);
      assert.ok(!rotated.structuredContent.live.includes(live[0].creative_id));

      const coupon = await client.callTool({
        name: 'issue_coupon',
        arguments: { product_id: product, discount: 0.1, max_users: 50, confirm: true },
      });
      assert.equal(coupon.isError, undefined, JSON.stringify(coupon));
      assert.equal(coupon.structuredContent.users, 50);
      const greedy = await client.callTool({ name: 'issue_coupon', arguments: { product_id: product, discount: 0.8 } });
      assert.equal(greedy.isError, true);
      assert.match(greedy.content[0].text, /^guardrail: /);

      const creators = await client.callTool({ name: 'search_influencers', arguments: { product_id: product, limit: 5 } });
      const list = creators.structuredContent.influencers;
      assert.equal(list.length, 5, JSON.stringify(creators.structuredContent));
      for (let i = 1; i < list.length; ++i) assert.ok(list[i - 1].audience_fit >= list[i].audience_fit);
      for (const c of list) assert.ok(c.fee > 0 && c.followers > 0 && c.expected_reach >= 0);
      const pick = list.find((c) => c.available);
      assert.ok(pick, 'some creator is free');
      const order = await client.callTool({
        name: 'create_influencer_order',
        arguments: { influencer_id: pick.influencer_id, product_id: product, confirm: true },
      });
      assert.equal(order.isError, undefined, JSON.stringify(order));
      const orders = await client.callTool({ name: 'list_influencer_orders', arguments: {} });
      assert.equal(orders.structuredContent.orders.length, 1);
      assert.equal(orders.structuredContent.fees_total, pick.fee);
      const nobody = await client.callTool({ name: 'create_influencer_order', arguments: { influencer_id: 99999, product_id: product } });
      assert.equal(nobody.isError, true);
      assert.match(nobody.content[0].text, /^not_found: no influencer 99999/);
    });

    test('reads the account snapshot and gets the weekly review prompt', async () => {
      const { contents } = await client.readResource({ uri: 'chengfang://account/snapshot' });
      const snap = JSON.parse(contents[0].text);
      assert.ok(snap.plans_detail.length >= 1);
      const { messages } = await client.getPrompt({ name: 'weekly_review', arguments: {} });
      assert.match(messages[0].content.text, /get_report/);
    });
  });
}

merchantSuite('merchant tools over stdio (chengfang mcp --quick)', async () => {
  const client = newClient();
  await client.connect(
    new StdioClientTransport({
      command: bin,
      args: ['mcp', '--quick', '--state', stateFile('stdio')],
      stderr: 'ignore',
    }),
  );
  return client;
});

merchantSuite('merchant tools over Streamable HTTP (chengfang serve --quick)', async () => {
  const srv = await startHttpServer(['--quick', '--state', stateFile('http'), '--web', ''], 120000);
  const client = newClient();
  await client.connect(new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`)));
  const close = client.close.bind(client);
  client.close = async () => {
    await close();
    srv.child.kill('SIGTERM');
  };
  return client;
});
