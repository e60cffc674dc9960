#!/usr/bin/env node
// ort_run.js: runs ONNX models through ONNX Runtime (onnxruntime-node), one sample at a time.
//
// Usage: node ort_run.js JOB [JOB ...] where each JOB is four arguments
//   MODEL.onnx  IN.f32  SHAPE  OUT.f32
// IN.f32 holds N samples of raw little-endian float32, each of SHAPE (comma-separated, the
// model's own input shape, batch 1). Every sample runs separately at batch 1 through the input
// `input`; the `output` tensors are written back to back to OUT.f32. Used by ort_check to
// cross-check evaluate.py; a developer tool, not part of the build.
'use strict';

const fs = require('fs');
const path = require('path');

// onnxruntime-node is installed next to this script by ort_check (npm install --prefix).
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

async function runJob(model, inFile, shapeText, outFile) {
  const shape = shapeText.split(',').map(Number);
  const per = shape.reduce((a, b) => a * b, 1);
  const buf = fs.readFileSync(inFile);
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  if (per === 0 || all.length % per !== 0) {
    throw new Error(`${inFile}: ${all.length} floats are not a multiple of shape ${shapeText}`);
  }
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const chunks = [];
  for (let i = 0; i < all.length / per; ++i) {
    const x = new ort.Tensor('float32', all.slice(i * per, (i + 1) * per), shape);
    const result = await session.run({ input: x });
    const y = result.output;
    if (!y || y.type !== 'float32') {
      throw new Error(`${model}: no float32 output named 'output'`);
    }
    chunks.push(Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
  }
  fs.writeFileSync(outFile, Buffer.concat(chunks));
}

async function main(args) {
  if (args.length === 0 || args.length % 4 !== 0) {
    console.error('usage: node ort_run.js MODEL.onnx IN.f32 SHAPE OUT.f32 [...]');
    return 2;
  }
  let failed = 0;
  for (let i = 0; i < args.length; i += 4) {
    try {
      await runJob(args[i], args[i + 1], args[i + 2], args[i + 3]);
    } catch (e) {
      // One failing model must not hide the others; the caller sees the missing output.
      console.error(`ort_run: ${args[i]}: ${e.message}`);
      failed += 1;
    }
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then((rc) => process.exit(rc));
