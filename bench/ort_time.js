// Times ONNX Runtime (onnxruntime-node, CPU provider) sessions, one thread.
//
//   node bench/ort_time.js JOBS.json
//
// JOBS.json: [{"name", "model", "inputs": [{"name", "type": "uint8"|"float32",
// "dims": [...], "data": FILE or null}], "out": FILE or null}].  For each job
// prints one JSON line {"name", "min", "median"} (seconds per run) or
// {"name", "error"}; "out" receives output 0 of one run (raw bytes).
'use strict';
const fs = require('fs');
let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  console.log(JSON.stringify({ error: 'onnxruntime-node not installed: ' + e.message }));
  process.exit(0);
}

const WARMUP_SEC = 0.05, SAMPLE_SEC = 0.02, SAMPLES = 15;
const now = () => Number(process.hrtime.bigint()) * 1e-9;

async function measure(fn) {
  let t0 = now(), t, warm = 0;
  do { await fn(); warm++; } while ((t = now()) - t0 < WARMUP_SEC || warm < 2);
  const per = (t - t0) / warm;
  const iters = per >= SAMPLE_SEC ? 1 : Math.floor(SAMPLE_SEC / per) + 1;
  const samples = [];
  for (let s = 0; s < SAMPLES; s++) {
    t0 = now();
    for (let i = 0; i < iters; i++) await fn();
    samples.push((now() - t0) / iters);
  }
  samples.sort((a, b) => a - b);
  return { min: samples[0], median: samples[SAMPLES >> 1] };
}

function tensor(spec) {
  const n = spec.dims.reduce((a, b) => a * b, 1);
  let data;
  if (spec.type === 'float32') {
    data = new Float32Array(n);
    if (spec.data) data.set(new Float32Array(fs.readFileSync(spec.data).buffer.slice(0)));
    else for (let i = 0; i < n; i++) data[i] = ((i * 2654435761) % 200) / 100 - 0.5;
  } else {
    const Ctor = spec.type === 'int8' ? Int8Array : Uint8Array;
    data = new Ctor(n);
    if (spec.data) data.set(new Ctor(fs.readFileSync(spec.data).buffer.slice(0)));
    else for (let i = 0; i < n; i++) data[i] = (i * 2654435761) >>> 24;
  }
  return new ort.Tensor(spec.type, data, spec.dims);
}

async function main() {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const opts = {
    executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1,
    executionMode: 'sequential', graphOptimizationLevel: 'all',
  };
  for (const job of jobs) {
    try {
      const session = await ort.InferenceSession.create(job.model, opts);
      const feeds = {};
      for (const spec of job.inputs) feeds[spec.name] = tensor(spec);
      const first = await session.run(feeds);
      if (job.out) {
        const y = first[session.outputNames[0]].data;
        fs.writeFileSync(job.out, Buffer.from(y.buffer, y.byteOffset, y.byteLength));
      }
      const r = await measure(() => session.run(feeds));
      console.log(JSON.stringify({ name: job.name, min: r.min, median: r.median }));
    } catch (e) {
      console.log(JSON.stringify({ name: job.name, error: String(e.message || e).split('\n')[0] }));
    }
  }
}
main();
