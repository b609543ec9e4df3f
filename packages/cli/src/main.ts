#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Device, GlassboxError, SequenceClassificationExplainer, type SequenceClassificationResult, env } from '@glassbox/core';
import { OPTION_FIELDS, extraFields, toExplainOptions } from './options.ts';

const USAGE = `usage: glassbox explain --model <folder|hub id> (--text "<text>" | --inputs <cases.jsonl>) [options]
options: --target <index|label> --method integrated-gradients|saliency|input-x-gradient|occlusion|smoothgrad
         --baseline pad|zero|mask --integration gausslegendre|riemann_trapezoid|riemann_left|riemann_right|riemann_middle
         --steps <n> --output logits|softmax --aggregate sum|l2 --normalize none|l2 --device cpu|webgpu
         --dtype fp32|fp16|q8 --model-file <onnx base name, e.g. model_opset17> --revision <rev>
A hub id is fetched from $HF_ENDPOINT (default https://huggingface.co).`;

// stdout carries only results: route every library log line to stderr.
for (const level of ['log', 'info', 'warn', 'debug'] as const) console[level] = (...args: unknown[]) => console.error(...args);
const write = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj)}\n`);

/** The contract's output object. */
function toJson(r: SequenceClassificationResult) {
  return {
    tokens: r.tokens.map((t) => ({ token: t.token, id: t.id, attribution: t.attribution })),
    predicted: r.predicted,
    target: r.target,
    convergenceDelta: r.convergenceDelta,
    logits: r.logits,
  };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'explain') {
    console.error(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
    return 2;
  }
  const { values: parsed } = parseArgs({
    args: rest,
    strict: true,
    options: {
      model: { type: 'string' },
      inputs: { type: 'string' },
      dtype: { type: 'string' },
      'model-file': { type: 'string' },
      revision: { type: 'string' },
      ...Object.fromEntries(OPTION_FIELDS.map((f) => [f, { type: 'string' as const }])),
    },
  });
  const values = parsed as Record<string, string | undefined>;
  if (!values.model) {
    console.error(`--model is required\n${USAGE}`);
    return 2;
  }
  if (!values.inputs && values.text === undefined) {
    console.error(`give --text or --inputs\n${USAGE}`);
    return 2;
  }
  if (process.env.HF_ENDPOINT) env.remoteHost = process.env.HF_ENDPOINT.replace(/\/*$/, '/');
  const model = existsSync(values.model) && statSync(values.model).isDirectory() ? resolve(values.model) : values.model;
  const flagOptions = Object.fromEntries(OPTION_FIELDS.filter((f) => values[f] !== undefined).map((f) => [f, values[f]]));

  const explainers = new Map<string, Promise<SequenceClassificationExplainer>>();
  const explainer = (device: string | undefined) => {
    const key = device ?? 'cpu';
    let e = explainers.get(key);
    if (!e) {
      e = SequenceClassificationExplainer.fromPretrained(model, {
        device: key as Device,
        dtype: values.dtype,
        modelFileName: values['model-file'],
        revision: values.revision,
      });
      explainers.set(key, e);
    }
    return e;
  };
  const ignored = new Set<string>();
  const run = async (raw: Record<string, unknown>) => {
    for (const field of extraFields(raw)) {
      if (!ignored.has(field)) console.error(`glassbox: ignoring field "${field}" (not an option)`);
      ignored.add(field);
    }
    const { text, device, options } = toExplainOptions(raw);
    return toJson(await (await explainer(device)).explain(text, options));
  };

  if (!values.inputs) {
    try {
      write(await run(flagOptions));
      return 0;
    } catch (e) {
      write({ error: message(e) });
      if (!(e instanceof GlassboxError)) console.error(e);
      return 1;
    }
  }
  const lines = (await readFile(values.inputs, 'utf8')).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [n, line] of lines.entries()) {
    try {
      if (!line.trim()) throw new Error(`line ${n + 1} is empty`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (e) {
        throw new Error(`line ${n + 1} is not valid JSON: ${message(e)}`);
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`line ${n + 1} is not a JSON object`);
      write(await run({ ...flagOptions, ...(parsed as Record<string, unknown>) }));
    } catch (e) {
      write({ error: message(e) });
    }
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(message(e));
    process.exit(2);
  },
);
