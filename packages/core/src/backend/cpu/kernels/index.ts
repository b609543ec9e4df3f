// One line per kernel file; each file registers its kernels when imported.
import './grad/index.ts';
