#include "common/json_schema.h"

// GCC 12's <regex> trips -Wmaybe-uninitialized inside libstdc++ under -fsanitize (GCC bug
// 105562, a false positive in std::function's move); keep the build warning-clean.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <fmt/format.h>

#include <cmath>
#include <regex>
#include <set>

namespace cf {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;

std::string EscapePointerToken(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Brief(const json& value) {
  std::string s = value.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

bool IsInteger(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && std::floor(d) == d;
}

std::string TypeOf(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number()) return IsInteger(v) ? "integer" : "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

bool HasType(const json& v, const std::string& type) {
  if (type == "number") return v.is_number();
  if (type == "integer") return IsInteger(v);
  return TypeOf(v) == type;
}

// Number of Unicode code points in a UTF-8 string.
size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

// JSON equality where 1 and 1.0 are the same number.
bool JsonEqual(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  if (a.type() != b.type()) return false;
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!JsonEqual(a[i], b[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !JsonEqual(*it, *other)) return false;
    }
    return true;
  }
  return a == b;
}

std::string FormatNumber(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  const double d = v.get<double>();
  if (IsInteger(v) && std::fabs(d) < 1e15) return fmt::format("{}", static_cast<long long>(d));
  return fmt::format("{}", d);
}

class Validator {
 public:
  explicit Validator(const json& root) : root_(root) {}

  void Validate(const json& schema, const json& instance, const std::string& path, int depth,
                std::vector<SchemaError>& errors) {
    if (depth > kMaxDepth) {
      errors.push_back({path, "schema nesting is too deep (a $ref cycle?)"});
      return;
    }
    if (schema.is_boolean()) {
      if (!schema.get<bool>()) errors.push_back({path, "no value is allowed here"});
      return;
    }
    if (!schema.is_object()) return;

    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
      const json* target = Resolve(ref->get<std::string>());
      if (!target) {
        errors.push_back(
            {path, fmt::format("schema reference {} cannot be resolved", ref->dump())});
      } else {
        Validate(*target, instance, path, depth + 1, errors);
      }
    }
    CheckType(schema, instance, path, errors);
    if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
      bool found = false;
      for (const auto& option : *e) found = found || JsonEqual(option, instance);
      if (!found) {
        errors.push_back({path, fmt::format("{} is not one of {}", Brief(instance), Brief(*e))});
      }
    }
    if (auto c = schema.find("const"); c != schema.end() && !JsonEqual(*c, instance)) {
      errors.push_back({path, fmt::format("{} must be {}", Brief(instance), Brief(*c))});
    }
    if (instance.is_number()) CheckNumber(schema, instance, path, errors);
    if (instance.is_string())
      CheckString(schema, instance.get_ref<const std::string&>(), path, errors);
    if (instance.is_array()) CheckArray(schema, instance, path, depth, errors);
    if (instance.is_object()) CheckObject(schema, instance, path, depth, errors);
    CheckCombinators(schema, instance, path, depth, errors);
  }

 private:
  const json* Resolve(const std::string& ref) const {
    if (ref.empty() || ref[0] != '#') return nullptr;
    if (ref == "#") return &root_;
    try {
      const json::json_pointer pointer(ref.substr(1));
      if (!root_.contains(pointer)) return nullptr;
      return &root_.at(pointer);
    } catch (const json::exception&) {
      return nullptr;
    }
  }

  void CheckType(const json& schema, const json& instance, const std::string& path,
                 std::vector<SchemaError>& errors) {
    auto t = schema.find("type");
    if (t == schema.end()) return;
    std::vector<std::string> types;
    if (t->is_string()) {
      types.push_back(t->get<std::string>());
    } else if (t->is_array()) {
      for (const auto& x : *t) {
        if (x.is_string()) types.push_back(x.get<std::string>());
      }
    }
    if (types.empty()) return;
    for (const auto& type : types) {
      if (HasType(instance, type)) return;
    }
    std::string expected = types.size() == 1 ? types[0] : fmt::format("one of {}", t->dump());
    errors.push_back(
        {path, fmt::format("expected {}, got {} {}", expected, TypeOf(instance), Brief(instance))});
  }

