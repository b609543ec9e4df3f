/**
 * Texts longer than the model reads: the CLI's `truncation` option as a checkbox (URL param
 * `truncation=true`), the offer to truncate when a run fails with `text_too_long`, and the
 * note saying what was cut (the result's `truncated` field).
 */
import { GlassboxError, type Truncation } from '@glassbox/core';
import { type Recovery, el, setParam } from './controls.ts';
import type { PageContext } from './page.ts';

export interface TruncationToggle {
  element: HTMLElement;
  /** `{ truncation: true }` while ticked, else `{}`: spread into explain()'s options. */
  options(): { truncation?: true };
  /**
   * For runControls' `recover`: a too-long text (while unticked) reads as the error without
   * the library's hint, with "Truncate and explain", which ticks the box and runs `rerun`.
   */
  recover(error: unknown, rerun: () => void): Recovery | undefined;
}

/** The checkbox, read from and kept in URL param `truncation`. */
export function truncationToggle(context: PageContext, what = 'texts'): TruncationToggle {
  const box = el('input', { type: 'checkbox', name: 'truncation', checked: context.params.get('truncation') === 'true' });
  const set = (on: boolean) => {
    box.checked = on;
    setParam(context, 'truncation', on ? 'true' : '');
  };
  box.addEventListener('change', () => set(box.checked));
  const element = el(
    'label',
    { class: 'gb-check', 'data-role': 'truncation' },
    box,
    `Truncate ${what} too long for the model (explain the first tokens that fit)`,
  );
  return {
    element,
    options: () => (box.checked ? { truncation: true } : {}),
    recover(error, rerun) {
      if (!(error instanceof GlassboxError) || error.code !== 'text_too_long' || box.checked) return undefined;
      return {
        message: `${error.message.replace(/; pass truncation\b.*$/, '')}.`,
        label: 'Truncate and explain',
        action() {
          set(true);
          rerun();
        },
      };
    },
  };
}

const PREVIEW = 160;

/**
 * What truncation cut, as a warning note, or false when the input fitted. `given` is the text
 * as typed, `explained` the prefix the result explains (when cleaning changed the text, the
 * cut part is not shown, only its size).
 */
export function truncationNote(truncated: Truncation | undefined, given: string, explained: string): HTMLElement | false {
  if (!truncated) return false;
  const rest = given.startsWith(explained) ? given.slice(explained.length).trim() : '';
  const shown = rest.length > PREVIEW ? `${rest.slice(0, PREVIEW)}…` : rest;
  return el(
    'p',
    {
      class: 'gb-note gb-note-warn',
      'data-role': 'truncated',
      'data-input-tokens': truncated.inputTokens,
      'data-explained-tokens': truncated.explainedTokens,
    },
    el('strong', {}, 'Truncated: '),
    `the input is ${truncated.inputTokens} tokens long (special tokens included) and only its first ${truncated.explainedTokens} fit the model, so the explanation stops at “…${explained.slice(-40)}”. ` +
      (shown ? `Left out: “${shown}”` : `${truncated.inputTokens - truncated.explainedTokens} tokens were left out.`),
  );
}
