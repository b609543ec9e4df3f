// One line per kernel file; each file registers its kernels when imported.
import './elementwise.ts';
import './where.ts';
import './cast.ts';
import './matmul.ts';
import './softmax.ts';
import './layernorm.ts';
import './reduce.ts';
import './shape.ts';
import './slice.ts';
import './concat.ts';
import './gather.ts';
import './cumsum.ts';
import './conv.ts';
import './quantize.ts';
import './grad/index.ts';
