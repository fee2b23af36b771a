// node --test e2e/support/ : the NAT lab is what it claims to be (ground truth for e2e/nat.spec.js),
// and leaves nothing behind. Skipped, loudly, where network namespaces are not allowed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createLab, labSupport, PRIVATE_ADDRESS, ROUTER_PUBLIC_ADDRESS } from './netns-lab.js';

const support = await labSupport();
if (!support.ok) console.error(`\n!!! NAT lab self-test NOT RUN: ${support.reason}\n`);

const rootLinks = () => execFileSync('/usr/sbin/ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).replace(/\s+\\.*$/gm, '');
const namespaces = () => execFileSync('/usr/sbin/ip', ['netns', 'list'], { encoding: 'utf8' });

test('each NAT mode maps as it claims, and close() removes namespaces, processes and files', { skip: !support.ok && support.reason }, async () => {
  const linksBefore = rootLinks();
  const forwarding = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
  for (const nat of ['none', 'masquerade', 'random']) {
    const lab = await createLab({ nat });
    const pids = lab.pids;
    assert.equal(pids.length, 3);
    const { local, mapped } = await lab.probe();
    try {
      if (nat === 'none') {
        assert.deepEqual(mapped, [{ address: PRIVATE_ADDRESS, port: local }, { address: PRIVATE_ADDRESS, port: local }]);
      } else if (nat === 'masquerade') {
        // Endpoint-independent mapping, and Linux keeps the port: both servers see the same mapping.
        assert.deepEqual(mapped, [{ address: ROUTER_PUBLIC_ADDRESS, port: local }, { address: ROUTER_PUBLIC_ADDRESS, port: local }]);
      } else {
        assert.equal(mapped[0].address, ROUTER_PUBLIC_ADDRESS);
        assert.equal(mapped[1].address, ROUTER_PUBLIC_ADDRESS);
        assert.notEqual(mapped[0].port, mapped[1].port);
      }
      for (const name of Object.values(lab.namespaces)) assert.match(namespaces(), new RegExp(`^${name}\\b`, 'm'));
      // lab.node runs inside the private namespace.
      const inside = await lab.node(['-e', 'console.log(require("os").networkInterfaces().p0[0].address)']);
      assert.equal(inside.trim(), PRIVATE_ADDRESS);
    } finally {
      await lab.close();
    }
    for (const name of Object.values(lab.namespaces)) assert.doesNotMatch(namespaces(), new RegExp(`^${name}\\b`, 'm'));
    assert.ok(!fs.existsSync(path.join(os.tmpdir(), `wre-netns-${lab.id}`)));
    // No process of the lab is left (coturn x2, the web server).
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `pid ${pid} still runs`);
  }
  // The root namespace never saw the lab: same links, forwarding untouched.
  assert.equal(rootLinks(), linksBefore);
  assert.equal(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'), forwarding);
});
