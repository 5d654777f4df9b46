#include "common/json_schema.h"

#include <gtest/gtest.h>

namespace cf {
namespace {

using nlohmann::json;

std::string Errors(const json& schema, const json& instance) {
  return JoinSchemaErrors(ValidateJson(schema, instance), 20);
}

TEST(JsonSchemaTest, TypesIncludingIntegerAndTypeArrays) {
  EXPECT_EQ(Errors({{"type", "integer"}}, 3), "");
  EXPECT_EQ(Errors({{"type", "integer"}}, 3.0), "");
  EXPECT_EQ(Errors({{"type", "integer"}}, 3.5), "(root): expected integer, got number 3.5");
  EXPECT_EQ(Errors({{"type", "number"}}, 3), "");
  EXPECT_EQ(Errors({{"type", json::array({"string", "null"})}}, nullptr), "");
  EXPECT_NE(Errors({{"type", json::array({"string", "null"})}}, 1), "");
  EXPECT_EQ(Errors({{"type", "object"}}, json::array()), "(root): expected object, got array []");
  EXPECT_EQ(Errors({{"type", "boolean"}}, true), "");
}

TEST(JsonSchemaTest, NumbersReportPointerAndBound) {
  const json schema = {{"type", "object"},
                       {"properties", {{"budget", {{"type", "number"}, {"minimum", 100}}}}}};
  EXPECT_EQ(Errors(schema, {{"budget", 5}}), "/budget: 5 is below the minimum 100");
  EXPECT_EQ(Errors(schema, {{"budget", 100}}), "");
  EXPECT_EQ(Errors({{"maximum", 10}}, 11), "(root): 11 is above the maximum 10");
  EXPECT_EQ(Errors({{"exclusiveMinimum", 0}}, 0), "(root): 0 must be greater than 0");
  EXPECT_EQ(Errors({{"exclusiveMaximum", 1}}, 0.5), "");
  EXPECT_EQ(Errors({{"exclusiveMaximum", 1}}, 1), "(root): 1 must be less than 1");
  EXPECT_EQ(Errors({{"multipleOf", 0.5}}, 1.5), "");
  EXPECT_NE(Errors({{"multipleOf", 2}}, 3), "");
}

TEST(JsonSchemaTest, RequiredAndAdditionalProperties) {
  const json schema = {{"type", "object"},
                       {"properties", {{"a", {{"type", "string"}}}}},
                       {"required", {"a", "b"}},
                       {"additionalProperties", false}};
  EXPECT_EQ(Errors(schema, {{"a", "x"}, {"c", 1}}),
            "/b: is required but missing; /c: is not an allowed property");
  const json typed_extra = {{"additionalProperties", {{"type", "integer"}}}};
  EXPECT_EQ(Errors(typed_extra, {{"x", 1}}), "");
  EXPECT_EQ(Errors(typed_extra, {{"x", "no"}}), "/x: expected integer, got string \"no\"");
  EXPECT_EQ(Errors({{"properties", {{"a/b", {{"type", "null"}}}}}}, {{"a/b", 1}}),
            "/a~1b: expected null, got integer 1");
}

TEST(JsonSchemaTest, EnumConstStringsAndPatterns) {
  EXPECT_EQ(Errors({{"enum", {"roi", "gmv"}}}, "gmv"), "");
  EXPECT_EQ(Errors({{"enum", {"roi", "gmv"}}}, "cpa"),
            "(root): \"cpa\" is not one of [\"roi\",\"gmv\"]");
  EXPECT_EQ(Errors({{"const", 1}}, 1.0), "");
  EXPECT_NE(Errors({{"const", "a"}}, "b"), "");
  EXPECT_EQ(Errors({{"minLength", 2}}, "中文"), "");
  EXPECT_NE(Errors({{"maxLength", 1}}, "中文"), "");
  EXPECT_EQ(Errors({{"pattern", "^[a-z]+$"}}, "abc"), "");
  EXPECT_EQ(Errors({{"pattern", "^[a-z]+$"}}, "ab1"),
            "(root): \"ab1\" does not match the pattern \"^[a-z]+$\"");
  EXPECT_EQ(Errors({{"pattern", "("}}, "x"),
            "(root): the schema's pattern \"(\" is not a valid regex");
}

TEST(JsonSchemaTest, Arrays) {
  const json schema = {{"type", "array"},
                       {"items", {{"type", "integer"}, {"minimum", 0}}},
                       {"minItems", 1},
                       {"maxItems", 3},
                       {"uniqueItems", true}};
  EXPECT_EQ(Errors(schema, {1, 2}), "");
  EXPECT_EQ(Errors(schema, json::array()), "(root): has 0 items, fewer than the minimum 1");
  EXPECT_EQ(Errors(schema, {1, 2, 3, 4}), "(root): has 4 items, more than the maximum 3");
  EXPECT_EQ(Errors(schema, {1, -2}), "/1: -2 is below the minimum 0");
  EXPECT_EQ(Errors(schema, {1, 1}), "(root): items 0 and 1 are equal; items must be unique");
}

TEST(JsonSchemaTest, Combinators) {
  const json one = {{"oneOf", {{{"type", "integer"}}, {{"type", "number"}}}}};
  EXPECT_EQ(Errors(one, 1.5), "");
  EXPECT_EQ(Errors(one, 1), "(root): matches 2 of the schemas, but must match exactly one");
  const json any = {{"anyOf", {{{"type", "string"}}, {{"type", "integer"}}}}};
  EXPECT_EQ(Errors(any, 2), "");
  EXPECT_NE(Errors(any, 2.5).find("does not match any of the 2 allowed schemas"),
            std::string::npos);
  const json all = {{"allOf", {{{"minimum", 1}}, {{"maximum", 2}}}}};
  EXPECT_EQ(Errors(all, 3), "(root): 3 is above the maximum 2");
  EXPECT_NE(Errors({{"not", {{"type", "string"}}}}, "x"), "");
  const json cond = {{"if", {{"properties", {{"kind", {{"const", "cpa"}}}}}}},
                     {"then", {{"required", {"cpa"}}}},
                     {"else", {{"required", {"roi"}}}}};
  EXPECT_EQ(Errors(cond, {{"kind", "cpa"}, {"cpa", 3}}), "");
  EXPECT_EQ(Errors(cond, {{"kind", "cpa"}}), "/cpa: is required but missing");
  EXPECT_EQ(Errors(cond, {{"kind", "roi"}}), "/roi: is required but missing");
}

TEST(JsonSchemaTest, RefsToDefsAndRoot) {
  const json schema = {
      {"$defs",
       {{"address", {{"type", "object"}, {"required", {"city"}}}},
        {"node",
         {{"type", "object"},
          {"properties", {{"next", {{"$ref", "#/$defs/node"}}}}},
          {"additionalProperties", false}}}}},
      {"properties",
       {{"home", {{"$ref", "#/$defs/address"}}}, {"list", {{"$ref", "#/$defs/node"}}}}}};
  EXPECT_EQ(Errors(schema, {{"home", {{"city", "Beijing"}}}}), "");
  EXPECT_EQ(Errors(schema, {{"home", json::object()}}), "/home/city: is required but missing");
  EXPECT_EQ(Errors(schema, {{"list", {{"next", {{"next", {{"x", 1}}}}}}}}),
            "/list/next/next/x: is not an allowed property");
  EXPECT_EQ(Errors({{"$ref", "#/$defs/missing"}}, 1),
            "(root): schema reference \"#/$defs/missing\" cannot be resolved");
  // A self-referencing schema stops at the depth limit instead of overflowing the stack.
  EXPECT_NE(Errors({{"$ref", "#"}}, 1), "");
}

TEST(JsonSchemaTest, BooleanSchemasAndIgnoredKeywords) {
  EXPECT_EQ(Errors(true, {{"x", 1}}), "");
  EXPECT_EQ(Errors(false, 1), "(root): no value is allowed here");
  EXPECT_EQ(Errors({{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                    {"title", "t"},
                    {"format", "email"},
                    {"default", 3}},
                   "anything"),
            "");
}

TEST(JsonSchemaTest, JoinLimitsTheList) {
  const json schema = {{"required", {"a", "b", "c"}}};
  EXPECT_EQ(JoinSchemaErrors(ValidateJson(schema, json::object()), 2),
            "/a: is required but missing; /b: is required but missing; and 1 more");
}

}  // namespace
}  // namespace cf
