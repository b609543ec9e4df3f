import { AutoImageProcessor, type ImageProcessor, RawImage } from '@huggingface/transformers';
import { InvalidInputError, ModelLoadError } from '../errors.ts';
import { PilImage } from '../image/pilImage.ts';
import { type ImageFile, isImageFile, readImage } from '../image/read.ts';
import { type HostTensor, formatShape, sizeOf, tensor } from '../tensor.ts';
import type { OnnxModel } from './onnxModel.ts';
import {
  type ForwardEngine,
  type GradientEngine,
  type LoadOptions,
  type ModelConfig,
  labelsOf,
  loadConfig,
  loadOnnxModel,
} from './pretrained.ts';

/** Decoded pixels in interleaved (HWC) layout, as a canvas ImageData or a RawImage holds them. */
export interface ImageDataLike {
  data: ArrayLike<number>;
  width: number;
  height: number;
  /** Values per pixel (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA). Default: data.length / (width·height). */
  channels?: number;
}

/** An image to preprocess: a transformers.js RawImage, an image file (a URL, a path in Node, a Blob or its bytes), or decoded pixels. */
export type ImageInput = RawImage | ImageFile | ImageDataLike;

/** Pixel values as nested arrays: [C][H][W] or [1][C][H][W]. */
export type NestedPixels = number[][][] | number[][][][];

/** Decoded pixels checked and copied. */
function toPilImage(image: ImageDataLike): PilImage {
  const { data, width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InvalidInputError(`image width and height must be positive integers, got ${width}×${height}`, 'bad_image');
  }
  const channels = image.channels ?? data.length / (width * height);
  if (![1, 2, 3, 4].includes(channels)) {
    throw new InvalidInputError(
      `image has ${channels} channels (${data.length} values for ${width}×${height} pixels); expected 1, 2, 3 or 4`,
      'bad_image',
    );
  }
  if (data.length !== width * height * channels) {
    throw new InvalidInputError(
      `image data has ${data.length} values; ${width}×${height}×${channels} needs ${width * height * channels}`,
      'bad_image',
    );
  }
  return PilImage.of({ data: Uint8ClampedArray.from(data), width, height, channels });
}

/** Flatten nested arrays of numbers, recording the shape; ragged arrays are an error. */
function flattenNested(values: unknown, what: string): { shape: number[]; data: number[] } {
  const shape: number[] = [];
  for (let v = values; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data: number[] = [];
  const walk = (v: unknown, depth: number, at: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new InvalidInputError(`${what}${at} must be a finite number, got ${JSON.stringify(v)}`, 'bad_pixel_values');
      data.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new InvalidInputError(`${what}${at} must be an array of ${shape[depth]} (nested arrays are ragged)`, 'bad_pixel_values');
    }
    v.forEach((x, i) => walk(x, depth + 1, `${at}[${i}]`));
  };
  walk(values, 0, '');
  return { shape, data };
}

/** A model's transformers.js image processor (its preprocessor_config.json). */
export async function loadImageProcessor(model: string, revision?: string): Promise<ImageProcessor> {
  try {
    return await AutoImageProcessor.from_pretrained(model, { revision } as never);
  } catch (e) {
    throw new ModelLoadError(`model "${model}": could not load its image processor (preprocessor_config.json): ${(e as Error).message}`);
  }
}

/**
 * pixel_values for an image through a transformers.js image processor, with Pillow's resampling
 * and transformers' center crop (PilImage): the same numbers in Node and the browser, and those
 * of the Python processor for the same decoded pixels.
 */
export async function preprocessImage(processor: ImageProcessor, image: ImageInput): Promise<HostTensor> {
  let input: PilImage;
  if (image instanceof RawImage) input = toPilImage(image);
  else if (isImageFile(image)) {
    try {
      input = PilImage.of(await readImage(image));
    } catch (e) {
      const named = typeof image === 'string' || image instanceof URL ? `"${String(image)}"` : `(${image.constructor.name})`;
      throw new InvalidInputError(`could not read image ${named}: ${(e as Error).message}`, 'bad_image');
    }
  } else if (image && typeof image === 'object' && 'data' in image) input = toPilImage(image);
  else
    throw new InvalidInputError(
      'image must be a RawImage, an image file (URL, file path, Blob or bytes), or {data, width, height, channels}',
      'bad_image',
    );
  const { pixel_values } = (await processor(input)) as { pixel_values: { dims: number[]; data: ArrayLike<number> } };
  return tensor('float32', pixel_values.dims, pixel_values.data);
}