  void CheckNumber(const json& schema, const json& instance, const std::string& path,
                   std::vector<SchemaError>& errors) {
    const double v = instance.get<double>();
    const std::string shown = FormatNumber(instance);
    if (auto m = schema.find("minimum");
        m != schema.end() && m->is_number() && v < m->get<double>()) {
      errors.push_back({path, fmt::format("{} is below the minimum {}", shown, FormatNumber(*m))});
    }
    if (auto m = schema.find("maximum");
        m != schema.end() && m->is_number() && v > m->get<double>()) {
      errors.push_back({path, fmt::format("{} is above the maximum {}", shown, FormatNumber(*m))});
    }
    if (auto m = schema.find("exclusiveMinimum");
        m != schema.end() && m->is_number() && v <= m->get<double>()) {
      errors.push_back({path, fmt::format("{} must be greater than {}", shown, FormatNumber(*m))});
    }
    if (auto m = schema.find("exclusiveMaximum");
        m != schema.end() && m->is_number() && v >= m->get<double>()) {
      errors.push_back({path, fmt::format("{} must be less than {}", shown, FormatNumber(*m))});
    }
    if (auto m = schema.find("multipleOf");
        m != schema.end() && m->is_number() && m->get<double>() > 0) {
      const double q = v / m->get<double>();
      if (std::fabs(q - std::round(q)) > 1e-9) {
        errors.push_back(
            {path, fmt::format("{} is not a multiple of {}", shown, FormatNumber(*m))});
      }
    }
  }

  void CheckString(const json& schema, const std::string& s, const std::string& path,
                   std::vector<SchemaError>& errors) {
    const size_t n = CodePoints(s);
    if (auto m = schema.find("minLength");
        m != schema.end() && m->is_number() && n < m->get<double>()) {
      errors.push_back(
          {path, fmt::format("is {} characters long, shorter than the minimum {}", n, m->dump())});
    }
    if (auto m = schema.find("maxLength");
        m != schema.end() && m->is_number() && n > m->get<double>()) {
      errors.push_back(
          {path, fmt::format("is {} characters long, longer than the maximum {}", n, m->dump())});
    }
    if (auto p = schema.find("pattern"); p != schema.end() && p->is_string()) {
      try {
        const std::regex re(p->get<std::string>(), std::regex::ECMAScript);
        if (!std::regex_search(s, re)) {
          errors.push_back({path, fmt::format("\"{}\" does not match the pattern {}",
                                              s.substr(0, 60), p->dump())});
        }
      } catch (const std::regex_error&) {
        errors.push_back(
            {path, fmt::format("the schema's pattern {} is not a valid regex", p->dump())});
      }
    }
  }

  void CheckArray(const json& schema, const json& instance, const std::string& path, int depth,
                  std::vector<SchemaError>& errors) {
    const size_t n = instance.size();
    if (auto m = schema.find("minItems");
        m != schema.end() && m->is_number() && n < m->get<double>()) {
      errors.push_back(
          {path, fmt::format("has {} items, fewer than the minimum {}", n, m->dump())});
    }
    if (auto m = schema.find("maxItems");
        m != schema.end() && m->is_number() && n > m->get<double>()) {
      errors.push_back({path, fmt::format("has {} items, more than the maximum {}", n, m->dump())});
    }
    if (auto u = schema.find("uniqueItems");
        u != schema.end() && u->is_boolean() && u->get<bool>()) {
      for (size_t i = 0; i < n; ++i) {
        for (size_t j = i + 1; j < n; ++j) {
          if (JsonEqual(instance[i], instance[j])) {
            errors.push_back(
                {path, fmt::format("items {} and {} are equal; items must be unique", i, j)});
            i = n;
            break;
          }
        }
      }
    }
    size_t first = 0;
    if (auto prefix = schema.find("prefixItems"); prefix != schema.end() && prefix->is_array()) {
      for (; first < prefix->size() && first < n; ++first) {
        Validate((*prefix)[first], instance[first], path + "/" + std::to_string(first), depth + 1,
                 errors);
      }
    }
    if (auto items = schema.find("items");
        items != schema.end() && (items->is_object() || items->is_boolean())) {
      for (size_t i = first; i < n; ++i) {
        Validate(*items, instance[i], path + "/" + std::to_string(i), depth + 1, errors);
      }
    }
  }

