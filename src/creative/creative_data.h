// Where the creative factory's data files live (data/scripts, data/templates of the source tree by
// default). Promises: CreativeDataDir() is $CHENGFANG_CREATIVE_DATA when set and non-empty, else
// the compile-time CF_CREATIVE_DATA_DIR (<source>/data).
#pragma once

#include <filesystem>

namespace cf {

std::filesystem::path CreativeDataDir();

}  // namespace cf
