// LeakSanitizer suppressions for test binaries that use the renderer. fontconfig, Pango, GLib and
// espeak-ng keep process-wide caches (font lists, type registrations, voice data) that are never
// freed by design; LSan reports them at exit. Only those libraries' allocations are suppressed;
// leaks in our code are still reported.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n"
         "leak:libpango-1.0.so\n"
         "leak:libpangoft2-1.0.so\n"
         "leak:libpangocairo-1.0.so\n"
         "leak:libglib-2.0.so\n"
         "leak:libgobject-2.0.so\n"
         "leak:libharfbuzz.so\n"
         "leak:libespeak-ng.so\n";
}
