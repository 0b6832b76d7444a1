import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import { Worker } from 'node:worker_threads';

/** The nice value of a thread of this process, from /proc (field 19 of its stat line). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

test('a worker thread that lowers its priority runs at the background nice value; the event loop thread keeps its own', {
  skip: process.platform !== 'linux' && 'thread priorities are per thread only on Linux',
}, async () => {
  const source = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(new URL('./background-priority.ts', import.meta.url).href)}).then((m) => {
      const lowered = m.lowerThisThreadPriority();
      const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').at(-1));
      parentPort.postMessage({ lowered, tid, nice: m.BACKGROUND_NICE });
    });
    parentPort.on('message', () => process.exit(0));
  `;
  const worker = new Worker(source, { eval: true });
  const reply = await new Promise<{ lowered: boolean; tid: number; nice: number }>((resolve) =>
    worker.once('message', resolve),
  );
  try {
    const mainNice = niceOf(Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ')[0]));
    assert.equal(reply.lowered, true);
    assert.ok(niceOf(reply.tid) >= Math.max(reply.nice, mainNice), `worker nice ${niceOf(reply.tid)}`);
    if (mainNice < reply.nice)
      assert.ok(niceOf(reply.tid) > mainNice, 'the worker runs behind the loop thread');
  } finally {
    worker.postMessage('stop');
    await new Promise((resolve) => worker.once('exit', resolve));
  }
});
