#include "mcp/uri_template.h"

namespace cf::mcp {
namespace {

bool Match(const std::string& t, size_t ti, const std::string& uri, size_t ui,
           std::map<std::string, std::string>& vars) {
  while (ti < t.size()) {
    if (t[ti] == '{') {
      const size_t close = t.find('}', ti);
      if (close == std::string::npos) return false;
      const std::string name = t.substr(ti + 1, close - ti - 1);
      // Try every non-empty run of allowed characters, longest first.
      size_t end = ui;
      while (end < uri.size() && uri[end] != '/' && uri[end] != '?' && uri[end] != '#') ++end;
      for (size_t stop = end; stop > ui; --stop) {
        vars[name] = uri.substr(ui, stop - ui);
        if (Match(t, close + 1, uri, stop, vars)) return true;
      }
      vars.erase(name);
      return false;
    }
    if (ui >= uri.size() || t[ti] != uri[ui]) return false;
    ++ti;
    ++ui;
  }
  return ui == uri.size();
}

}  // namespace

std::optional<std::map<std::string, std::string>> MatchUriTemplate(const std::string& uri_template,
                                                                   const std::string& uri) {
  std::map<std::string, std::string> vars;
  if (!Match(uri_template, 0, uri, 0, vars)) return std::nullopt;
  return vars;
}

}  // namespace cf::mcp
