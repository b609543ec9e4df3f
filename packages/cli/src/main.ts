#!/usr/bin/env node
import { createReadStream, existsSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type Device,
  type LoadOptions,
  GlassboxError,
  EXPLAINER_TASKS,
  IMAGE_METHOD_RULES,
  IMAGE_OPTIONS,
  InvalidInputError,
  METHODS,
  METRICS,
  type MethodName,
  PLAUSIBILITY_METRICS,
  type SequenceClassificationExplainer,
  type SequenceClassificationResult,
  TEXT_METHOD_RULES,
  TEXT_OPTIONS,
  benchmark,
  checkTaskOptions,
  env,
  evaluate,
  methodsReading,
  metricOptionsOf,
} from '@glassbox/core';
import { benchmarkTableHTML } from '@glassbox/viz';
import { ATTENTION_FIELDS, attentionReduction, reduceAttentions } from './attentionFields.ts';
import { METRIC_FIELDS, metricFields } from './metricFields.ts';
import { COMMON_FIELDS, commonOptions, extraFields } from './options.ts';
import { targetList } from './targets.ts';
import { TASKS } from './tasks/index.ts';
import type { CliTask } from './tasks/task.ts';
import { ResultRecorder, withVizFields } from './vizFields.ts';
import { VIZ_FLAGS, type PageOptions, VizOutput, benchmarkTablePNG, imageOf } from './vizOutput.ts';

const TASK_INPUTS = [...new Set(TASKS.flatMap((t) => t.inputs))];
/** Every task's own options: on a task that does not read them, an 'unused_option' error (the explainer never sees them). */
const TASK_OPTIONS = [...new Set(TASKS.flatMap((t) => t.options))];
const TASK_FIELDS = [...new Set([...TASK_INPUTS, ...TASK_OPTIONS])];

/** The text methods that read `option`, from the library's table. */
const readers = (option: string) => methodsReading(option).join(', ');
/** The perturbation methods that read `samples` (a model-evaluation budget; the noise tunnels read it as their sample count). */
const sampling = () => methodsReading('samples').filter((m) => TEXT_METHOD_RULES[m].family === 'perturbation');

