#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Device, GlassboxError, InvalidInputError, env } from '@glassbox/core';
import { COMMON_FIELDS, commonOptions, extraFields } from './options.ts';
import { TASKS } from './tasks/index.ts';
import type { CliTask } from './tasks/task.ts';

const TASK_INPUTS = [...new Set(TASKS.flatMap((t) => t.inputs))];

const USAGE = `usage: glassbox explain --model <folder|hub id> [--task <task>] (<task inputs> | --inputs <cases.jsonl>) [options]
options: --target <index|label> --method integrated-gradients|saliency|input-x-gradient|occlusion|smoothgrad|...
         --baseline pad|zero|mask --integration gausslegendre|riemann_trapezoid|riemann_left|riemann_right|riemann_middle
         --steps <n> --output logits|softmax --aggregate sum|l2 --normalize none|l2 --device cpu|webgpu
         --attention raw|rollout|gradient-weighted (adds "attentions": [layers][heads][T][T] for raw, [T][T] otherwise)
         --dtype fp32|fp16|q8 --model-file <onnx base name, e.g. model_opset17> --revision <rev>
In --inputs mode each line is a JSON object with the same fields (flags are defaults); each result is one JSON line,
and a bad line gives {"error": "..."} and the next lines still run.
A hub id is fetched from $HF_ENDPOINT (default https://huggingface.co).
tasks (--task), their inputs and result objects:
${TASKS.map((t) => `  ${t.help}`).join('\n')}`;

// stdout carries only results: route every library log line to stderr.
for (const level of ['log', 'info', 'warn', 'debug'] as const) console[level] = (...args: unknown[]) => console.error(...args);
const write = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj)}\n`);

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function taskNamed(name: string | undefined): CliTask {
  const task = TASKS.find((t) => t.name === (name ?? 'text-classification'));
  if (!task) throw new InvalidInputError(`unknown task "${name}"; use one of ${TASKS.map((t) => t.name).join(', ')}`, 'unknown_task');
  return task;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    console.error(USAGE);
    return 0;
  }
  if (command !== 'explain') {
    console.error(command ? `unknown command "${command}"\n${USAGE}` : USAGE);
    return 2;
  }
  const { values: parsed } = parseArgs({
    args: rest,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      model: { type: 'string' },
      inputs: { type: 'string' },
      dtype: { type: 'string' },
      'model-file': { type: 'string' },
      revision: { type: 'string' },
      ...Object.fromEntries([...COMMON_FIELDS, ...TASK_INPUTS].map((f) => [f, { type: 'string' as const }])),
    },
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  if (values.help) {
    console.error(USAGE);
    return 0;
  }
  if (typeof values.model !== 'string') {
    console.error(`--model is required\n${USAGE}`);
    return 2;
  }
  const flagOptions = Object.fromEntries([...COMMON_FIELDS, ...TASK_INPUTS].filter((f) => values[f] !== undefined).map((f) => [f, values[f]]));
  if (!values.inputs && !TASK_INPUTS.some((f) => values[f] !== undefined)) {
    console.error(`give the task's inputs (e.g. --text) or --inputs\n${USAGE}`);
    return 2;
  }
  if (process.env.HF_ENDPOINT) env.remoteHost = process.env.HF_ENDPOINT.replace(/\/*$/, '/');
  const model = existsSync(values.model) && statSync(values.model).isDirectory() ? resolve(values.model) : values.model;

  const explainers = new Map<string, Promise<unknown>>();
  const explainer = (task: CliTask, device: string | undefined) => {
    const key = `${task.name} ${device ?? 'cpu'}`;
    let e = explainers.get(key);
    if (!e) {
      e = task.load(model, {
        device: (device ?? 'cpu') as Device,
        dtype: values.dtype as string | undefined,
        modelFileName: values['model-file'] as string | undefined,
        revision: values.revision as string | undefined,
      });
      explainers.set(key, e);
    }
    return e;
  };
  const ignored = new Set<string>();
  const run = async (raw: Record<string, unknown>) => {
    const { task: taskName, device, options } = commonOptions(raw);
    const task = taskNamed(taskName);
    for (const field of extraFields(raw, task.inputs)) {
      if (!ignored.has(field)) console.error(`glassbox: ignoring field "${field}" (not an option or input of task ${task.name})`);
      ignored.add(field);
    }
    return task.explain(await explainer(task, device), raw, options);
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
  const lines = (await readFile(values.inputs as string, 'utf8')).split('\n');
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
