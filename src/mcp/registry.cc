#include "mcp/registry.h"

#include <algorithm>

namespace cf::mcp {
namespace {

template <typename T, typename Key>
void Upsert(std::vector<T>& items, T item, Key key) {
  auto it = std::find_if(items.begin(), items.end(),
                         [&](const T& existing) { return key(existing) == key(item); });
  if (it != items.end()) {
    *it = std::move(item);
  } else {
    items.push_back(std::move(item));
  }
}

template <typename T, typename Key>
bool Erase(std::vector<T>& items, const std::string& wanted, Key key) {
  auto it = std::find_if(items.begin(), items.end(),
                         [&](const T& existing) { return key(existing) == wanted; });
  if (it == items.end()) return false;
  items.erase(it);
  return true;
}

template <typename T, typename Key>
std::optional<T> Find(const std::vector<T>& items, const std::string& wanted, Key key) {
  for (const auto& item : items) {
    if (key(item) == wanted) return item;
  }
  return std::nullopt;
}

const auto kToolName = [](const Tool& t) { return t.name; };
const auto kResourceUri = [](const Resource& r) { return r.uri; };
const auto kTemplateUri = [](const ResourceTemplate& r) { return r.uri_template; };
const auto kPromptName = [](const Prompt& p) { return p.name; };

}  // namespace

void Registry::AddTool(Tool tool) {
  {
    std::lock_guard lock(mu_);
    Upsert(tools_, std::move(tool), kToolName);
  }
  Changed(Kind::kTools);
}

void Registry::AddResource(Resource resource) {
  {
    std::lock_guard lock(mu_);
    Upsert(resources_, std::move(resource), kResourceUri);
  }
  Changed(Kind::kResources);
}

void Registry::AddResourceTemplate(ResourceTemplate resource_template) {
  {
    std::lock_guard lock(mu_);
    Upsert(templates_, std::move(resource_template), kTemplateUri);
  }
  Changed(Kind::kResources);
}

void Registry::AddPrompt(Prompt prompt) {
  {
    std::lock_guard lock(mu_);
    Upsert(prompts_, std::move(prompt), kPromptName);
  }
  Changed(Kind::kPrompts);
}

bool Registry::RemoveTool(const std::string& name) {
  bool removed;
  {
    std::lock_guard lock(mu_);
    removed = Erase(tools_, name, kToolName);
  }
  if (removed) Changed(Kind::kTools);
  return removed;
}

bool Registry::RemoveResource(const std::string& uri) {
  bool removed;
  {
    std::lock_guard lock(mu_);
    removed = Erase(resources_, uri, kResourceUri) || Erase(templates_, uri, kTemplateUri);
  }
  if (removed) Changed(Kind::kResources);
  return removed;
}

bool Registry::RemovePrompt(const std::string& name) {
  bool removed;
  {
    std::lock_guard lock(mu_);
    removed = Erase(prompts_, name, kPromptName);
  }
  if (removed) Changed(Kind::kPrompts);
  return removed;
}

std::vector<Tool> Registry::Tools() const {
  std::lock_guard lock(mu_);
  return tools_;
}

std::vector<Resource> Registry::Resources() const {
  std::lock_guard lock(mu_);
  return resources_;
}

std::vector<ResourceTemplate> Registry::ResourceTemplates() const {
  std::lock_guard lock(mu_);
  return templates_;
}

std::vector<Prompt> Registry::Prompts() const {
  std::lock_guard lock(mu_);
  return prompts_;
}

std::optional<Tool> Registry::FindTool(const std::string& name) const {
  std::lock_guard lock(mu_);
  return Find(tools_, name, kToolName);
}

std::optional<Resource> Registry::FindResource(const std::string& uri) const {
  std::lock_guard lock(mu_);
  return Find(resources_, uri, kResourceUri);
}

std::optional<Prompt> Registry::FindPrompt(const std::string& name) const {
  std::lock_guard lock(mu_);
  return Find(prompts_, name, kPromptName);
}

void Registry::OnChange(std::function<void(Kind)> listener) {
  std::lock_guard lock(mu_);
  change_listeners_.push_back(std::move(listener));
}

void Registry::OnResourceUpdated(std::function<void(const std::string&)> listener) {
  std::lock_guard lock(mu_);
  update_listeners_.push_back(std::move(listener));
}

void Registry::NotifyResourceUpdated(const std::string& uri) {
  std::vector<std::function<void(const std::string&)>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = update_listeners_;
  }
  for (const auto& l : listeners) l(uri);
}

void Registry::Changed(Kind kind) {
  std::vector<std::function<void(Kind)>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = change_listeners_;
  }
  for (const auto& l : listeners) l(kind);
}

}  // namespace cf::mcp