/** Height and width the model takes: config.image_size, else the processor's crop or resize size. */
function inputSize(model: string, config: ModelConfig, processor: ImageProcessor): [number, number] {
  const imageSize = config.image_size as number | number[] | undefined;
  if (typeof imageSize === 'number') return [imageSize, imageSize];
  if (Array.isArray(imageSize) && imageSize.length === 2) return [imageSize[0]!, imageSize[1]!];
  for (const size of [processor.crop_size, processor.size] as ({ height?: number; width?: number } | number | undefined)[]) {
    if (typeof size === 'number') return [size, size];
    if (size?.height && size.width) return [size.height, size.width];
  }
  throw new ModelLoadError(
    `model "${model}": no input size (config.json has no image_size; preprocessor_config.json no size or crop_size with height and width)`,
  );
}

/** A transformers.js image-classification model: config, image processor and its ONNX graph on our runtime. */
export class ImageModel {
  private constructor(
    readonly id: string,
    readonly config: ModelConfig,
    readonly processor: ImageProcessor,
    readonly onnx: OnnxModel,
    /** [channels, height, width] of one image's pixel_values. */
    readonly inputShape: readonly [number, number, number],
    /** Runs forward-only passes (the load option `engine` chose it). */
    readonly forward: ForwardEngine = onnx,
    /** Runs gradient passes (the load option `engine` chose it). */
    readonly gradients: GradientEngine = onnx,
  ) {}

  static async load(model: string, options: LoadOptions = {}): Promise<ImageModel> {
    const config = await loadConfig(model, options.revision);
    const [processor, { onnx, forward, gradients, file }] = await Promise.all([
      loadImageProcessor(model, options.revision),
      loadOnnxModel(model, options),
    ]);
    if (!onnx.inputNames.includes('pixel_values')) {
      throw new ModelLoadError(`model "${model}" (${file}) has no pixel_values input (inputs: ${onnx.inputNames.join(', ')})`);
    }
    const channels = typeof config.num_channels === 'number' ? config.num_channels : 3;
    return new ImageModel(model, config, processor, onnx, [channels, ...inputSize(model, config, processor)], forward, gradients);
  }

  /**
   * Give back its device memory (weights, pooled buffers) at once and release its onnxruntime
   * sessions (resolves when they are). Idempotent; later calls throw code 'disposed'.
   */
  async dispose(): Promise<void> {
    this.onnx.dispose();
    await Promise.all([
      this.forward.dispose(),
      this.gradients !== this.onnx && (this.gradients as { dispose?: () => Promise<void> }).dispose?.(),
    ]);
  }

  get labels(): string[] {
    return labelsOf(this.config);
  }

  /** pixel_values [1, C, H, W] for an image, through the model's image processor (preprocessImage). */
  async preprocess(image: ImageInput): Promise<HostTensor> {
    return this.pixelValues(await preprocessImage(this.processor, image), 'preprocessed pixel_values');
  }

  /**
   * pixel_values [1, C, H, W] from given values: a tensor or nested arrays of shape [C, H, W]
   * or [1, C, H, W]. Any other shape is an error naming the shape the model takes; `what`
   * names the values in it.
   */
  pixelValues(values: HostTensor | NestedPixels, what = 'pixelValues'): HostTensor {
    if (!Array.isArray(values) && !(values && typeof values === 'object' && Array.isArray(values.shape) && values.data)) {
      throw new InvalidInputError(`${what} must be a tensor or nested arrays [C][H][W], got ${typeof values}`, 'bad_pixel_values');
    }
    const given = Array.isArray(values) ? flattenNested(values, what) : { shape: [...values.shape], data: values.data };
    const [c, h, w] = this.inputShape;
    const shape = given.shape.length === 3 ? [1, ...given.shape] : given.shape;
    if (shape.length !== 4 || shape[0] !== 1 || shape[1] !== c || shape[2] !== h || shape[3] !== w) {
      const why = shape.length === 4 && shape[0] === 1 && shape[1] !== c ? `${shape[1]} channels, the model takes ${c}` : 'wrong shape';
      throw new InvalidInputError(
        `${what} have shape ${formatShape(given.shape)} (${why}); model "${this.id}" takes ${formatShape([c, h, w])} or ${formatShape([1, c, h, w])}`,
        'bad_pixel_values',
      );
    }
    if (given.data.length !== sizeOf(shape))
      throw new InvalidInputError(
        `${what} hold ${given.data.length} values, shape ${formatShape(shape)} needs ${sizeOf(shape)}`,
        'bad_pixel_values',
      );
    return tensor('float32', shape, given.data);
  }
}
