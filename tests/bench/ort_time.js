#!/usr/bin/env node
// ort_time.js: median time of one ONNX Runtime inference, for scripts/bench_host.sh.
//
// Usage: node ort_time.js ORT_MODULE_DIR MODEL.onnx INPUT.npy RUNS
// ORT_MODULE_DIR is a node_modules folder holding onnxruntime-node. Runs the first sample of the
// float32 .npy file through the model's first input with the CPU execution provider and one
// intra-op and one inter-op thread: 20 warm-up runs, then RUNS timed runs; prints the median in
// microseconds.
'use strict';

const fs = require('fs');
const path = require('path');

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${file}: not an .npy file`);
  const major = buf[6];
  const headerLen = major >= 2 ? buf.readUInt32LE(8) : buf.readUInt16LE(8);
  const start = (major >= 2 ? 12 : 10) + headerLen;
  const header = buf.toString('latin1', major >= 2 ? 12 : 10, start);
  if (!header.includes("'<f4'")) throw new Error(`${file}: not little-endian float32`);
  const m = header.match(/'shape': \(([^)]*)\)/);
  const shape = m[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  shape[0] = 1;  // the first sample
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; ++i) data[i] = buf.readFloatLE(start + 4 * i);
  return { data, shape };
}

async function main(args) {
  if (args.length !== 4) {
    console.error('usage: node ort_time.js ORT_MODULE_DIR MODEL.onnx INPUT.npy RUNS');
    return 2;
  }
  const [moduleDir, model, inputFile, runsText] = args;
  const ort = require(path.join(moduleDir, 'onnxruntime-node'));
  const runs = Number(runsText);
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const { data, shape } = readNpy(inputFile);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
  for (let i = 0; i < 20; ++i) await session.run(feeds);
  const us = [];
  for (let i = 0; i < runs; ++i) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    us.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  us.sort((a, b) => a - b);
  console.log(us[Math.floor(runs / 2)].toFixed(1));
  return 0;
}

main(process.argv.slice(2)).then((rc) => process.exit(rc), (e) => {
  console.error(`ort_time: ${e.message}`);
  process.exit(1);
});
