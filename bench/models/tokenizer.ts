/**
 * A WordPiece tokenizer for the distilbert bench model, so that the CLI can explain its
 * sample as text: BERT's special ids ([PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103,
 * [unusedN] below 100) and, from 104 on, one made-up lowercase word per id (syllables
 * counted in base 70), so that `textOf(ids)` tokenizes back to exactly `ids`.
 */
const CONSONANTS = 'bdfgklmnprstvz';
const VOWELS = 'aeiou';
const SYLLABLES = [...CONSONANTS].flatMap((c) => [...VOWELS].map((v) => c + v));
/** The first id that is a word (below it: [PAD], [unusedN], [UNK], [CLS], [SEP], [MASK]). */
export const FIRST_WORD = 104;
const SPECIAL: Record<number, string> = { 0: '[PAD]', 100: '[UNK]', 101: '[CLS]', 102: '[SEP]', 103: '[MASK]' };

/** The word of id `id` (at least 104) in a vocabulary of `vocab` ids. */
export function wordOf(id: number, vocab: number): string {
  const words = vocab - FIRST_WORD;
  let length = 2;
  while (SYLLABLES.length ** length < words) length++;
  let k = id - FIRST_WORD;
  let word = '';
  for (let i = 0; i < length; i++) {
    word = SYLLABLES[k % SYLLABLES.length]! + word;
    k = Math.floor(k / SYLLABLES.length);
  }
  return word;
}

/** The text whose tokens are `ids` between [CLS] and [SEP] (the first and last are dropped). */
export function textOf(ids: number[], vocab: number): string {
  const notWord = ids.slice(1, -1).find((id) => id < FIRST_WORD || id >= vocab);
  if (notWord !== undefined)
    throw new Error(`id ${notWord} is no word of a vocabulary of ${vocab} (words are ${FIRST_WORD}..${vocab - 1})`);
  return ids
    .slice(1, -1)
    .map((id) => wordOf(id, vocab))
    .join(' ');
}

function token(id: number, vocab: number): string {
  return SPECIAL[id] ?? (id < FIRST_WORD ? `[unused${id - 1}]` : wordOf(id, vocab));
}

/** tokenizer.json (the `tokenizers` format transformers.js reads) and tokenizer_config.json. */
export function tokenizerFiles(vocab: number, maxLength: number): { tokenizer: object; config: object } {
  const special = (id: number) => ({
    id,
    content: SPECIAL[id],
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const cls = { SpecialToken: { id: '[CLS]', type_id: 0 } };
  const sep = (typeId: number) => ({ SpecialToken: { id: '[SEP]', type_id: typeId } });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [0, 100, 101, 102, 103].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [cls, { Sequence: { id: 'A', type_id: 0 } }, sep(0)],
      pair: [cls, { Sequence: { id: 'A', type_id: 0 } }, sep(0), { Sequence: { id: 'B', type_id: 1 } }, sep(1)],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [101], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [102], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(Array.from({ length: vocab }, (_, id) => [token(id, vocab), id])),
    },
  };
  const config = {
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    do_basic_tokenize: true,
    do_lower_case: true,
    mask_token: '[MASK]',
    model_max_length: maxLength,
    pad_token: '[PAD]',
    sep_token: '[SEP]',
    strip_accents: null,
    tokenize_chinese_chars: true,
    tokenizer_class: 'DistilBertTokenizer',
    unk_token: '[UNK]',
  };
  return { tokenizer, config };
}
