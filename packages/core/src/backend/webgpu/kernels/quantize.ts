// Kernels of this family register here (see ../../KERNELS.md).
