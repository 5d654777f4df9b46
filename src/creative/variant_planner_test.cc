#include "creative/variant_planner.h"

#include <gtest/gtest.h>

#include <set>

namespace cf {
namespace {

TEST(PlanVariants, DistinctSpreadAndDeterministic) {
  VariantAxes axes;
  axes.templates = {"outdoor_camping", "gym", "party"};
  axes.voices = {"zh-female", "zh-male"};
  const auto v = PlanVariants(axes, 12);
  ASSERT_EQ(v.size(), 12u);
  std::set<std::string> keys;
  std::set<HookStyle> first_hooks;
  std::set<std::string> first_templates;
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(v[i].index, i);
    keys.insert(v[i].Key());
    if (i < 5) first_hooks.insert(v[i].hook);
    if (i < 3) first_templates.insert(v[i].template_name);
  }
  EXPECT_EQ(keys.size(), 12u);
  EXPECT_EQ(first_hooks.size(), 5u) << "the first five variants try every hook style";
  EXPECT_EQ(first_templates.size(), 3u);
  const auto again = PlanVariants(axes, 12);
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i].Key(), again[i].Key());
}

TEST(PlanVariants, StopsAtTheNumberOfCombinations) {
  VariantAxes axes;
  axes.templates = {"gym"};
  axes.hooks = {HookStyle::kQuestion, HookStyle::kScene};
  axes.selling_point_orders = 2;
  const auto v = PlanVariants(axes, 50);
  EXPECT_EQ(v.size(), 4u);
  std::set<std::string> keys;
  for (const auto& x : v) keys.insert(x.Key());
  EXPECT_EQ(keys.size(), 4u);
  EXPECT_TRUE(PlanVariants(axes, 0).empty());
  axes.templates.clear();
  EXPECT_THROW(PlanVariants(axes, 3), std::invalid_argument);
}

TEST(DescribeVariant, RecordsTheObservableAttributes) {
  const auto lib = TemplateLibrary::LoadDefault();
  VariantSpec v;
  v.index = 3;
  v.hook = HookStyle::kPriceShock;
  v.selling_point_order = 2;
  v.template_name = "outdoor_camping";
  v.duration_s = 30;
  v.voice = "en-male";
  Script s;
  s.lang = "en";
  s.lines = {{ScriptPart::kHook, "Only $9!"}};
  s.selling_points = {"light", "strong"};
  const Creative c = DescribeVariant(v, s, lib.Find("camping"), 42);
  EXPECT_EQ(c.id, 3u);
  EXPECT_EQ(c.product, 42u);
  EXPECT_EQ(c.scene, Scene::kOutdoorCamping);
  EXPECT_EQ(c.hook, HookStyle::kPriceShock);
  EXPECT_EQ(c.duration_s, 30);
  EXPECT_EQ(c.music, "acoustic");
  EXPECT_EQ(c.music_bpm, 96);
  EXPECT_EQ(c.voice, "en-male");
  EXPECT_EQ(c.lang, "en");
  EXPECT_EQ(c.template_name, "outdoor_camping");
  EXPECT_EQ(c.selling_point_order, 2);
  EXPECT_EQ(c.hook_text, "Only $9!");
  EXPECT_EQ(c.selling_points.size(), 2u);
}

}  // namespace
}  // namespace cf
