#include "common/base64.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace cf {
namespace {

TEST(Base64Test, RoundTripsAndRejectsGarbage) {
  const std::vector<std::string> samples = {"",     "f",     "fo",     "foo",
                                            "foob", "fooba", "foobar", std::string("\0\xff", 2)};
  for (const auto& s : samples) EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_THROW(Base64Decode("a!b"), std::invalid_argument);
}

}  // namespace
}  // namespace cf
