// End-to-end: the official MCP TypeScript SDK client (@modelcontextprotocol/sdk) against
// `chengfang mcp` (stdio) and `chengfang serve` (Streamable HTTP), both with the test-only
// conformance fixtures. Run: node --test tests/mcp/sdk_e2e.test.mjs
// CHENGFANG_BIN overrides the binary (default build/src/cli/chengfang).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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

// Starts `chengfang serve --port 0` and resolves with its base URL once it listens.
function startHttpServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['serve', '--port', '0', '--conformance-fixtures'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 15000);
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
