// Decodes product images (JPEG, PNG, WebP, anything libavcodec reads as a still image) into
// Cairo surfaces, scaled and centre-cropped to cover a target size. Promises: a missing, corrupt
// or unsupported file throws RenderError naming the file and the accepted formats; transparent
// pixels are flattened onto `background`. The returned surface is owned by the caller
// (cairo_surface_destroy).
#pragma once

#include <cairo.h>

#include <filesystem>

#include "creative/scene_template.h"

namespace cf {

cairo_surface_t* LoadImageCover(const std::filesystem::path& file, int width, int height,
                                const Rgba& background);

}  // namespace cf