  void CheckObject(const json& schema, const json& instance, const std::string& path, int depth,
                   std::vector<SchemaError>& errors) {
    if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
      for (const auto& name : *req) {
        if (name.is_string() && !instance.contains(name.get<std::string>())) {
          errors.push_back({path + "/" + EscapePointerToken(name.get<std::string>()),
                            "is required but missing"});
        }
      }
    }
    const size_t n = instance.size();
    if (auto m = schema.find("minProperties");
        m != schema.end() && m->is_number() && n < m->get<double>()) {
      errors.push_back({path, fmt::format("has {} properties, fewer than {}", n, m->dump())});
    }
    if (auto m = schema.find("maxProperties");
        m != schema.end() && m->is_number() && n > m->get<double>()) {
      errors.push_back({path, fmt::format("has {} properties, more than {}", n, m->dump())});
    }
    const auto props = schema.find("properties");
    const auto patterns = schema.find("patternProperties");
    const auto additional = schema.find("additionalProperties");
    for (auto it = instance.begin(); it != instance.end(); ++it) {
      const std::string child = path + "/" + EscapePointerToken(it.key());
      bool matched = false;
      if (props != schema.end() && props->is_object()) {
        if (auto p = props->find(it.key()); p != props->end()) {
          matched = true;
          Validate(*p, *it, child, depth + 1, errors);
        }
      }
      if (patterns != schema.end() && patterns->is_object()) {
        for (auto p = patterns->begin(); p != patterns->end(); ++p) {
          try {
            if (std::regex_search(it.key(), std::regex(p.key(), std::regex::ECMAScript))) {
              matched = true;
              Validate(*p, *it, child, depth + 1, errors);
            }
          } catch (const std::regex_error&) {
            errors.push_back(
                {path, fmt::format("the schema's pattern \"{}\" is not a valid regex", p.key())});
          }
        }
      }
      if (!matched && additional != schema.end()) {
        if (additional->is_boolean() && !additional->get<bool>()) {
          errors.push_back({child, "is not an allowed property"});
        } else if (additional->is_object()) {
          Validate(*additional, *it, child, depth + 1, errors);
        }
      }
    }
  }

  void CheckCombinators(const json& schema, const json& instance, const std::string& path,
                        int depth, std::vector<SchemaError>& errors) {
    if (auto all = schema.find("allOf"); all != schema.end() && all->is_array()) {
      for (const auto& sub : *all) Validate(sub, instance, path, depth + 1, errors);
    }
    if (auto any = schema.find("anyOf"); any != schema.end() && any->is_array() && !any->empty()) {
      std::vector<SchemaError> first_errors;
      bool ok = false;
      for (size_t i = 0; i < any->size() && !ok; ++i) {
        std::vector<SchemaError> sub;
        Validate((*any)[i], instance, path, depth + 1, sub);
        if (sub.empty()) ok = true;
        if (i == 0) first_errors = std::move(sub);
      }
      if (!ok) {
        errors.push_back(
            {path,
             fmt::format(
                 "does not match any of the {} allowed schemas{}", any->size(),
                 first_errors.empty() ? "" : " (first: " + first_errors[0].ToString() + ")")});
      }
    }
    if (auto one = schema.find("oneOf"); one != schema.end() && one->is_array() && !one->empty()) {
      size_t matches = 0;
      for (const auto& sub : *one) {
        std::vector<SchemaError> sub_errors;
        Validate(sub, instance, path, depth + 1, sub_errors);
        if (sub_errors.empty()) ++matches;
      }
      if (matches != 1) {
        errors.push_back(
            {path,
             matches == 0
                 ? fmt::format("does not match any of the {} schemas", one->size())
                 : fmt::format("matches {} of the schemas, but must match exactly one", matches)});
      }
    }
    if (auto no = schema.find("not"); no != schema.end()) {
      std::vector<SchemaError> sub;
      Validate(*no, instance, path, depth + 1, sub);
      if (sub.empty()) errors.push_back({path, "matches a schema it must not match"});
    }
    if (auto cond = schema.find("if"); cond != schema.end()) {
      std::vector<SchemaError> sub;
      Validate(*cond, instance, path, depth + 1, sub);
      const char* branch = sub.empty() ? "then" : "else";
      if (auto b = schema.find(branch); b != schema.end()) {
        Validate(*b, instance, path, depth + 1, errors);
      }
    }
  }

  const json& root_;
};

}  // namespace

std::string SchemaError::ToString() const {
  return fmt::format("{}: {}", path.empty() ? "(root)" : path, message);
}

std::vector<SchemaError> ValidateJson(const nlohmann::json& schema,
                                      const nlohmann::json& instance) {
  std::vector<SchemaError> errors;
  Validator(schema).Validate(schema, instance, "", 0, errors);
  return errors;
}

std::string JoinSchemaErrors(const std::vector<SchemaError>& errors, size_t limit) {
  std::string out;
  for (size_t i = 0; i < errors.size() && i < limit; ++i) {
    if (i) out += "; ";
    out += errors[i].ToString();
  }
  if (errors.size() > limit) out += fmt::format("; and {} more", errors.size() - limit);
  return out;
}

}  // namespace cf
