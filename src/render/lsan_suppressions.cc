// LeakSanitizer suppressions for test binaries that use the renderer. fontconfig keeps a
// process-wide cache (font lists, patterns) that Pango fills on first use and that is never freed
// by design; LSan reports it at exit. Only fontconfig's own allocations are suppressed; leaks in
// our code, Pango, Cairo, FFmpeg or espeak-ng are still reported.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
