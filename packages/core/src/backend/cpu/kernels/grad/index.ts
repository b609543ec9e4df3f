// Kernels used only by gradients (see backend/KERNELS.md), one line per file.
