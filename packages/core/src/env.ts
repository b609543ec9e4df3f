/**
 * transformers.js's settings (model host, local models, cache), re-exported from a module of
 * its own: a bundle that does not use `env` then leaves transformers.js out.
 */
export { env } from '@huggingface/transformers';
