// One line per kernel file; each file registers its kernels when imported.
import './elementwise.ts';
import './matmul.ts';
import './reduce.ts';
import './softmax.ts';
import './layernorm.ts';
import './cumsum.ts';
import './movement.ts';
import './gather.ts';
import './conv.ts';
import './quantize.ts';
