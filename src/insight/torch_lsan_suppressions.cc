// LeakSanitizer suppressions for test binaries that use LibTorch. Torch keeps process-wide state
// (operator registry, dispatcher tables, thread pools, allocator caches) that is built at load
// time or first use and never freed by design; LSan reports it at exit. Only allocations made
// inside libtorch, libc10 and the BLAS it loads are suppressed; leaks in our code are still
// reported.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libtorch_cpu.so\nleak:libtorch.so\nleak:libc10.so\nleak:libopenblas\n";
}
