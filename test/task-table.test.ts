import { EXPLAINER_TASKS, TASK_NAMES, TASK_OPTIONS } from '@glassbox/core';
import { describe, expect, it } from 'vitest';
import { TASKS } from '../packages/cli/src/tasks/index.ts';
import { glassbox } from './cliRunner.ts';

/**
 * Core's task table (EXPLAINER_TASKS: each task's explainer, what the worker loads) is the
 * CLI's list of tasks: the CLI has one task per entry, in its order, with the options its
 * explainer's rule names (`static task`), so a new task is core's explainer and its line plus
 * one CLI file and its line.
 */
describe('the task table', () => {
  it("is the CLI's tasks: the same names in the same order, each with core's own options", () => {
    expect(TASK_NAMES).toEqual(Object.keys(EXPLAINER_TASKS));
    expect(TASKS.map((t) => t.name)).toEqual(TASK_NAMES);
    for (const task of TASKS) {
      const rule = EXPLAINER_TASKS[task.name].task;
      expect(rule.name).toBe(task.name);
      expect(task.options, task.name).toEqual(rule.own ?? []);
    }
  });

  it("lists in TASK_OPTIONS exactly the tasks' own options (and explainBatch's targets)", () => {
    const own = Object.values(EXPLAINER_TASKS).flatMap((explainer) => explainer.task.own ?? []);
    expect(new Set(TASK_OPTIONS)).toEqual(new Set([...own, 'targets']));
  });

  it('is what --task accepts and --help lists', async () => {
    const { stderr } = await glassbox(['--help']);
    for (const name of TASK_NAMES) expect(stderr, name).toMatch(new RegExp(`^  ${name}[: ]`, 'm'));
    const { code, stdout } = await glassbox(['--task', 'no-such-task', '--model', 'x', '--text', 'hi']);
    expect(code).toBe(1);
    expect(stdout).toContain(`use one of ${TASK_NAMES.join(', ')}`);
  });
});
