import { IMAGE_METHOD_TABLE, TEXT_METHOD_TABLE } from '@glassbox/core';
import { describe, expect, it } from 'vitest';
import { ALL_TEXT_METHODS, TEXT_METHODS } from '../demo/controls.ts';
import { STACKED_METHODS } from '../packages/core/src/attribution/attributeTokens.ts';
import { IMAGE_METHODS } from '../packages/core/src/explainers/imageClassification.ts';
import { IMAGE_METHOD_RULES, TEXT_METHOD_RULES, methodsReading } from '../packages/core/src/attribution/optionRules.ts';
import {
  resolveOptions,
  PERTURBATION_METHODS,
  GRADIENT_ONLY_METHODS,
  GRADIENT_METHODS,
  METHODS,
} from '../packages/core/src/attribution/explainOptions.ts';
import { glassbox } from './cliRunner.ts';

/**
 * A text method is one file in packages/core/src/attribution/textMethods/ and one line in its
 * index.ts: every list of methods (the library's constants, the option rules, the CLI's help,
 * the demo's pickers) is the table's, so a new entry shows up everywhere and nothing else
 * needs to name it.
 */
const names = TEXT_METHOD_TABLE.map((m) => m.name);
const ofFamily = (family: string) => TEXT_METHOD_TABLE.filter((m) => m.family === family).map((m) => m.name);

describe('the text method table', () => {
  it('is what the method constants and the option rules are made of', () => {
    expect(new Set(names).size).toBe(names.length);
    expect(METHODS).toEqual(names);
    expect(GRADIENT_METHODS).toEqual(ofFamily('gradient'));
    expect(PERTURBATION_METHODS).toEqual(ofFamily('perturbation'));
    expect([...GRADIENT_METHODS, ...PERTURBATION_METHODS].sort()).toEqual([...names].sort());
    expect([...STACKED_METHODS]).toEqual(TEXT_METHOD_TABLE.filter((m) => m.sharesPass).map((m) => m.name));
    expect([...GRADIENT_ONLY_METHODS]).toEqual(
      TEXT_METHOD_TABLE.filter((m) => m.family === 'gradient' && m.defaults.aggregate === 'l2').map((m) => m.name),
    );
    expect(TEXT_METHOD_RULES).toEqual(Object.fromEntries(TEXT_METHOD_TABLE.map((m) => [m.name, { family: m.family, options: m.options }])));
    for (const m of TEXT_METHOD_TABLE) for (const option of m.options) expect(methodsReading(option), option).toContain(m.name);
  });

  it('keeps the methods the library had, integrated gradients first (the default), and only gradient methods share passes', () => {
    expect(names).toEqual([
      'integrated-gradients',
      'saliency',
      'input-x-gradient',
      'occlusion',
      'smoothgrad',
      'smoothgrad-sq',
      'vargrad',
      'feature-ablation',
      'lime',
      'kernel-shap',
      'partition-shap',
      'sobol',
    ]);
    expect(resolveOptions({}).method).toBe(names[0]);
    for (const m of TEXT_METHOD_TABLE) if (m.sharesPass) expect(m.family, m.name).toBe('gradient');
  });

  it("gives resolveOptions each method's defaults", () => {
    for (const m of TEXT_METHOD_TABLE) {
      const resolved = resolveOptions({ method: m.name });
      expect([resolved.aggregate, resolved.normalize, resolved.quirks], m.name).toEqual([
        m.defaults.aggregate,
        m.defaults.normalize,
        m.defaults.quirks,
      ]);
      expect(resolveOptions({ method: m.name, output: 'logits' }).quirks, m.name).toBe(false);
    }
  });

  it("is the demo's method pickers: every method under its family's heading, with the table's label", () => {
    const labels = TEXT_METHOD_TABLE.map((m) => m.label);
    expect(labels.every((l) => l.length > 0) && new Set(labels).size === labels.length).toBe(true);
    const heading = { gradient: 'Gradient methods', perturbation: 'Perturbation methods' };
    expect(ALL_TEXT_METHODS).toEqual(
      [...TEXT_METHOD_TABLE.filter((m) => m.family === 'gradient'), ...TEXT_METHOD_TABLE.filter((m) => m.family === 'perturbation')].map(
        (m) => ({ value: m.name, label: m.label, group: heading[m.family] }),
      ),
    );
    for (const choice of TEXT_METHODS) expect(TEXT_METHOD_TABLE.find((m) => m.name === choice.value)?.label).toBe(choice.label);
  });

  it("is the CLI's --help: every method after --method, and a flag for every option a method reads", async () => {
    const { stderr } = await glassbox(['--help']);
    expect(stderr).toContain(`--method ${names.join('|')}`);
    for (const option of new Set(TEXT_METHOD_TABLE.flatMap((m) => m.options))) expect(stderr, option).toContain(`--${option} `);
  });
});

describe('the image method table', () => {
  it('is what IMAGE_METHODS and the image option rules are made of, integrated gradients first (the default)', () => {
    const imageNames = IMAGE_METHOD_TABLE.map((m) => m.name);
    expect(IMAGE_METHODS).toEqual(imageNames);
    expect(imageNames).toEqual([
      'integrated-gradients',
      'saliency',
      'input-x-gradient',
      'occlusion',
      'smoothgrad',
      'smoothgrad-sq',
      'vargrad',
    ]);
    expect(IMAGE_METHOD_RULES).toEqual(Object.fromEntries(IMAGE_METHOD_TABLE.map((m) => [m.name, m.options])));
    const labels = IMAGE_METHOD_TABLE.map((m) => m.label);
    expect(labels.every((l) => l.length > 0) && new Set(labels).size === labels.length).toBe(true);
  });

  it("is the CLI's --help line of image methods, each with the options it reads", async () => {
    const { stderr } = await glassbox(['--help']);
    for (const m of IMAGE_METHOD_TABLE) expect(stderr, m.name).toContain(m.options.length ? `${m.name} (${m.options.join(', ')})` : m.name);
  });
});
