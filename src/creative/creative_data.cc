#include "creative/creative_data.h"

#include <cstdlib>

namespace cf {

std::filesystem::path CreativeDataDir() {
  const char* env = std::getenv("CHENGFANG_CREATIVE_DATA");
  if (env != nullptr && *env != '\0') return env;
  return CF_CREATIVE_DATA_DIR;
}

}  // namespace cf
