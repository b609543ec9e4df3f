// Kernels used only by gradients (see backend/KERNELS.md), one line per file.
import './softmax.ts';
import './layer-norm.ts';
import './gather.ts';
import './slice.ts';
import './conv.ts';
