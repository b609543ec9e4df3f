import type { DemoPage } from '../page.ts';
import { text } from './text.ts';
import { image } from './image.ts';
import { pair } from './pair.ts';
import { questionAnswering } from './questionAnswering.ts';
import { ner } from './ner.ts';
import { generation } from './generation.ts';
import { attention } from './attention.ts';
import { dataset } from './dataset.ts';

/** The demo's pages, in tab order: a new page is one file here plus one line below. */
export const PAGES: DemoPage[] = [text, image, pair, questionAnswering, ner, generation, attention, dataset];