const USAGE = `usage: glassbox explain --model <folder|hub id> [--task <task>] (<task inputs> | --inputs <cases.jsonl|-> [--shard <i>/<n>]) [--html <file>] [--png <file>] [options]
       glassbox benchmark --model <folder|hub id> --text <text> [--textPair <text>] [--methods <a,b,...>] [--metrics <a,b,...>] [--rationale <0/1,...>] [--html <file>] [--png <file>] [options]
options are flags or fields of a JSONL line, under the library's names; one the chosen method or task does not read is an error
(code unused_option); a field that is no option is ignored with a note on stderr.
  every text method reads: ${TEXT_OPTIONS.filter((o) => o !== 'onProgress' && o !== 'signal').join(', ')}
         --target <index|label>|<a,b,...>|all (several classes, text-classification and pair-classification: the targets share
           passes, and the result is {explanations: [one object per target, in the order asked], predicted, logits})
         --method ${METHODS.join('|')}
         --output logits|softmax|log-softmax --normalize none|l2 --granularity token|word|sentence|all-tokens
         --transformersInterpretQuirks true|false (transformers-interpret's preprocessing; default: on for integrated gradients on softmax)
         --attention raw|rollout|gradient-weighted (adds "attentions": [layers][heads][T][T] for raw, [T][T] otherwise)
         --attention-reduce mean|median|max|min [--attention-over layers|heads|layers,heads (default)] (with --attention raw:
           "attentions" reduced elementwise over layers → [heads][T][T], heads → [layers][T][T], or both → [T][T]; median as
           torch.median, the lower of the two middle values for an even count)
         --truncation true|false (every text task; question answering cuts the context, text generation the prompt): explain the
           first tokens of a text longer than the model's positions, and add "truncated": {inputTokens, explainedTokens}; default false: an error naming both lengths)
  the text methods in [brackets] read:
         --aggregate sum|l2 [${readers('aggregate')}]
         --granularityAggregate sum|mean|max|signed-max [${readers('granularityAggregate')}; at granularity word or sentence]
         --layer word|position|token-type|embeddings [${readers('layer')}]: the tensor attributed (default word: the word embeddings;
           position, token-type: those lookups, the baseline run with position ids / token types 0; embeddings: the embeddings block's output)
         --baseline pad|zero|mask [${readers('baseline')}; perturbation methods: pad|mask, unless --masking is given]
         --integration gausslegendre|riemann_trapezoid|riemann_left|riemann_right|riemann_middle --steps <n> [${readers('steps')}]
         --internalBatchSize <n> (points or masked copies per pass) [${readers('internalBatchSize')}]
         --samples <n> --seed <n> [model evaluations: ${sampling().join(', ')}; noisy samples: ${readers('noise')}]
         --stdev <x> (noise standard deviation) [${readers('noise')}]
         --window <n> --stride <n> [${readers('occlusion')}]
         --noise '{"samples": n, "stdev": x, "seed": n}' --occlusion '{"window": n, "stride": n}' (the library's objects, as JSON;
           the flat flags above set the same keys)
         --masking pad|mask|attention [${readers('masking')}]
         --hierarchy flat|words|sentences|clustered [${readers('hierarchy')}]
         --distance cosine|euclidean|hamming --kernelWidth <x> --ridge <x> [${readers('distance')}]
  image methods (--task image-classification) read ${IMAGE_OPTIONS.filter((o) => o !== 'onProgress' && o !== 'signal').join(', ')}, and:
         ${Object.entries(IMAGE_METHOD_RULES)
           .map(([m, o]) => `${m}${o.length ? ` (${o.join(', ')})` : ''}`)
           .join(', ')}
         (noise: --samples, --seed, --stdev; occlusion: --window, --stride, in pixels)
  --device cpu|webgpu|auto
  --engine auto|glassbox|onnxruntime (what runs forward and gradient passes: Glassbox's runtime, or onnxruntime running
           the model and its compiled reverse pass; default auto, the faster on the device)
  --onnxruntime auto|node|web (which onnxruntime the onnxruntime engine uses: onnxruntime-node when installed, or
           onnxruntime-web's wasm; default auto)
         --dtype fp32|fp16|q8 --model-file <onnx base name, e.g. model_opset17> --revision <rev>
         --metrics ${[...METRICS, ...PLAUSIBILITY_METRICS].join(',')} (text-classification and pair-classification: adds
           "metrics": {<name>: number} to each result, on the target's probability: deletion / insertion AUC as interpreto; AOPC
           comprehensiveness / sufficiency and taucorr_loo (Kendall tau-b between the attributions and the leave-one-out drops)
           as ferret; a NaN value prints as null; text-generation: deletion and insertion only, interpreto's for generation:
           for each generated token, the AUC of its probability as the tokens before it are removed / inserted by decreasing
           attribution (replaced by the pad token, GPT-2's <|endoftext|>), the mean over the generated tokens)
         --rationale <0/1,...> a human rationale, one 0 or 1 per token (with or without the special tokens) or per word, e.g.
           --rationale 0,1,1,0; read by ferret's plausibility metrics ${PLAUSIBILITY_METRICS.join(', ')}
           (AUPRC as sklearn's auc(recall, precision); token F1 and IOU of the --topKRationale <n> most attributed features, default 5;
           only positive attributions count)
benchmark runs several methods on one text (text-classification; --methods, default every text method but smoothgrad) on the
same target, L1-normalises each method's token attributions (ferret's) and scores them on --metrics (default ${METRICS.join(', ')},
and the plausibility metrics with --rationale); it prints one JSON object {model, text, predicted, target, metrics: [names],
methods: [{method, tokens: [{token, attribution}], metrics: {<name>: number}}]}; --html <file> also writes that table as a standalone
HTML page (no script; metric cells coloured as ferret's evaluation table, darker purple where better); --png <file> the same
table as a PNG (drawn in Node on @napi-rs/canvas with the system's fonts: token cells coloured by attribution, metric cells as the page).
explain --html <file> also writes the result as a standalone HTML page (no script; @glassbox/viz's toHTML: highlighted tokens,
bar chart, transformers-interpret's table, every token's number as data-attribution exactly as the JSON prints it; image results:
the map beside the image); --true-label <label> fills the table's true-label column (a JSONL line's "trueLabel" field: its own).
With --inputs it is one page with a section per input line, appended as each result is printed and closed at the end. With --html
or --png every printed object also carries model, method, output, words and "special": true on special tokens, so
toHTML(JSON.parse(line)) draws the same page.
--png <file> (image-classification) writes the attribution map as a PNG, rendered without a browser: --image-mode
heatmap|overlay|masked_image|alpha_scaling|all (default overlay; all: the four side by side), after the original image; with
--inputs one file per line, <file>-<line>.png. --image-mode sets the --html page's mode too.
In --inputs mode each line is a JSON object with the same fields (flags are defaults); each result is one JSON line,
written as soon as it is done and in input order, and a bad line gives {"error": "..."} and the next lines still run.
The file is read as a stream (any size); --inputs - reads standard input. --shard i/n (0 <= i < n) explains only the lines
whose 0-based line number is i modulo n, so n processes or machines with shards 0/n .. (n-1)/n split a file between them;
with --shard each output object starts with "line": its 1-based line number in the input, to merge the outputs by.
A hub id is fetched from $HF_ENDPOINT (default https://huggingface.co).
tasks (--task), their inputs and result objects:
${TASKS.map((t) => `  ${t.help}`).join('\n')}`;

// stdout carries only results: route every library log line to stderr.
for (const level of ['log', 'info', 'warn', 'debug'] as const) console[level] = (...args: unknown[]) => console.error(...args);
const write = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj)}\n`);

/** `--shard i/n`: this process explains the lines whose 0-based number is `index` modulo `count`. */
interface Shard {
  index: number;
  count: number;
}

/** A `--shard` value "i/n" with 0 <= i < n, or undefined when malformed. */
function parseShard(value: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  if (!m) return undefined;
  const [index, count] = [Number(m[1]), Number(m[2])];
  return count >= 1 && index < count && Number.isSafeInteger(count) ? { index, count } : undefined;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
/** An error as a result line: {"error": message}, plus the GlassboxError's `code` when it has one. */
const errorLine = (e: unknown) => ({ error: message(e), ...(e instanceof GlassboxError && { code: e.code }) });

/** Tasks whose results the metrics score (a SequenceClassificationResult; text-generation's on deletion and insertion only). */
const METRIC_TASKS = ['text-classification', 'pair-classification', 'text-generation'];

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
  if (command !== 'explain' && command !== 'benchmark') {
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
      shard: { type: 'string' },
      dtype: { type: 'string' },
      'model-file': { type: 'string' },
      revision: { type: 'string' },
      ...Object.fromEntries(
        [...METRIC_FIELDS, ...(command === 'explain' ? ATTENTION_FIELDS : [])].map((f) => [f, { type: 'string' as const }]),
      ),
      ...(command === 'benchmark' && {
        methods: { type: 'string' as const },
        html: { type: 'string' as const },
        png: { type: 'string' as const },
      }),
      ...(command === 'explain' && Object.fromEntries(VIZ_FLAGS.map((f) => [f, { type: 'string' as const }]))),
      ...Object.fromEntries([...COMMON_FIELDS, ...TASK_FIELDS].map((f) => [f, { type: 'string' as const }])),
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
  const flagOptions = Object.fromEntries(
    [...COMMON_FIELDS, ...TASK_FIELDS, ...METRIC_FIELDS, ...ATTENTION_FIELDS]
      .filter((f) => values[f] !== undefined)
      .map((f) => [f, values[f]]),
  );
  if (command === 'benchmark' && (values.inputs !== undefined || typeof values.text !== 'string')) {
    console.error(`benchmark takes one --text (no --inputs)\n${USAGE}`);
    return 2;
  }
  if (!values.inputs && !TASK_INPUTS.some((f) => values[f] !== undefined)) {
    console.error(`give the task's inputs (e.g. --text) or --inputs\n${USAGE}`);
    return 2;
  }
  let shard: Shard | undefined;
  if (values.shard !== undefined) {
    shard = parseShard(values.shard as string);
    if (!shard || !values.inputs) {
      console.error(
        `${shard ? '--shard needs --inputs' : `--shard must be i/n with 0 <= i < n (e.g. --shard 0/4 .. --shard 3/4), got "${values.shard}"`}\n${USAGE}`,
      );
      return 2;
    }
  }
  if (process.env.HF_ENDPOINT) env.remoteHost = process.env.HF_ENDPOINT.replace(/\/*$/, '/');
  const model = existsSync(values.model) && statSync(values.model).isDirectory() ? resolve(values.model) : values.model;
  // --html / --png: the printed objects also carry what @glassbox/viz shows (vizFields.ts), from the recorded library results.
  const viz = command === 'explain' ? VizOutput.of(values) : undefined;
  const recorder = new ResultRecorder();

  const explainers = new Map<string, Promise<unknown>>();
  const explainer = (task: CliTask, device: string | undefined, engine: string | undefined, onnxruntime: string | undefined) => {
    const key = `${task.name} ${device ?? 'cpu'} ${engine ?? 'auto'} ${onnxruntime ?? 'auto'}`;
    let e = explainers.get(key);
    if (!e) {
      e = task.load(model, {
        device: (device ?? 'cpu') as Device,
        engine: engine as LoadOptions['engine'],
        onnxruntime: onnxruntime as LoadOptions['onnxruntime'],
        dtype: values.dtype as string | undefined,
        modelFileName: values['model-file'] as string | undefined,
        revision: values.revision as string | undefined,
      });
      if (viz) e = e.then((loaded) => recorder.wrap(loaded as object));
      explainers.set(key, e);
    }
    return e;
  };
  const ignored = new Set<string>();
  const run = async ({
    metrics: m,
    rationale: r,
    topKRationale: k,
    'attention-reduce': ar,
    'attention-over': ao,
    ...raw
  }: Record<string, unknown>) => {
    const reduction = attentionReduction({ attention: raw.attention, 'attention-reduce': ar, 'attention-over': ao });
    viz?.checkTask(taskNamed(raw.task as string | undefined).name);
    recorder.reset();
    const json = await explainCase({ metrics: m, rationale: r, topKRationale: k, ...raw });
    const out = reduction ? reduceAttentions(json, reduction) : json;
    return viz ? withVizFields(out, recorder.results()) : out;
  };
  /** What the page of a case is drawn with beyond its printed object: the attention reduction, an image result's image. */
  const pageOf = async (raw: Record<string, unknown>, trueLabel?: unknown): Promise<PageOptions> => {
    const { task, device, engine, onnxruntime } = commonOptions(raw);
    const image =
      taskNamed(task).name === 'image-classification'
        ? await imageOf((await explainer(taskNamed(task), device, engine, onnxruntime)) as never, raw)
        : undefined;
    return {
      attentionReduction: attentionReduction(raw),
      image,
      ...(trueLabel !== undefined && trueLabel !== null && { trueLabel: String(trueLabel) }),
    };
  };
  const explainCase = async ({
    metrics: m,
    rationale: r,
    topKRationale: k,
    ...raw
  }: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const { task: taskName, device, engine, onnxruntime, options } = commonOptions(raw);
    const task = taskNamed(taskName);
    const { metrics, options: metricOptions } = metricFields({ metrics: m, rationale: r, topKRationale: k });
    if (!metrics && Object.keys(metricOptions).length > 0) {
      const names = Object.keys(metricOptions);
      throw new InvalidInputError(
        `"${names.join('" and "')}" ${names.length > 1 ? 'are' : 'is'} read by the metrics; add --metrics (e.g. --metrics ${PLAUSIBILITY_METRICS.join(',')})`,
        'unused_option',
      );
    }
    if (metrics && !METRIC_TASKS.includes(task.name)) {
      throw new InvalidInputError(
        `metrics apply to ${METRIC_TASKS.slice(0, -1).join(', ')} and ${METRIC_TASKS.at(-1)} results, not ${task.name}`,
        'bad_metrics',
      );
    }
    // Another task's options (and textPair, a text option, where it is no input) reach no explainer: the library's table says they are unused here.
    const foreign = [...TASK_OPTIONS, 'textPair'].filter(
      (f) => raw[f] !== undefined && raw[f] !== null && !task.inputs.includes(f) && !task.options.includes(f),
    );
    checkTaskOptions(EXPLAINER_TASKS[task.name].task, Object.fromEntries(foreign.map((f) => [f, raw[f]])), options.method);
    for (const field of extraFields(raw, [...TASK_FIELDS])) {
      if (!ignored.has(field)) console.error(`glassbox: ignoring field "${field}" (not an option or input of task ${task.name})`);
      ignored.add(field);
    }
    const targets = targetList(raw.target);
    if (targets !== undefined && !task.explainTargets) {
      const tasks = TASKS.filter((t) => t.explainTargets).map((t) => t.name);
      throw new InvalidInputError(
        `several targets (${JSON.stringify(raw.target)}) apply to ${tasks.join(' and ')}; ${task.name} takes one --target at most`,
        'unknown_target',
      );
    }
    const loaded = (await explainer(task, device, engine, onnxruntime)) as SequenceClassificationExplainer;
    const explain = (e: SequenceClassificationExplainer) =>
      targets === undefined ? task.explain(e, raw, options) : task.explainTargets!(e, raw, options, targets);
    if (!metrics) return explain(loaded);
    // The task prints its JSON; the metrics need the result objects it came from, so the task's explainer calls are recorded.
    let results: SequenceClassificationResult[] = [];
    const recorded = (name: 'explain' | 'explainBatch' | 'explainTargets') => ({
      value: async (...args: unknown[]) => {
        const r = await (loaded as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!.apply(loaded, args);
        results = [r].flat(2) as SequenceClassificationResult[];
        return r;
      },
    });
    const json = await explain(
      Object.create(loaded, {
        explain: recorded('explain'),
        explainBatch: recorded('explainBatch'),
        explainTargets: recorded('explainTargets'),
      }),
    );
    const scored: Record<string, number>[] = [];
    for (const r of results) scored.push(await evaluate(loaded, r, metrics, { ...metricOptionsOf(options), ...metricOptions }));
    if (targets === undefined) return { ...json, metrics: scored[0] };
    return { ...json, explanations: (json.explanations as object[]).map((e, j) => ({ ...e, metrics: scored[j] })) };
  };

  if (command === 'benchmark') {
    try {
      const { metrics: m, rationale: r, topKRationale: k, ...raw } = flagOptions;
      const { metrics, options: metricOptions } = metricFields({ metrics: m, rationale: r, topKRationale: k });
      const { task: taskName, device, engine, onnxruntime, options } = commonOptions(raw);
      if ((taskName ?? 'text-classification') !== 'text-classification')
        throw new InvalidInputError(`benchmark runs text-classification models, not --task ${taskName}`, 'unknown_task');
      if (options.method !== undefined) throw new InvalidInputError('benchmark takes --methods (a list), not --method', 'bad_method');
      const loaded = (await explainer(taskNamed('text-classification'), device, engine, onnxruntime)) as SequenceClassificationExplainer;
      // Quirks reach the metrics and every method through metricOptionsOf; the rest goes to the methods that read it (benchmark refuses attention).
      const { target, transformersInterpretQuirks: _quirks, ...explain } = options;
      const methods =
        typeof values.methods === 'string'
          ? values.methods
              .split(',')
              .map((m) => m.trim())
              .filter((m) => m !== '')
          : undefined;
      const result = await benchmark(loaded, raw.text as string, {
        methods: methods as MethodName[] | undefined, // validated by benchmark, which lists the unknown ones
        metrics,
        target,
        explain: { ...explain, ...(typeof raw.textPair === 'string' && { textPair: raw.textPair }) },
        ...metricOptionsOf(options),
        ...metricOptions,
      });
      if (typeof values.html === 'string') writeFileSync(values.html, benchmarkTableHTML(result));
      if (typeof values.png === 'string') writeFileSync(values.png, await benchmarkTablePNG(result));
      write(result);
      return 0;
    } catch (e) {
      write(errorLine(e));
      if (!(e instanceof GlassboxError)) console.error(e);
      return 1;
    }
  }

  if (!values.inputs) {
    try {
      const json = await run(flagOptions);
      viz?.writeOne(json, await pageOf(flagOptions));
      write(json);
      return 0;
    } catch (e) {
      write(errorLine(e));
      if (!(e instanceof GlassboxError)) console.error(e);
      return 1;
    }
  }
  const source = values.inputs === '-' ? process.stdin : createReadStream(values.inputs as string);
  let n = -1;
  viz?.open(`Glassbox: ${model} (${values.inputs === '-' ? 'standard input' : values.inputs})`);
  for await (const line of createInterface({ input: source, crlfDelay: Infinity })) {
    n++;
    if (shard && n % shard.count !== shard.index) continue;
    // With --shard every output object carries its input line, so the shards' outputs can be merged.
    const writeCase = shard ? (obj: object) => write({ line: n + 1, ...obj }) : write;
    try {
      if (!line.trim()) throw new InvalidInputError(`line ${n + 1} is empty`, 'bad_line');
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (e) {
        throw new InvalidInputError(`line ${n + 1} is not valid JSON: ${message(e)}`, 'bad_line');
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new InvalidInputError(`line ${n + 1} is not a JSON object`, 'bad_line');
      // A line's trueLabel (transformers-interpret's true class) is for its section of the --html page.
      const { trueLabel, ...rest } = parsed as Record<string, unknown>;
      const fields = viz ? rest : (parsed as Record<string, unknown>);
      const json = await run({ ...flagOptions, ...fields });
      viz?.append(json, await pageOf({ ...flagOptions, ...fields }, trueLabel), n + 1);
      writeCase(json);
    } catch (e) {
      viz?.appendError(e, n + 1);
      writeCase(errorLine(e));
    }
  }
  viz?.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(message(e));
    process.exit(2);
  },
);
